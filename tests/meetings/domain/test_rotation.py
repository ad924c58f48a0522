"""Tests for meetings.domain.rotation (pure Python, no Django needed)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meetings.domain.rotation import (
    RotationMeeting,
    RotationMember,
    changed_presenters,
    plan_rotation,
)

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
A, B, C, D, E = 1, 2, 3, 4, 5


def day(offset: float) -> datetime:
    return NOW + timedelta(days=offset)


def member(member_id: int, joined: float = -100, left: float | None = None) -> RotationMember:
    return RotationMember(member_id, day(joined), None if left is None else day(left))


def weekly(count: int, seats: int = 1, start: int = 7) -> list[RotationMeeting]:
    """Meetings with ids 101, 102, ... every 7 days from NOW + start days."""
    return [RotationMeeting(101 + i, day(start + 7 * i), seats) for i in range(count)]


def plan(
    members: Sequence[RotationMember],
    meetings: Sequence[RotationMeeting],
    history: Sequence[tuple[datetime, int]] = (),
) -> dict[int, tuple[int, ...]]:
    return plan_rotation(members=members, history=history, meetings=meetings, now=NOW)


def with_meeting(
    meetings: Sequence[RotationMeeting], meeting_id: int, **changes: Any
) -> list[RotationMeeting]:
    return [replace(m, **changes) if m.id == meeting_id else m for m in meetings]


# --- examples -------------------------------------------------------------------------------


def test_never_presented_members_ordered_by_join_date_then_id() -> None:
    members = [member(D, -10), member(C, -40), member(A, -20), member(B, -40)]
    assert plan(members, weekly(5)) == {101: (B,), 102: (C,), 103: (A,), 104: (D,), 105: (B,)}


def test_history_puts_longest_ago_first() -> None:
    members = [member(A), member(B), member(C)]
    history = [(day(-30), A), (day(-10), B), (day(-20), C), (day(-50), B)]
    assert plan(members, weekly(4), history) == {101: (A,), 102: (C,), 103: (B,), 104: (A,)}


def test_future_history_entries_are_ignored() -> None:
    members = [member(A), member(B)]
    assert plan(members, weekly(2), [(day(1), A)]) == {101: (A,), 102: (B,)}


def test_new_member_goes_early_because_never_presented() -> None:
    members = [member(A), member(B), member(C), member(D, joined=10)]
    history = [(day(-21), A), (day(-14), B), (day(-7), C)]
    # Meeting 101 (day 7) is before D joins; from 102 (day 14) on D is first in the queue.
    assert plan(members, weekly(5), history) == {
        101: (A,),
        102: (D,),
        103: (B,),
        104: (C,),
        105: (A,),
    }


def test_join_at_exact_meeting_time_is_eligible() -> None:
    members = [member(A), member(B, joined=7)]
    assert plan(members, weekly(1), [(day(-7), A)]) == {101: (B,)}


def test_absent_presenter_is_replaced_by_next_in_line() -> None:
    members = [member(A, -40), member(B, -30), member(C, -20), member(D, -10)]
    meetings = weekly(4)
    before = plan(members, meetings)
    assert before == {101: (A,), 102: (B,), 103: (C,), 104: (D,)}
    after = plan(members, with_meeting(meetings, 101, absent=frozenset({A})))
    # B moves up; A keeps the oldest "last hot seat" (never) and presents next time.
    assert after == {101: (B,), 102: (A,), 103: (C,), 104: (D,)}
    assert changed_presenters(before, after) == {101: {A, B}, 102: {A, B}}


def test_left_member_is_removed_from_rotation() -> None:
    members = [member(A, -40, left=10), member(B, -30), member(C, -20)]
    # A is a member for meeting 101 (day 7) only; left_at is exclusive.
    assert plan(members, weekly(4)) == {101: (A,), 102: (B,), 103: (C,), 104: (B,)}
    members = [member(A, -40, left=7), member(B, -30), member(C, -20)]
    assert plan(members, weekly(2)) == {101: (B,), 102: (C,)}


def test_two_seats_per_meeting_rotate_round_robin() -> None:
    members = [member(A, -40), member(B, -30), member(C, -20)]
    result = plan(members, weekly(4, seats=2))
    assert result == {101: (A, B), 102: (C, A), 103: (B, C), 104: (A, B)}


def test_more_seats_than_available_members() -> None:
    members = [member(A), member(B)]
    meetings = [RotationMeeting(1, day(1), 2, absent=frozenset({A, B}))]
    meetings += [RotationMeeting(2, day(2), 2, absent=frozenset({A}))]
    assert plan(members, meetings) == {1: (), 2: (B,)}
    assert plan([], weekly(2)) == {101: (), 102: ()}


def test_swap_pin_is_honoured() -> None:
    members = [member(A, -40), member(B, -30), member(C, -20)]
    meetings = with_meeting(weekly(3), 101, pinned=(C,))
    assert plan(members, meetings) == {101: (C,), 102: (A,), 103: (B,)}


def test_swap_pin_with_two_seats_fills_other_seat_from_queue() -> None:
    members = [member(A, -40), member(B, -30), member(C, -20)]
    meetings = with_meeting(weekly(2, seats=2), 101, pinned=(C,))
    assert plan(members, meetings) == {101: (C, A), 102: (B, C)}


def test_swap_pin_dropped_when_pinned_member_absent() -> None:
    members = [member(A, -40), member(B, -30), member(C, -20)]
    meetings = with_meeting(weekly(3), 101, pinned=(C,), absent=frozenset({C}))
    assert plan(members, meetings) == {101: (A,), 102: (B,), 103: (C,)}


def test_swap_pin_dropped_when_pinned_member_not_eligible() -> None:
    members = [member(A, -40), member(B, -30), member(C, -20, left=3), member(D, joined=20)]
    meetings = with_meeting(weekly(2), 101, pinned=(C, D, 99))
    assert plan(members, meetings) == {101: (A,), 102: (B,)}


def test_duplicate_or_surplus_pins_are_dropped() -> None:
    members = [member(A, -40), member(B, -30), member(C, -20)]
    meetings = with_meeting(weekly(1, seats=2), 101, pinned=(C, C, B, A))
    assert plan(members, meetings) == {101: (C, B)}


def test_past_meetings_are_ignored_and_absent_from_result() -> None:
    members = [member(A, -40), member(B, -30)]
    meetings = [
        RotationMeeting(1, day(-7), 1),
        RotationMeeting(2, NOW, 1),
        RotationMeeting(3, day(7), 1),
    ]
    assert plan(members, meetings) == {3: (A,)}


def test_meetings_at_same_time_ordered_by_id() -> None:
    members = [member(A, -40), member(B, -30)]
    meetings = [RotationMeeting(9, day(7), 1), RotationMeeting(5, day(7), 1)]
    assert plan(members, meetings) == {5: (A,), 9: (B,)}


def test_duplicate_ids_raise() -> None:
    with pytest.raises(ValueError):
        plan([member(A), member(A)], weekly(1))
    with pytest.raises(ValueError):
        plan([member(A)], [RotationMeeting(1, day(1), 1), RotationMeeting(1, day(2), 1)])


def test_changed_presenters_reports_exactly_who_moved() -> None:
    old = {1: (A,), 2: (B, C), 3: (D,), 4: (E,)}
    new = {1: (A,), 2: (C, D), 3: (B,), 5: (A,)}
    assert changed_presenters(old, new) == {2: {B, D}, 3: {B, D}, 4: {E}, 5: {A}}
    assert changed_presenters(old, old) == {}
    assert changed_presenters({1: (A, B)}, {1: (B, A)}) == {}


# --- property-based -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    members: list[RotationMember]
    history: list[tuple[datetime, int]]
    meetings: list[RotationMeeting]


@st.composite
def scenarios(
    draw: st.DrawFn,
    *,
    absences: bool = True,
    pins: bool = True,
    churn: bool = True,
    history: bool = True,
    seats: tuple[int, ...] = (1, 2),
) -> Scenario:
    ids = draw(st.lists(st.integers(1, 50), min_size=1, max_size=8, unique=True))
    members = [draw(members_for(member_id, churn)) for member_id in ids]
    past = st.tuples(st.integers(-200, 0).map(day), st.sampled_from([*ids, 999]))
    hist = draw(st.lists(past, max_size=20)) if history else []
    meeting_ids = draw(st.lists(st.integers(1, 500), min_size=1, max_size=30, unique=True))
    meetings = [draw(meeting_for(mid, ids, seats, absences, pins)) for mid in meeting_ids]
    return Scenario(members, hist, meetings)


def members_for(member_id: int, churn: bool) -> st.SearchStrategy[RotationMember]:
    if not churn:
        return st.integers(-300, -1).map(lambda joined: member(member_id, joined))
    joined = st.integers(-300, 250)
    stay = st.none() | st.integers(1, 250)
    return st.tuples(joined, stay).map(
        lambda js: member(member_id, js[0], None if js[1] is None else js[0] + js[1])
    )


def meeting_for(
    meeting_id: int, ids: list[int], seats: tuple[int, ...], absences: bool, pins: bool
) -> st.SearchStrategy[RotationMeeting]:
    absent = st.frozensets(st.sampled_from(ids)) if absences else st.just(frozenset())
    pinned = st.lists(st.sampled_from(ids), max_size=2).map(tuple) if pins else st.just(())
    return st.builds(
        RotationMeeting,
        id=st.just(meeting_id),
        # Mostly future, a few past ones and a few shared start times.
        starts_at=st.integers(-20, 250).map(lambda d: day(d // 2)),
        seats=st.sampled_from(seats),
        absent=absent,
        pinned=pinned,
    )


def run(scenario: Scenario) -> dict[int, tuple[int, ...]]:
    return plan(scenario.members, scenario.meetings, scenario.history)


def in_order(meetings: Sequence[RotationMeeting]) -> list[RotationMeeting]:
    return sorted(meetings, key=lambda m: (m.starts_at, m.id))


def available_at(scenario: Scenario, meeting: RotationMeeting) -> set[int]:
    return {
        m.id
        for m in scenario.members
        if m.joined_at <= meeting.starts_at
        and (m.left_at is None or meeting.starts_at < m.left_at)
        and m.id not in meeting.absent
    }


def pinned_seats(meeting: RotationMeeting, presenters: tuple[int, ...]) -> set[int]:
    return set(meeting.pinned) & set(presenters)


def walk(
    scenario: Scenario, result: Mapping[int, tuple[int, ...]]
) -> list[tuple[RotationMeeting, dict[int, datetime]]]:
    """Replay the result: each planned meeting with everyone's last hot seat before it."""
    last: dict[int, datetime] = {}
    for when, member_id in scenario.history:
        if when <= NOW:
            last[member_id] = max(when, last.get(member_id, when))
    replay = []
    for meeting in in_order([m for m in scenario.meetings if m.id in result]):
        replay.append((meeting, dict(last)))
        for member_id in result[meeting.id]:
            last[member_id] = meeting.starts_at
    return replay


