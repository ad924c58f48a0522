"""Weekdays and evening slots: the one place that encodes them.

A *slot* is a weekday evening start in someone's own time zone, keyed ``"tue-19"``
(or ``"tue-19:30"``). Applicants choose from :data:`FORM_SLOTS`; the matching core treats
keys as opaque strings; proposals convert keys between zones; pages show
:func:`slot_label` / :func:`availability_summary` in the active language.
"""

import datetime as dt
import zoneinfo

from django.db import models
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The evenings the application form offers: Monday to Friday, starting 18, 19 or 20 h.
FORM_DAYS = tuple((WEEKDAY_KEYS[day], Weekday(day).label) for day in range(5))
START_HOURS = (18, 19, 20)
FORM_SLOTS = [f"{key}-{hour}" for key, _label in FORM_DAYS for hour in START_HOURS]


def parse_slot(key: str) -> tuple[int, int, int] | None:
    """``"tue-19"`` -> (1, 19, 0); ``"tue-19:30"`` -> (1, 19, 30); None if malformed."""
    day, _sep, clock = str(key).partition("-")
    hour, _sep, minute = clock.partition(":")
    if day not in WEEKDAY_KEYS or not hour.isdigit() or (minute and not minute.isdigit()):
        return None
    h, m = int(hour), int(minute or 0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return WEEKDAY_KEYS.index(day), h, m


def slot_key(weekday: int, hour: int, minute: int = 0) -> str:
    base = f"{WEEKDAY_KEYS[weekday]}-{hour}"
    return f"{base}:{minute:02d}" if minute else base


def slot_sort_key(key: str) -> tuple[int, int, int]:
    return parse_slot(key) or (99, 0, 0)


def convert_slot(key: str, *, from_zone: str, to_zone: str, reference: dt.date) -> str | None:
    """The same absolute time as ``key`` in ``from_zone``, keyed in ``to_zone``."""
    parsed = parse_slot(key)
    if parsed is None:
        return None
    weekday, hour, minute = parsed
    day = reference + dt.timedelta(days=(weekday - reference.weekday()) % 7)
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(from_zone))
    there = local.astimezone(zoneinfo.ZoneInfo(to_zone))
    return slot_key(there.weekday(), there.hour, there.minute)


def slot_label(key: str) -> str:
    """``"tue-19"`` -> "Tuesday 19:00" in the active language."""
    parsed = parse_slot(key)
    if parsed is None:
        return str(key)
    weekday, hour, minute = parsed
    return f"{Weekday(weekday).label} {hour:02d}:{minute:02d}"


def availability_summary(slots: list[str], time_zone: str = "") -> str:
    """["tue-19", "tue-20", "wed-19"] -> "Tue 19:00, 20:00; Wed 19:00" (+ zone if given)."""
    by_day: dict[int, list[str]] = {}
    for slot in sorted(slots, key=slot_sort_key):
        parsed = parse_slot(slot)
        if parsed is not None:
            weekday, hour, minute = parsed
            by_day.setdefault(weekday, []).append(f"{hour:02d}:{minute:02d}")
    parts = [f"{WEEKDAYS_ABBR[day]} {', '.join(hours)}" for day, hours in sorted(by_day.items())]
    summary = "; ".join(parts) or "—"
    return f"{summary} ({time_zone})" if time_zone else summary
