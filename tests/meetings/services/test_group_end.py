"""Ending a group: its future meetings are cancelled, its series stops, and it shows
nowhere among upcoming meetings; members hear once, invitees get a CANCEL per meeting."""

import datetime as dt

import pytest
from django.urls import reverse

from groups import services as groups_services
from mastermind import outbox
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification
from meetings import services
from meetings.calendar.feed import set_calendar_invitations
from meetings.calendar.invitations import KIND_CANCEL, KIND_INVITATION, collect
from meetings.models import HotSeat, Meeting, MeetingStatus, Pause
from meetings.services.schedule import sync_all
from tests.factories import StaffFactory
from tests.meetings.helpers import NOW, deliver_all, future, make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def end(group, capture):
    with capture(execute=True):
        groups_services.end_group(group=group)


def test_ending_cancels_every_future_meeting_and_keeps_the_past(
    clock, django_capture_on_commit_callbacks
):
    group, _users = make_group(4)
    make_schedule(group, first_date=dt.date(2026, 11, 3))
    past = list(Meeting.objects.filter(group=group, starts_at__lte=NOW))
    upcoming = future(group)
    moved = upcoming[3]
    services.move_meeting(
        meeting=moved, starts_at=moved.starts_at + dt.timedelta(days=2), reason=""
    )
    before = dict(Meeting.objects.values_list("pk", "sequence"))
    Notification.objects.all().delete()  # what the move sent is not the point here

    end(group, django_capture_on_commit_callbacks)

    assert future(group) == []
    cancelled = Meeting.objects.filter(group=group, starts_at__gt=NOW)
    assert {m.status for m in cancelled} == {MeetingStatus.CANCELLED}
    assert all(m.sequence > before[m.pk] for m in cancelled)
    assert not HotSeat.objects.filter(meeting__in=cancelled).exists()
    assert {m.status for m in Meeting.objects.filter(pk__in=[m.pk for m in past])} == {
        MeetingStatus.SCHEDULED
    }
    # Members hear once (the "group ended" email), not once per cancelled meeting.
    assert not Notification.objects.filter(kind=EmailKind.MEETING_CHANGED, meeting__in=cancelled)
    assert Notification.objects.filter(kind=EmailKind.GROUP_ENDED).count() == 4


def test_daily_sync_creates_nothing_for_an_ended_group(clock, django_capture_on_commit_callbacks):
    group, _users = make_group(4)
    schedule = make_schedule(group)
    end(group, django_capture_on_commit_callbacks)
    count = Meeting.objects.filter(group=group).count()
    for days in (1, 15, 30, 60):
        clock.move_to(NOW + dt.timedelta(days=days))
        sync_all()
        services.sync_meetings(schedule=schedule)  # an edit in the admin, too
    assert Meeting.objects.filter(group=group).count() == count
    assert not Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED).exclude(
        starts_at__lte=NOW
    )


def test_invitees_get_one_cancel_per_invited_meeting(clock, django_capture_on_commit_callbacks):
    group, users = make_group(3)
    make_schedule(group)
    set_calendar_invitations(user=users[0], enabled=True)
    invited = outbox.claim_many(collect(NOW))
    assert invited
    for pk in invited:
        outbox.deliver(pk)
    invited_meetings = set(
        Notification.objects.filter(kind=KIND_INVITATION).values_list("subject_id", flat=True)
    )

    clock.move_to(NOW + dt.timedelta(minutes=1))
    end(group, django_capture_on_commit_callbacks)
    rows = collect(NOW + dt.timedelta(minutes=2))
    assert {r.kind for r in rows} == {KIND_CANCEL}
    assert {r.subject_id for r in rows} == invited_meetings
    assert {r.user_id for r in rows} == {users[0].pk}
    outbox.claim_many(rows)
    assert collect(NOW + dt.timedelta(minutes=3)) == []


def test_ended_group_shows_nowhere_among_upcoming_meetings(
    client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    group, users = make_group(4)
    make_schedule(group)
    other, _others = make_group(4)
    make_schedule(other)
    end(group, django_capture_on_commit_callbacks)
    deliver_all()

    client.force_login(StaffFactory())
    with django_assert_max_num_queries(10):
        overview = client.get(reverse("meetings:overview"))
    shown = {m.group_id for m in overview.context["next_meetings"]}
    assert shown == {other.pk}
    page = client.get(reverse("groups:group_detail", args=[group.pk]))
    assert page.context["upcoming_meetings"] == []

    client.force_login(users[0])  # a former member sees neither the group nor its meetings
    assert client.get(reverse("groups:group_detail", args=[group.pk])).status_code == 404
    home = client.get("/")
    assert group.name not in home.content.decode()


def test_a_group_pause_does_the_same_for_its_span(client, clock):
    group, users = make_group(3)
    make_schedule(group)
    set_calendar_invitations(user=users[0], enabled=True)
    for pk in outbox.claim_many(collect(NOW)):
        outbox.deliver(pk)
    span = (dt.date(2027, 1, 18), dt.date(2027, 2, 7))
    clock.move_to(NOW + dt.timedelta(minutes=1))
    Pause.objects.create(name="Winterpause", group=group, start_date=span[0], end_date=span[1])
    services.sync_after_pause_change(group=group)

    paused = [m for m in Meeting.objects.filter(group=group) if span[0] <= m.series_date <= span[1]]
    assert paused and {m.status for m in paused} == {MeetingStatus.SKIPPED}
    assert not HotSeat.objects.filter(meeting__in=paused).exists()
    client.force_login(StaffFactory())
    shown = {m.pk for m in client.get(reverse("meetings:overview")).context["next_meetings"]}
    assert shown and not shown & {m.pk for m in paused}
    cancels = {
        r.subject_id for r in collect(NOW + dt.timedelta(minutes=2)) if r.kind == KIND_CANCEL
    }
    assert cancels == {m.pk for m in paused}
