"""Tests for meetings.domain.recurrence (pure Python, no Django needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetings.domain.recurrence import (
    Occurrence,
    PausePeriod,
    held,
    local_times,
    occurrences,
    series_dates,
)

BERLIN = "Europe/Berlin"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def series(**overrides: Any) -> list[Occurrence]:
    params: dict[str, Any] = {
        "first_date": date(2026, 1, 1),
        "every_weeks": 1,
        "weekday": THU,
        "start_time": time(19, 0),
        "duration_minutes": 120,
        "time_zone": BERLIN,
        "until": None,
        "horizon_end": date(2026, 12, 31),
    }
    params.update(overrides)
    return occurrences(**params)


def dates_of(occs: list[Occurrence]) -> list[date]:
    return [occ.local_date for occ in occs]


def skip_map(occs: list[Occurrence]) -> dict[date, str | None]:
    return {occ.local_date: occ.skipped_by for occ in occs}


# --- series dates ---------------------------------------------------------------------------


def test_weekly_series() -> None:
    occs = series(first_date=date(2026, 1, 1), horizon_end=date(2026, 1, 29))
    assert dates_of(occs) == [date(2026, 1, d) for d in (1, 8, 15, 22, 29)]
    assert all(occ.skipped_by is None for occ in occs)


def test_every_eight_weeks() -> None:
    occs = series(every_weeks=8, first_date=date(2026, 1, 1), horizon_end=date(2026, 12, 31))
    expected = [date(2026, 1, 1) + timedelta(weeks=8 * i) for i in range(7)]
    assert dates_of(occs) == expected
    assert expected[-1] == date(2026, 12, 3)


def test_first_date_not_on_weekday_moves_to_next_matching_day() -> None:
    # 2026-01-02 is a Friday; the first Thursday on/after it is 2026-01-08.
    occs = series(first_date=date(2026, 1, 2), horizon_end=date(2026, 1, 20))
    assert dates_of(occs) == [date(2026, 1, 8), date(2026, 1, 15)]


def test_first_date_on_weekday_is_included() -> None:
    assert dates_of(series(first_date=date(2026, 1, 1), horizon_end=date(2026, 1, 1))) == [
        date(2026, 1, 1)
    ]


def test_until_is_inclusive_and_wins_over_later_horizon() -> None:
    occs = series(until=date(2026, 1, 15), horizon_end=date(2026, 6, 1))
    assert dates_of(occs) == [date(2026, 1, 1), date(2026, 1, 8), date(2026, 1, 15)]


def test_horizon_is_inclusive_and_wins_over_later_until() -> None:
    occs = series(until=date(2027, 1, 1), horizon_end=date(2026, 1, 15))
    assert dates_of(occs)[-1] == date(2026, 1, 15)


def test_end_before_first_meeting_gives_empty_list() -> None:
    assert series(first_date=date(2026, 1, 2), horizon_end=date(2026, 1, 7)) == []


def test_series_dates_helper() -> None:
    assert series_dates(date(2026, 1, 1), 2, MON, date(2026, 1, 20)) == [
        date(2026, 1, 5),
        date(2026, 1, 19),
    ]


@pytest.mark.parametrize(
    "overrides",
    [
        {"every_weeks": 0},
        {"weekday": 7},
        {"weekday": -1},
        {"duration_minutes": 0},
        {"start_time": time(19, 0, tzinfo=UTC)},
    ],
)
def test_invalid_parameters_raise(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        series(**overrides)


def test_pause_with_end_before_start_raises() -> None:
    with pytest.raises(ValueError):
        PausePeriod("x", date(2026, 2, 1), date(2026, 1, 1))


# --- time zones and DST ---------------------------------------------------------------------


def test_biweekly_berlin_keeps_local_time_across_dst_2026_2027() -> None:
    # Thursdays, every two weeks, from 2026-03-19 to 2027-11-11. DST in Berlin:
    # 2026-03-29, 2026-10-25, 2027-03-28, 2027-10-31 (last Sundays of March/October).
    occs = series(
        every_weeks=2,
        first_date=date(2026, 3, 19),
        horizon_end=date(2027, 11, 11),
    )
    by_date = {occ.local_date: occ for occ in occs}
    zone = ZoneInfo(BERLIN)
    for occ in occs:
        local_start, local_end = local_times(occ, BERLIN)
        assert local_start.time() == time(19, 0)
        assert local_start.date() == occ.local_date
        assert occ.starts_at.tzinfo is UTC
        assert occ.ends_at - occ.starts_at == timedelta(hours=2)
        assert local_end.time() == time(21, 0)
        assert occ.starts_at.astimezone(zone).weekday() == THU
    # Spring 2026: 18:00 UTC (CET) -> 17:00 UTC (CEST).
    assert by_date[date(2026, 3, 19)].starts_at == datetime(2026, 3, 19, 18, 0, tzinfo=UTC)
    assert by_date[date(2026, 4, 2)].starts_at == datetime(2026, 4, 2, 17, 0, tzinfo=UTC)
    # Autumn 2026: 17:00 UTC -> 18:00 UTC.
    assert by_date[date(2026, 10, 15)].starts_at.hour == 17
    assert by_date[date(2026, 10, 29)].starts_at.hour == 18
    # Spring 2027 (DST on 2027-03-28) and autumn 2027 (2027-10-31).
    assert by_date[date(2027, 3, 18)].starts_at.hour == 18
    assert by_date[date(2027, 4, 1)].starts_at.hour == 17
    assert by_date[date(2027, 10, 28)].starts_at.hour == 17
    assert by_date[date(2027, 11, 11)].starts_at.hour == 18


def test_new_york_zone_keeps_local_time_and_local_date() -> None:
    # 20:00 New York is 01:00 UTC on the *next* day in winter (EST) and 00:00 in summer (EDT).
    occs = series(
        time_zone="America/New_York",
        weekday=TUE,
        start_time=time(20, 0),
        first_date=date(2026, 3, 3),
        horizon_end=date(2026, 3, 10),
    )
    assert [occ.local_date for occ in occs] == [date(2026, 3, 3), date(2026, 3, 10)]
    assert occs[0].starts_at == datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
    assert occs[1].starts_at == datetime(2026, 3, 11, 0, 0, tzinfo=UTC)
    for occ in occs:
        assert local_times(occ, ZoneInfo("America/New_York"))[0].time() == time(20, 0)


def test_nonexistent_time_in_spring_gap_is_shifted_forward() -> None:
    # 2026-03-29 02:30 does not exist in Berlin (clocks jump 02:00 -> 03:00).
    (occ,) = series(
        weekday=SUN,
        start_time=time(2, 30),
        first_date=date(2026, 3, 29),
        horizon_end=date(2026, 3, 29),
    )
    assert occ.starts_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert occ.starts_at.utcoffset() == timedelta(0)
    local_start, _ = local_times(occ, BERLIN)
    assert (local_start.date(), local_start.time()) == (date(2026, 3, 29), time(3, 30))
    assert local_start.utcoffset() == timedelta(hours=2)


def test_ambiguous_time_in_autumn_overlap_uses_first_occurrence() -> None:
    # 2026-10-25 02:30 happens twice in Berlin; fold=0 means the first one (CEST, +02:00).
    (occ,) = series(
        weekday=SUN,
        start_time=time(2, 30),
        first_date=date(2026, 10, 25),
        horizon_end=date(2026, 10, 25),
    )
    assert occ.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert local_times(occ, BERLIN)[0].time() == time(2, 30)


def test_meeting_spanning_dst_change_lasts_its_duration() -> None:
    (occ,) = series(
        weekday=SUN,
        start_time=time(1, 30),
        duration_minutes=60,
        first_date=date(2026, 3, 29),
        horizon_end=date(2026, 3, 29),
    )
    assert occ.ends_at - occ.starts_at == timedelta(minutes=60)
    assert local_times(occ, BERLIN)[1].time() == time(3, 30)


# --- pauses ---------------------------------------------------------------------------------

SUMMER = PausePeriod("summer", date(2026, 7, 1), date(2026, 8, 31))


def test_pause_first_day_is_inclusive() -> None:
    # Wednesdays: 2026-06-24 held, 2026-07-01 (first pause day) skipped.
    occs = series(weekday=WED, first_date=date(2026, 6, 24), pauses=[SUMMER])
    skips = skip_map(occs)
    assert skips[date(2026, 6, 24)] is None
    assert skips[date(2026, 7, 1)] == "pause:summer"
    assert skips[date(2026, 8, 26)] == "pause:summer"
    assert skips[date(2026, 9, 2)] is None


def test_pause_last_day_is_inclusive() -> None:
    # Mondays: 2026-08-31 (last pause day) skipped, 2026-09-07 held, 2026-06-29 held.
    occs = series(weekday=MON, first_date=date(2026, 6, 29), pauses=[SUMMER])
    skips = skip_map(occs)
    assert skips[date(2026, 6, 29)] is None
    assert skips[date(2026, 8, 31)] == "pause:summer"
    assert skips[date(2026, 9, 7)] is None


def test_skipped_occurrences_are_kept_and_held_filters_them() -> None:
    occs = series(weekday=MON, first_date=date(2026, 6, 29), pauses=[SUMMER])
    kept = held(occs)
    assert len(occs) == len(series(weekday=MON, first_date=date(2026, 6, 29)))
    assert all(occ.skipped_by is None for occ in kept)
    assert [o for o in occs if o.skipped_by is None] == kept
    assert len(occs) - len(kept) == 9  # Mondays 2026-07-06 .. 2026-08-31


def test_pause_day_before_and_after_are_held() -> None:
    pause = PausePeriod("one-day", date(2026, 1, 8), date(2026, 1, 8))
    occs = series(horizon_end=date(2026, 1, 15), pauses=[pause])
    assert skip_map(occs) == {
        date(2026, 1, 1): None,
        date(2026, 1, 8): "pause:one-day",
        date(2026, 1, 15): None,
    }


def test_overlapping_pauses_resolve_independent_of_order() -> None:
    early = PausePeriod("b-early", date(2026, 1, 1), date(2026, 1, 10))
    late = PausePeriod("a-late", date(2026, 1, 5), date(2026, 1, 20))
    for pauses in ([early, late], [late, early]):
        skips = skip_map(series(horizon_end=date(2026, 1, 15), pauses=pauses))
        assert skips[date(2026, 1, 8)] == "pause:b-early"
        assert skips[date(2026, 1, 15)] == "pause:a-late"


def test_pause_takes_precedence_over_holiday() -> None:
    pause = PausePeriod("autumn", date(2026, 10, 1), date(2026, 10, 5))
    occs = series(weekday=SAT, first_date=date(2026, 10, 3), pauses=[pause], holiday_region="DE")
    assert occs[0].skipped_by == "pause:autumn"


# --- holidays -------------------------------------------------------------------------------


def unity_day_series(region: str | None) -> list[Occurrence]:
    # 2026-10-03 (German Unity Day) is a Saturday.
    return series(
        weekday=SAT,
        first_date=date(2026, 9, 26),
        horizon_end=date(2026, 10, 10),
        holiday_region=region,
    )


def test_national_holiday_skipped_for_de() -> None:
    skips = skip_map(unity_day_series("DE"))
    assert skips == {
        date(2026, 9, 26): None,
        date(2026, 10, 3): "holiday:German Unity Day",
        date(2026, 10, 10): None,
    }


def test_national_holiday_skipped_for_every_state() -> None:
    for region in ("DE-BY", "DE-BE", "DE-NW"):
        assert skip_map(unity_day_series(region))[date(2026, 10, 3)] == "holiday:German Unity Day"


def test_no_holiday_region_skips_nothing() -> None:
    assert all(occ.skipped_by is None for occ in unity_day_series(None))


def all_saints(region: str) -> str | None:
    # 2026-11-01 (All Saints' Day) is a Sunday.
    occs = series(
        weekday=SUN,
        first_date=date(2026, 11, 1),
        horizon_end=date(2026, 11, 1),
        holiday_region=region,
    )
    return occs[0].skipped_by


def test_state_only_holiday_all_saints() -> None:
    assert all_saints("DE-BY") == "holiday:All Saints' Day"
    assert all_saints("DE-NW") == "holiday:All Saints' Day"
    assert all_saints("DE-BE") is None
    assert all_saints("DE") is None


def test_state_only_holiday_reformation_day() -> None:
    # 2026-10-31 is a Saturday; Reformation Day is a holiday in e.g. Saxony, not in Bavaria.
    def reformation(region: str) -> str | None:
        return series(
            weekday=SAT,
            first_date=date(2026, 10, 31),
            horizon_end=date(2026, 10, 31),
            holiday_region=region,
        )[0].skipped_by

    assert reformation("DE-SN") == "holiday:Reformation Day"
    assert reformation("DE-BB") == "holiday:Reformation Day"
    assert reformation("DE-BY") is None
    assert reformation("DE") is None


def test_holidays_looked_up_for_every_year_of_the_series() -> None:
    # New Year's Day 2027 is a Friday; the series starts in 2026.
    occs = series(
        weekday=FRI,
        first_date=date(2026, 12, 25),
        horizon_end=date(2027, 1, 8),
        holiday_region="DE-BE",
    )
    assert skip_map(occs) == {
        date(2026, 12, 25): "holiday:Christmas Day",
        date(2027, 1, 1): "holiday:New Year's Day",
        date(2027, 1, 8): None,
    }


def test_unknown_holiday_region_raises_value_error() -> None:
    with pytest.raises(ValueError):
        unity_day_series("DE-XX")


# --- property ------------------------------------------------------------------------------


def is_nonexistent(day: date, wall_time: time, zone: ZoneInfo) -> bool:
    local = datetime.combine(day, wall_time, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None)


@given(
    first_date=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    every_weeks=st.integers(min_value=1, max_value=8),
    weekday=st.integers(min_value=0, max_value=6),
    start_time=st.times(),
    duration_minutes=st.integers(min_value=1, max_value=600),
    span_days=st.integers(min_value=0, max_value=800),
)
def test_property_local_wall_clock_and_spacing(
    first_date: date,
    every_weeks: int,
    weekday: int,
    start_time: time,
    duration_minutes: int,
    span_days: int,
) -> None:
    zone = ZoneInfo(BERLIN)
    horizon_end = first_date + timedelta(days=span_days)
    occs = occurrences(
        first_date=first_date,
        every_weeks=every_weeks,
        weekday=weekday,
        start_time=start_time,
        duration_minutes=duration_minutes,
        time_zone=BERLIN,
        until=None,
        horizon_end=horizon_end,
    )
    first = first_date + timedelta(days=(weekday - first_date.weekday()) % 7)
    if first > horizon_end:
        assert occs == []
        return
    assert occs[0].local_date == first
    for occ in held(occs):
        assert first_date <= occ.local_date <= horizon_end
        assert occ.local_date.weekday() == weekday
        assert occ.starts_at.utcoffset() == timedelta(0)
        assert occ.ends_at - occ.starts_at == timedelta(minutes=duration_minutes)
        local = occ.starts_at.astimezone(zone)
        expected = datetime.combine(occ.local_date, start_time)
        if is_nonexistent(occ.local_date, start_time, zone):
            expected += timedelta(hours=1)  # Berlin's spring-forward gap is one hour
        assert local.replace(tzinfo=None) == expected
    for earlier, later in pairwise(occs):
        assert later.local_date - earlier.local_date == timedelta(weeks=every_weeks)
    assert horizon_end - occs[-1].local_date < timedelta(weeks=every_weeks)
