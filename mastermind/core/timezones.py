"""Named IANA time zones: validation, choices for forms, and local times as text."""

import datetime as dt
import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# The zones most of our members live in come first in choice lists.
COMMON_ZONES = (
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Athens",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Dubai",
)


@cache
def all_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_valid_zone(name: str) -> bool:
    return name in all_zones()


def validate_time_zone(value: str) -> None:
    if not is_valid_zone(value):
        raise ValidationError(
            _("“%(value)s” is not a known time zone. Choose one like Europe/Berlin."),
            code="invalid_time_zone",
            params={"value": value},
        )


# Dates outside these years make no sense here and break date arithmetic: a schedule
# stepping past 9999-12-31 or a local time converted to UTC before year 1 overflows.
SANE_YEARS = (2000, 2100)


def validate_sane_date(value) -> None:
    """For date and datetime form fields: refuse years far outside our century."""
    first, last = SANE_YEARS
    if not first <= value.year <= last:
        raise ValidationError(
            _("Please choose a date between the years %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": first, "last": last},
        )


@cache
def zone_choices() -> list[tuple[str, str]]:
    rest = sorted(z for z in all_zones() if z not in COMMON_ZONES and "/" in z)
    return [(z, z.replace("_", " ")) for z in (*COMMON_ZONES, *rest)]


def local_text(moment: dt.datetime, zone: str | None = None) -> str:
    """``moment`` as wall-clock time in ``zone`` (default: the active one), in the active
    language's short format: "01.03.2027 18:30" / "03/01/2027 6:30 p.m."."""
    tz = zoneinfo.ZoneInfo(zone) if zone else None
    return date_format(timezone.localtime(moment, tz), "SHORT_DATETIME_FORMAT")
