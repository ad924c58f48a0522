"""Recurring meeting schedules: expand a series into concrete occurrences.

Pure Python (no Django). The single entry point is :func:`occurrences`.

Algorithm
---------
1. **Dates.** The series starts on the first date on or after ``first_date`` that falls on
   ``weekday`` (0 = Monday ... 6 = Sunday) and repeats every ``every_weeks`` weeks. It ends on
   the last such date that is on or before ``min(until, horizon_end)`` (``until=None`` means
   "open-ended", so only ``horizon_end`` limits it). Both bounds are inclusive. The date
   arithmetic is done on calendar dates only, so consecutive dates are always exactly
   ``7 * every_weeks`` days apart.
2. **Times.** Each date is combined with ``start_time`` as a *local wall-clock* time in the IANA
   zone ``time_zone`` (``zoneinfo``) and only then converted to UTC. A 19:00 Europe/Berlin
   meeting therefore stays at 19:00 local all year, i.e. 18:00 UTC in winter and 17:00 UTC in
   summer.

   * **Nonexistent local time** (spring-forward gap, e.g. 02:30 on the last Sunday of March in
     Berlin): interpreted with ``fold=0``, i.e. with the UTC offset in force *before* the
     transition. The result is the instant the wall-clock time would have had without the
     jump, which reads as "shifted forward by the length of the gap" locally (02:30 -> 03:30
     CEST = 01:30 UTC). This is exactly what ``zoneinfo`` does for ``fold=0``.
   * **Ambiguous local time** (fall-back overlap, e.g. 02:30 on the last Sunday of October):
     the *first* occurrence is used (``fold=0``, summer time, 02:30 CEST = 00:30 UTC).

   ``ends_at`` is ``starts_at + duration_minutes`` of *elapsed* time, so a meeting that spans a
   DST transition still lasts exactly ``duration_minutes``.
3. **Skips.** Every date of the series is returned; an occurrence that does not take place
   carries a reason key in ``skipped_by`` (use :func:`held` to keep only held ones). Callers can
   thus mark rows they already stored. Precedence when several reasons apply:

   * ``"pause:<name>"`` - the local date lies within a :class:`PausePeriod` (both ends
     inclusive). If several pauses match, the one with the earliest ``start`` wins (ties:
     earliest ``end``, then ``name``), independent of the order they were passed in.
   * ``"holiday:<name>"`` - the local date is a public holiday of ``holiday_region``. The region
     is ``"<COUNTRY>"`` (national holidays only, e.g. ``"DE"``) or ``"<COUNTRY>-<SUBDIV>"``
     (national plus subdivision holidays, e.g. ``"DE-BY"``), resolved with the ``holidays``
     package. Names are English (``en_US``) where the package supports it; several holidays on
     one day are joined by ``"; "`` as the package does. ``None`` disables holiday skipping.

Guarantees
----------
* The result is sorted by date, contains no duplicates and is a pure function of the inputs.
* Every ``starts_at``/``ends_at`` is timezone-aware UTC and ``ends_at - starts_at`` equals
  ``duration_minutes``.
* Converting ``starts_at`` back to ``time_zone`` yields ``local_date`` and ``start_time`` exactly,
  except for nonexistent (gap) times, which come out shifted forward by the gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "Occurrence",
    "PausePeriod",
    "held",
    "local_times",
    "occurrences",
    "series_dates",
]

HOLIDAY_LANGUAGE = "en_US"


@dataclass(frozen=True)
class PausePeriod:
    """A named break of the group; ``start`` and ``end`` are both inclusive local dates."""

    name: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"Pause {self.name!r} ends ({self.end}) before it starts.")

    def contains(self, day: date) -> bool:
        """Return True if ``day`` lies within the pause (inclusive on both ends)."""
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Occurrence:
    """One date of a series; ``skipped_by`` is None if the meeting is held."""

    local_date: date
    starts_at: datetime
    ends_at: datetime
    skipped_by: str | None = None

    @property
    def is_held(self) -> bool:
        return self.skipped_by is None


def occurrences(
    *,
    first_date: date,
    every_weeks: int,
    weekday: int,
    start_time: time,
    duration_minutes: int,
    time_zone: str,
    until: date | None,
    horizon_end: date,
    pauses: Sequence[PausePeriod] = (),
    holiday_region: str | None = None,
) -> list[Occurrence]:
    """Expand a series into its occurrences up to ``min(until, horizon_end)`` (inclusive).

    Raises ``ValueError`` for invalid parameters or an unknown holiday region and
    ``zoneinfo.ZoneInfoNotFoundError`` for an unknown time zone.
    """
    _validate(every_weeks, weekday, start_time, duration_minutes)
    zone = ZoneInfo(time_zone)
    last = horizon_end if until is None else min(until, horizon_end)
    dates = series_dates(first_date, every_weeks, weekday, last)
    holiday_names = _holiday_names(holiday_region, dates)
    ordered_pauses = sorted(pauses, key=lambda p: (p.start, p.end, p.name))
    duration = timedelta(minutes=duration_minutes)
    result = []
    for day in dates:
        starts_at = _local_to_utc(day, start_time, zone)
        reason = _skip_reason(day, ordered_pauses, holiday_names)
        result.append(Occurrence(day, starts_at, starts_at + duration, reason))
    return result


def series_dates(first_date: date, every_weeks: int, weekday: int, last: date) -> list[date]:
    """Return the series dates from the first ``weekday`` on/after ``first_date`` to ``last``."""
    if every_weeks < 1:
        raise ValueError("every_weeks must be at least 1.")
    day = first_date + timedelta(days=(weekday - first_date.weekday()) % 7)
    step = timedelta(weeks=every_weeks)
    dates = []
    while day <= last:
        dates.append(day)
        day += step
    return dates


def held(occs: Iterable[Occurrence]) -> list[Occurrence]:
    """Return only the occurrences that take place (``skipped_by is None``), order kept."""
    return [occ for occ in occs if occ.skipped_by is None]


def local_times(occ: Occurrence, tz: str | tzinfo) -> tuple[datetime, datetime]:
    """Return ``(starts_at, ends_at)`` of ``occ`` converted to the zone ``tz`` (name or tzinfo)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return occ.starts_at.astimezone(zone), occ.ends_at.astimezone(zone)


