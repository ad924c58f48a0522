"""Pinned roles in meetings.domain.rotation.plan_roles: swaps that re-plans keep (pure)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from meetings.domain.rotation import RotationMeeting, RotationMember, plan_roles, plan_rotation
from tests.meetings.domain.test_roles import NOW, A, B, C, D, F, T, member, scenarios, weekly

Pins = dict[int, dict[str, int]]


def plan(members, meetings, pins: Pins, roles=(F, T), role_history=()):
    presenters = plan_rotation(members=members, history=[], meetings=meetings, now=NOW)
    held = plan_roles(
        members=members,
        history=role_history,
        meetings=meetings,
        presenters=presenters,
        roles=roles,
        now=NOW,
        pinned=pins,
    )
    return presenters, held


# --- examples -------------------------------------------------------------------------------


def test_pins_hold_where_their_holder_is_free() -> None:
    members = [member(A), member(B), member(C), member(D)]
    meetings = weekly(3)
    _, before = plan(members, meetings, {})
    pins = {102: {F: before[103][F]}, 103: {F: before[102][F]}}
    presenters, after = plan(members, meetings, pins)
    assert after[102][F] == before[103][F] and after[103][F] == before[102][F]
    assert after[101] == before[101]
    assert all(not set(after[m]) - {F, T} for m in after)
    assert all(not set(after[m].values()) & set(presenters[m]) for m in after)


def test_an_absent_or_departed_pinned_holder_is_replanned() -> None:
    members = [member(A), member(B), member(C), member(D, left=10)]
    meetings = weekly(2)
    meetings[0] = replace(meetings[0], absent=frozenset({C}))
    _, after = plan(members, meetings, {101: {T: C}, 102: {T: D}})
    assert after[101][T] != C and after[102][T] != D
    assert set(after[101]) == set(after[102]) == {F, T}


def test_a_pin_gives_way_to_keep_a_presenter_free_but_not_when_nobody_else_is_there() -> None:
    meetings = weekly(1)
    _, roomy = plan([member(A), member(B), member(C)], meetings, {101: {F: A}})
    assert roomy[101][F] != A  # A presents at 101
    alone = [replace(meetings[0], absent=frozenset({B}))]
    _, tight = plan([member(A), member(B)], alone, {101: {F: A}})
    assert tight[101] == {F: A, T: A}


def test_a_pin_for_a_role_the_group_does_not_rotate_is_ignored() -> None:
    _, held = plan([member(A), member(B), member(C)], weekly(1), {101: {T: B}}, roles=(F,))
    assert set(held[101]) == {F}


def test_two_pins_on_one_person_hold_only_the_first_when_others_are_free() -> None:
    _, held = plan([member(A), member(B), member(C), member(D)], weekly(1), {101: {F: B, T: B}})
    assert held[101][F] == B and held[101][T] not in (A, B)


# --- properties -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pinned:
    members: list[RotationMember]
    meetings: list[RotationMeeting]
    role_history: list[tuple[datetime, str, int]]
    roles: tuple[str, ...]
    pins: Pins


@st.composite
def pinned_scenarios(draw: st.DrawFn) -> Pinned:
    s = draw(scenarios())
    ids = [m.id for m in s.members] + [999]  # 999: somebody who is not in the group
    pins: Pins = {}
    for meeting in s.meetings:
        chosen = draw(st.dictionaries(st.sampled_from((F, T)), st.sampled_from(ids), max_size=2))
        if chosen:
            pins[meeting.id] = chosen
    return Pinned(s.members, s.meetings, s.role_history, s.roles, pins)


def free_at(s: Pinned, meeting: RotationMeeting) -> set[int]:
    return {
        m.id for m in s.members if m.is_member_at(meeting.starts_at) and m.id not in meeting.absent
    }


def future(s: Pinned) -> list[RotationMeeting]:
    return sorted((m for m in s.meetings if m.starts_at > NOW), key=lambda m: (m.starts_at, m.id))


def order(s: Pinned, meeting: RotationMeeting, held: dict[str, int]) -> list[str]:
    """The pins that held first, then the other roles (each in role order)."""
    pins = s.pins.get(meeting.id, {})
    kept = [r for r in s.roles if r in held and pins.get(r) == held[r]]
    return kept + [r for r in s.roles if r not in kept]


def candidates(free: set[int], seated: set[int], taken: set[int]) -> set[int]:
    return next((t for t in (free - seated - taken, free - seated, free) if t), set())


@settings(deadline=None, max_examples=300)
@given(pinned_scenarios())
def test_property_pins_hold_unless_absent_departed_or_presenting(s: Pinned) -> None:
    presenters, held = plan(s.members, s.meetings, s.pins, s.roles, s.role_history)
    for meeting in future(s):
        free, seated, roles = free_at(s, meeting), set(presenters[meeting.id]), held[meeting.id]
        assert set(roles) == (set(s.roles) if free else set())
        assert set(roles.values()) <= free
        if len(free) > len(seated):
            assert not set(roles.values()) & seated  # never presenter and role holder
        if len(free) >= len(seated) + len(s.roles):
            assert len(set(roles.values())) == len(roles)
        honoured: set[int] = set()
        for role in s.roles:
            pin = s.pins.get(meeting.id, {}).get(role)
            if pin is None:
                continue
            if pin not in free:
                assert roles.get(role) != pin  # absent or not a member: re-planned
            elif pin not in seated and pin not in honoured:
                assert roles[role] == pin  # a free holder keeps their pinned role
                honoured.add(pin)
            elif len(free) > len(seated) and pin in seated:
                assert roles[role] != pin


@settings(deadline=None, max_examples=300)
@given(pinned_scenarios())
def test_property_unpinned_holders_are_least_recently_served(s: Pinned) -> None:
    presenters, held = plan(s.members, s.meetings, s.pins, s.roles, s.role_history)
    last: dict[tuple[str, int], datetime] = {}
    for when, role, member_id in s.role_history:
        last[role, member_id] = max(when, last.get((role, member_id), when))
    for meeting in future(s):
        free, seated, roles = free_at(s, meeting), set(presenters[meeting.id]), held[meeting.id]
        taken: set[int] = set()
        for role in order(s, meeting, roles):
            if role not in roles:
                continue
            pool, holder = candidates(free, seated, taken), roles[role]
            assert holder in pool
            if s.pins.get(meeting.id, {}).get(role) != holder:
                for q in pool - {holder}:
                    mine, theirs = last.get((role, holder)), last.get((role, q))
                    assert not (theirs is None and mine is not None)
                    assert theirs is None or mine is None or not theirs < mine
            taken.add(holder)
        for role, holder in roles.items():
            last[role, holder] = meeting.starts_at


@settings(deadline=None, max_examples=200)
@given(scenarios(), st.data())
def test_property_an_accepted_swap_holds_and_an_absence_undoes_it(s, data) -> None:
    """Swap role r between the holders a (at m1) and b (at m2) of a plan, as accepting does;
    both pins hold while each is free at the other meeting; marking one absent there gives
    the role to somebody else."""
    base = Pinned(s.members, s.meetings, s.role_history, s.roles, {})
    presenters, before = plan(s.members, s.meetings, {}, s.roles, s.role_history)
    pairs = [
        (role, m1, m2)
        for role in s.roles
        for m1 in future(base)
        for m2 in future(base)
        if m1.id != m2.id
        and role in before[m1.id]
        and role in before[m2.id]
        and before[m1.id][role] != before[m2.id][role]
    ]
    if not pairs:
        return
    role, m1, m2 = data.draw(st.sampled_from(pairs))
    a, b = before[m1.id][role], before[m2.id][role]
    if b not in free_at(base, m1) or a not in free_at(base, m2):
        return  # the service refuses such a swap
    if b in presenters[m1.id] or a in presenters[m2.id]:
        return  # refused as well while the group is large enough
    pins = {m1.id: {role: b}, m2.id: {role: a}}
    _, after = plan(s.members, s.meetings, pins, s.roles, s.role_history)
    assert after[m1.id][role] == b and after[m2.id][role] == a
    gone = [replace(m, absent=m.absent | {b}) if m.id == m1.id else m for m in s.meetings]
    _, undone = plan(s.members, gone, pins, s.roles, s.role_history)
    assert undone[m1.id].get(role) != b
    if free_at(base, m1) - {b}:
        assert role in undone[m1.id]


@settings(deadline=None)
@given(pinned_scenarios(), st.randoms(use_true_random=False))
def test_property_pins_keep_the_plan_deterministic(s: Pinned, rnd) -> None:
    shuffled = (
        rnd.sample(s.members, len(s.members)),
        rnd.sample(s.meetings, len(s.meetings)),
        s.pins,
        s.roles,
        rnd.sample(s.role_history, len(s.role_history)),
    )
    assert plan(*shuffled) == plan(s.members, s.meetings, s.pins, s.roles, s.role_history)
