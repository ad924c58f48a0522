"""meetings.health: the facts of the last held meetings from the database, and the reasons."""

import datetime as dt

import pytest
from django.utils import translation

from meetings.domain import health as rules
from meetings.health import group_health, reasons
from meetings.models import CommitmentStatus, MeetingStatus
from tests.factories import (
    AbsenceFactory,
    CommitmentFactory,
    HotSeatFactory,
    MeetingFactory,
    PreparationFactory,
)
from tests.meetings.helpers import NOW, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _meeting(group, weeks_ago: float, **fields):
    return MeetingFactory(group=group, starts_at=NOW - dt.timedelta(weeks=weeks_ago), **fields)


def test_the_domain_speaks_the_models_commitment_statuses():
    assert (rules.OPEN, rules.DONE, rules.NOT_DONE) == (
        CommitmentStatus.OPEN,
        CommitmentStatus.DONE,
        CommitmentStatus.NOT_DONE,
    )


def test_only_the_last_six_held_meetings_count():
    group, users = make_group(2)
    for weeks in range(1, 9):  # eight held, the oldest two fall out of the window
        meeting = _meeting(group, weeks)
        if weeks > 6:
            AbsenceFactory(meeting=meeting, user=users[0])
    for status in (MeetingStatus.CANCELLED, MeetingStatus.SKIPPED):
        AbsenceFactory(meeting=_meeting(group, 0.5, status=status), user=users[0])
    AbsenceFactory(meeting=_meeting(group, -1), user=users[0])  # ahead: not held
    health = group_health(group_ids=[group.pk])[group.pk].health
    assert len(health.meetings) == 6
    assert health.attendance == rules.Share(12, 12)


def test_facts_come_from_hot_seats_preparations_absences_and_commitments():
    group, (a, b, c, _d) = make_group(4)
    older, latest = _meeting(group, 4), _meeting(group, 2)
    HotSeatFactory(meeting=older, user=a)
    PreparationFactory(meeting=older, user=a)
    HotSeatFactory(meeting=latest, user=b)
    AbsenceFactory(meeting=latest, user=c)
    CommitmentFactory(meeting=older, user=a, status=CommitmentStatus.DONE)
    CommitmentFactory(meeting=older, user=b)  # still open after the next meeting: not done
    CommitmentFactory(meeting=latest, user=a)  # open, not due yet
    health = group_health(group_ids=[group.pk])[group.pk].health
    assert [f.preparation for f in health.meetings] == [rules.Share(1, 1), rules.Share(0, 1)]
    assert [f.attendance for f in health.meetings] == [rules.Share(4, 4), rules.Share(3, 4)]
    assert health.commitments == rules.Share(1, 2)


def test_many_groups_take_six_queries(django_assert_num_queries):
    ids = []
    for _ in range(10):
        group, users = make_group(3)
        for weeks in range(1, 8):
            meeting = _meeting(group, weeks)
            HotSeatFactory(meeting=meeting, user=users[weeks % 3])
            CommitmentFactory(meeting=meeting, user=users[0])
        ids.append(group.pk)
    with django_assert_num_queries(6):
        found = group_health(group_ids=ids)
    assert set(found) == set(ids)
    assert all(len(found[pk].health.meetings) == 6 for pk in ids)


def test_a_member_who_left_is_not_flagged_and_reasons_name_the_member():
    group, (a, b, _c) = make_group(3)
    for weeks in (6, 4, 2):
        meeting = _meeting(group, weeks)
        AbsenceFactory(meeting=meeting, user=a)
        AbsenceFactory(meeting=meeting, user=b)
    group.memberships.filter(user=b).update(left_at=NOW - dt.timedelta(days=1))
    with translation.override("en"):
        found = group_health(group_ids=[group.pk])[group.pk]
    assert found.needs_attention
    assert found.reasons == (
        "Attendance under 60 % in 3 of the last 3 meetings.",  # 1 of 3 came
        f"{a} missed the last 3 meetings in a row.",
    )


def test_reasons_in_german():
    signals = [
        rules.Signal(rules.LOW_ATTENDANCE, count=3, of=3),
        rules.Signal(rules.UNPREPARED_HOT_SEATS, count=2),
        rules.Signal(rules.ABSENT_IN_A_ROW, count=3, user_id=7),
    ]
    with translation.override("de"):
        assert reasons(signals, {7: "Bea Berger"}) == [
            "Teilnahme unter 60 % bei 3 der letzten 3 Treffen.",
            "Die letzten 2 Hot Seats in Folge waren nicht vorbereitet.",
            "Bea Berger hat die letzten 3 Treffen in Folge verpasst.",
        ]


def test_a_group_without_meetings_is_healthy_and_has_no_figures():
    group, _users = make_group(2)
    found = group_health(group_ids=[group.pk])[group.pk]
    assert not found.needs_attention and found.health.attendance.percent is None