def _validate(every_weeks: int, weekday: int, start_time: time, duration_minutes: int) -> None:
    if every_weeks < 1:
        raise ValueError("every_weeks must be at least 1.")
    if not 0 <= weekday <= 6:
        raise ValueError("weekday must be between 0 (Monday) and 6 (Sunday).")
    if duration_minutes < 1:
        raise ValueError("duration_minutes must be positive.")
    if start_time.tzinfo is not None:
        raise ValueError("start_time must be a naive wall-clock time; pass time_zone instead.")


def _local_to_utc(day: date, wall_time: time, zone: ZoneInfo) -> datetime:
    """Interpret ``day``+``wall_time`` in ``zone`` with fold=0 (see module docs) as UTC."""
    local = datetime.combine(day, wall_time.replace(fold=0), tzinfo=zone)
    return local.astimezone(UTC)


def _skip_reason(
    day: date, pauses: Sequence[PausePeriod], holiday_names: dict[date, str]
) -> str | None:
    for pause in pauses:
        if pause.contains(day):
            return f"pause:{pause.name}"
    if day in holiday_names:
        return f"holiday:{holiday_names[day]}"
    return None


def _holiday_names(region: str | None, dates: Sequence[date]) -> dict[date, str]:
    """Map each date in ``dates`` that is a public holiday in ``region`` to its name."""
    if region is None or not dates:
        return {}
    country, _, subdiv = region.partition("-")
    years = sorted({day.year for day in dates})
    try:
        calendar = holidays.country_holidays(
            country, subdiv=subdiv or None, years=years, language=HOLIDAY_LANGUAGE
        )
    except NotImplementedError as exc:
        raise ValueError(f"Unknown holiday region {region!r}.") from exc
    return {day: str(calendar[day]) for day in dates if day in calendar}