def strictly_older(q: datetime | None, p: datetime | None) -> bool:
    """Is hot seat ``q`` strictly older than ``p``? ``None`` (never) is the oldest."""
    if p is None:
        return False
    return q is None or q < p


def assert_safe(scenario: Scenario, result: Mapping[int, tuple[int, ...]]) -> None:
    for meeting in scenario.meetings:
        if meeting.id not in result:
            continue
        presenters = result[meeting.id]
        available = available_at(scenario, meeting)
        assert len(set(presenters)) == len(presenters)
        assert set(presenters) <= available  # no absent, departed or not-yet-joined member
        assert len(presenters) == min(meeting.seats, len(available))
        kept_pins = tuple(dict.fromkeys(p for p in meeting.pinned if p in available))
        kept_pins = kept_pins[: meeting.seats]
        assert presenters[: len(kept_pins)] == kept_pins  # available pins are seated first


def assert_fair(scenario: Scenario, result: Mapping[int, tuple[int, ...]]) -> None:
    """The fairness invariant of meetings.domain.rotation (see its module docstring)."""
    for meeting, last in walk(scenario, result):
        presenters = result[meeting.id]
        queue_chosen = set(presenters) - pinned_seats(meeting, presenters)
        waiting = available_at(scenario, meeting) - set(presenters)
        for p in queue_chosen:
            for q in waiting:
                assert not strictly_older(last.get(q), last.get(p)), (meeting, p, q)
                # Corollary: no second hot seat while an available member never had one.
                assert not (p in last and q not in last)


