"""The demo seed gives every group a schedule, history and plans, and is idempotent."""

import pytest

from meetings.choices import MeetingRole
from meetings.demo import schedules as demo
from meetings.health import group_health
from meetings.models import (
    Absence,
    Commitment,
    HotSeat,
    Meeting,
    Pause,
    Preparation,
    RoleAssignment,
    Schedule,
)
from tests.meetings.helpers import make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_demo_seed_is_idempotent_and_writes_history():
    first, _users = make_group(4)
    second, _users = make_group(4)
    demo.seed([])
    counts = [m.objects.count() for m in (Meeting, HotSeat, Commitment, Pause, Schedule)]
    demo.seed([])
    assert [m.objects.count() for m in (Meeting, HotSeat, Commitment, Pause, Schedule)] == counts
    assert Schedule.objects.get(group=first).weekday != Schedule.objects.get(group=second).weekday
    assert set(Pause.objects.values_list("name", flat=True)) == {"Sommerpause", "Weihnachtspause"}
    assert HotSeat.objects.filter(
        meeting__group=first, meeting__series_date__lt="2027-01-01"
    ).exists()
    assert Commitment.objects.filter(meeting__group=first).exists()


def test_the_demo_shows_healthy_groups_and_one_the_organiser_should_look_at():
    groups = [make_group(5)[0] for _ in range(3)]
    demo.seed([])
    health = group_health(group_ids=[g.pk for g in groups])
    flagged = [g for g in groups if health[g.pk].health.signals]
    assert flagged == [groups[1]]
    assert Preparation.objects.filter(meeting__group=groups[0]).exists()
    assert Absence.objects.filter(meeting__group=groups[1]).exists()


def test_the_first_demo_group_rotates_facilitator_and_timekeeper():
    first, second = make_group(5)[0], make_group(5)[0]
    demo.seed([])
    upcoming = Meeting.objects.filter(group=first, starts_at__gt="2027-01-01").order_by("starts_at")
    roles = {
        (row.role, row.meeting_id) for row in RoleAssignment.objects.filter(meeting__in=upcoming)
    }
    assert {role for role, _meeting in roles} == {MeetingRole.FACILITATOR, MeetingRole.TIMEKEEPER}
    assert len(roles) == 2 * upcoming.count()
    assert not RoleAssignment.objects.filter(meeting__group=second).exists()
