"""VTIMEZONE components read off zoneinfo's own transitions (pure; see meetings.calendar.ical).

Every change of UTC offset, DST flag or abbreviation in the years a calendar covers is
found by sampling zoneinfo every six hours and bisecting to the second, and written as one
``STANDARD``/``DAYLIGHT`` sub-component with just ``DTSTART`` (local time in
``TZOFFSETFROM``, as RFC 5545 defines it), ``TZOFFSETFROM``, ``TZOFFSETTO`` and
``TZNAME``: no ``RRULE``, since zones such as Africa/Casablanca (Ramadan) follow no
rule, and no ``RDATE`` lists, of which ical.js (Thunderbird) reads only the first value.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

__all__ = ["vtimezone", "zone"]

# zoneinfo is sampled this often when looking for transitions (none are closer together).
PROBE = timedelta(hours=6)

Observed = tuple[timedelta, bool, str]  # UTC offset, DST or not, abbreviation


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, LookupError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"Unknown time zone {name!r}") from exc


@lru_cache(maxsize=128)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """VTIMEZONE for ``tzid`` covering ``first_year`` .. ``last_year`` (inclusive).

    Cached: the returned component is shared and must not be modified.
    """
    tz = zone(tzid)
    start = datetime(first_year, 1, 1, tzinfo=tz).astimezone(UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=tz).astimezone(UTC)
    component = Timezone()
    component.add("TZID", tzid)
    component.add("X-LIC-LOCATION", tzid)
    # The initial observance: what holds at the start of the range.
    before = _observed(start, tz)
    component.add_component(_observance(start, before, before))
    for moment, after in _transitions(tzid, start, end):
        component.add_component(_observance(moment, before, after))
        before = after
    return component


def _observed(moment: datetime, tz: ZoneInfo) -> Observed:
    local = moment.astimezone(tz)
    return local.utcoffset(), bool(local.dst()), local.tzname() or ""


def _transitions(tzid: str, start: datetime, end: datetime) -> list[tuple[datetime, Observed]]:
    """Every (UTC instant, what holds from then on) where ``tzid`` changes in [start, end)."""
    tz = zone(tzid)
    found = []
    probe, current = start, _observed(start, tz)
    while probe < end:
        following = min(probe + PROBE, end)
        observed = _observed(following, tz)
        if observed != current:
            low, high = probe, following  # the change happens in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _observed(middle, tz) == current:
                    low = middle
                else:
                    high = middle
            found.append((high, observed))
            current = observed
        probe = following
    return found


def _observance(
    moment: datetime, before: Observed, after: Observed
) -> TimezoneStandard | TimezoneDaylight:
    offset_from, _dst, _name = before
    offset_to, is_dst, tzname = after
    observance = TimezoneDaylight() if is_dst else TimezoneStandard()
    # RFC 5545: DTSTART is the onset as local time in the offset before it.
    observance.DTSTART = (moment + offset_from).replace(tzinfo=None)
    observance.TZOFFSETFROM = offset_from
    observance.TZOFFSETTO = offset_to
    if tzname:
        observance.add("TZNAME", tzname)
    return observance
