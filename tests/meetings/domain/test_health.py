"""Tests for meetings.domain.health (pure Python, no Django needed): rates and signals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from meetings.domain.health import (
    ABSENT_IN_A_ROW,
    DONE,
    LOW_ATTENDANCE,
    NOT_DONE,
    OPEN,
    UNPREPARED_HOT_SEATS,
    WINDOW,
    HeldMeeting,
    Share,
    assess,
)

START = datetime(2027, 1, 5, 18, 0, tzinfo=UTC)
A, B, C, D, E = 1, 2, 3, 4, 5
GROUP = frozenset({A, B, C, D, E})


def held(n: int, *, absent=(), presenters=(A,), prepared=None, commitments=(), expected=GROUP):
    """The n-th held meeting (every two weeks); presenters prepared unless said otherwise."""
    return HeldMeeting(
        starts_at=START + timedelta(weeks=2 * n),
        expected=frozenset(expected),
        absent=frozenset(absent),
        presenters=tuple(presenters),
        prepared=frozenset(presenters if prepared is None else prepared),
        commitments=tuple(commitments),
    )


def kinds(health) -> list[str]:
    return [signal.kind for signal in health.signals]


# -- figures ---------------------------------------------------------------------------


def test_share_percent_rounds_half_up_and_nothing_has_no_percent():
    assert Share(1, 8).percent == 13  # 12.5
    assert Share(5, 8).percent == 63  # 62.5
    assert Share(2, 3).percent == 67
    assert Share(0, 0).percent is None
    assert not Share(0, 0).below(60)


def test_attendance_counts_only_expected_members():
    health = assess([held(0, absent={B, 99}, expected={A, B, C, D})])
    assert health.attendance == Share(3, 4)  # 99 was not a member then: not counted


def test_the_window_is_the_last_six_held_meetings_in_order():
    meetings = [held(n, absent={A} if n == 0 else ()) for n in range(WINDOW + 2)]
    health = assess(list(reversed(meetings)))
    assert len(health.meetings) == WINDOW
    assert [f.starts_at for f in health.meetings] == [m.starts_at for m in meetings[2:]]
    assert health.attendance == Share(5 * WINDOW, 5 * WINDOW)  # the absence fell out


def test_preparation_counts_hot_seats_with_a_preparation():
    health = assess([held(0, presenters=(A, B), prepared={A}), held(1, presenters=(C,))])
    assert health.preparation == Share(2, 3)
    assert [f.preparation for f in health.meetings] == [Share(1, 2), Share(1, 1)]


def test_commitments_are_due_once_the_next_meeting_was_held_or_they_were_marked():
    first = held(0, commitments=(DONE, NOT_DONE, OPEN))  # the open one was not kept
    latest = held(1, commitments=(DONE, OPEN, OPEN))  # open ones here are not due yet
    health = assess([first, latest])
    assert [f.commitments for f in health.meetings] == [Share(1, 3), Share(1, 1)]
    assert health.commitments == Share(2, 4)
    assert assess([held(0, commitments=(OPEN,))]).commitments.percent is None


def test_a_group_without_held_meetings_has_no_figures_and_no_signals():
    health = assess([], current_members={A, B})
    assert health.meetings == () and health.attendance.percent is None
    assert not health.needs_attention


# -- signals ---------------------------------------------------------------------------


def test_low_attendance_in_two_of_the_last_three_meetings():
    two_of_five_away = {A, B}  # 3 of 5 = 60 %: not under 60
    three_away = {A, B, C}  # 2 of 5 = 40 %
    fine = assess([held(0, absent=three_away), held(1), held(2, absent=two_of_five_away)])
    assert LOW_ATTENDANCE not in kinds(fine)
    low = assess([held(0, absent=three_away), held(1), held(2, absent=three_away)])
    assert low.signals[0].kind == LOW_ATTENDANCE
    assert (low.signals[0].count, low.signals[0].of) == (2, 3)


def test_low_attendance_looks_only_at_the_last_three():
    away = {A, B, C}
    old = assess([held(0, absent=away), held(1, absent=away), held(2), held(3), held(4)])
    assert LOW_ATTENDANCE not in kinds(old)
    two_held = assess([held(0, absent=away), held(1, absent=away)])
    assert two_held.signals[0].of == 2  # with only two meetings held, both count


def test_two_unprepared_hot_seats_in_a_row():
    one = assess([held(0), held(1), held(2, prepared=())])
    assert UNPREPARED_HOT_SEATS not in kinds(one)
    two = assess([held(0), held(1, prepared=()), held(2, prepared=())])
    assert kinds(two) == [UNPREPARED_HOT_SEATS]
    earlier = assess([held(0, prepared=()), held(1, prepared=()), held(2)])
    assert UNPREPARED_HOT_SEATS not in kinds(earlier)  # the latest seat was prepared


def test_unprepared_hot_seats_count_seat_by_seat_within_a_meeting():
    health = assess([held(0, presenters=(A, B), prepared=())])
    assert kinds(health) == [UNPREPARED_HOT_SEATS]
    meeting_without_seat = assess([held(0, prepared=()), held(1, presenters=())])
    assert UNPREPARED_HOT_SEATS not in kinds(meeting_without_seat)  # only one seat yet


def test_a_member_absent_three_times_in_a_row():
    twice = assess([held(0), held(1, absent={B}), held(2, absent={B})], current_members=GROUP)
    assert ABSENT_IN_A_ROW not in kinds(twice)
    thrice = assess(
        [held(0, absent={B}), held(1, absent={B}), held(2, absent={B})], current_members=GROUP
    )
    assert [(s.kind, s.user_id, s.count) for s in thrice.signals] == [(ABSENT_IN_A_ROW, B, 3)]
    back = assess(
        [held(0, absent={B}), held(1, absent={B}), held(2, absent={B}), held(3)],
        current_members=GROUP,
    )
    assert ABSENT_IN_A_ROW not in kinds(back)


def test_absences_count_only_meetings_the_member_was_expected_at_and_current_members():
    before_joining = {A, C, D, E}  # B joined for the last three meetings only
    meetings = [
        held(0, expected=before_joining),
        held(1, absent={B}),
        held(2, absent={B}),
        held(3, absent={B}),
    ]
    assert [s.user_id for s in assess(meetings, current_members=GROUP).signals] == [B]
    assert assess(meetings, current_members=GROUP - {B}).signals == ()  # B has left


@given(
    st.lists(
        st.tuples(st.sets(st.sampled_from(sorted(GROUP))), st.booleans()), min_size=0, max_size=9
    )
)
def test_shares_stay_within_their_whole(facts):
    meetings = [
        held(n, absent=away, prepared=() if not ok else None) for n, (away, ok) in enumerate(facts)
    ]
    health = assess(meetings, current_members=GROUP)
    for share in (health.attendance, health.preparation, health.commitments):
        assert 0 <= share.part <= share.whole
        assert share.percent is None or 0 <= share.percent <= 100
    assert len(health.meetings) == min(len(facts), WINDOW)