@settings(deadline=None)
@given(scenarios())
def test_property_safety_fairness_and_future_only(scenario: Scenario) -> None:
    result = run(scenario)
    assert set(result) == {m.id for m in scenario.meetings if m.starts_at > NOW}
    assert_safe(scenario, result)
    assert_fair(scenario, result)


@settings(deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_property_deterministic_under_shuffling(scenario: Scenario, rnd: random.Random) -> None:
    expected = run(scenario)
    shuffled = Scenario(
        rnd.sample(scenario.members, len(scenario.members)),
        rnd.sample(scenario.history, len(scenario.history)),
        rnd.sample(scenario.meetings, len(scenario.meetings)),
    )
    assert run(shuffled) == expected


@settings(deadline=None)
@given(
    scenarios(absences=False, pins=False, churn=False, history=False),
    st.sampled_from([1, 2]),
)
def test_property_round_robin_without_disturbances(scenario: Scenario, seats: int) -> None:
    meetings = [replace(m, seats=seats) for m in scenario.meetings]
    result = plan(scenario.members, meetings)
    seat_order = [pid for m in in_order(meetings) if m.id in result for pid in result[m.id]]
    n = len(scenario.members)
    # Nobody presents twice before every member presented once ...
    assert len(set(seat_order[:n])) == len(seat_order[:n])
    # ... and read seat by seat, presenters cycle through all members in a fixed order.
    assert all(seat_order[i] == seat_order[i % n] for i in range(len(seat_order)))


@settings(deadline=None)
@given(scenarios(), st.data())
def test_property_new_absence_replaces_only_that_presenter(
    scenario: Scenario, data: st.DataObject
) -> None:
    before = run(scenario)
    candidates = [
        (meeting, p)
        for meeting in scenario.meetings
        if meeting.id in before
        for p in before[meeting.id]
        if p not in meeting.pinned
    ]
    if not candidates:
        return
    target, p = data.draw(st.sampled_from(candidates))
    meetings = with_meeting(scenario.meetings, target.id, absent=target.absent | {p})
    changed = Scenario(scenario.members, scenario.history, meetings)
    after = run(changed)

    earlier = [m.id for m in in_order(scenario.meetings) if (m.starts_at, m.id) < key(target)]
    assert all(after[mid] == before[mid] for mid in earlier if mid in before)
    assert p not in after[target.id]
    assert set(before[target.id]) - {p} <= set(after[target.id])
    # The freed seat is refilled whenever someone else is available.
    new_target = next(m for m in meetings if m.id == target.id)
    assert len(after[target.id]) == min(target.seats, len(available_at(changed, new_target)))
    assert_safe(changed, after)
    assert_fair(changed, after)


def key(meeting: RotationMeeting) -> tuple[datetime, int]:
    return (meeting.starts_at, meeting.id)
