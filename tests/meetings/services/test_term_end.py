"""The end of a group's term, downstream in meetings: whoever does not continue loses the
future hot seats (re-planned among those who stay); a group where nobody continues has no
next term's meetings (they are cancelled with the group). The series reaches only to the
term's end; the next term's meetings are created once the term moves on."""

import datetime as dt

import pytest
from django.utils import timezone

from groups.models import Group, GroupStatus, Membership, RenewalAnswer
from groups.services import groups as group_services
from groups.services import renewal
from meetings import services
from meetings.calendar import feed as calendar
from meetings.models import HotSeat, Meeting, MeetingStatus
from tests.factories import IntakeFactory
from tests.meetings.helpers import BERLIN, NOW, make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def group_whose_term_ends_today(members=4):
    group, users = make_group(members)
    make_schedule(group, first_date=dt.date(2026, 11, 3))
    Group.objects.filter(pk=group.pk).update(term_ends_on=NOW.date())
    return group, users


def says(user, group, value):
    Membership.objects.filter(group=group, user=user).update(renewal_answer=value)


def upcoming(group):
    return Meeting.objects.filter(group=group, starts_at__gt=NOW)


def test_a_member_who_does_not_continue_loses_the_future_hot_seats(
    django_capture_on_commit_callbacks,
):
    group, (leaver, stayer, *_rest) = group_whose_term_ends_today()
    says(leaver, group, RenewalAnswer.LEAVE)
    says(stayer, group, RenewalAnswer.CONTINUE)
    assert HotSeat.objects.filter(user=leaver, meeting__in=upcoming(group)).exists()

    with django_capture_on_commit_callbacks(execute=True):
        renewal.sweep()

    assert not HotSeat.objects.filter(user=leaver, meeting__in=upcoming(group)).exists()
    current = set(Membership.objects.current().filter(group=group).values_list("user_id"))
    assert len(current) == 3
    scheduled = upcoming(group).filter(status=MeetingStatus.SCHEDULED)
    assert scheduled.exists()
    for meeting in scheduled:
        assert set(HotSeat.objects.filter(meeting=meeting).values_list("user_id")) <= current


def test_a_group_where_nobody_continues_has_no_next_terms_meetings(
    django_capture_on_commit_callbacks,
):
    group, users = group_whose_term_ends_today(3)
    for user in users:
        says(user, group, RenewalAnswer.LEAVE)
    assert upcoming(group).filter(status=MeetingStatus.SCHEDULED).exists()

    with django_capture_on_commit_callbacks(execute=True):
        renewal.sweep()

    group.refresh_from_db()
    assert group.status == GroupStatus.ENDED
    assert not upcoming(group).filter(status=MeetingStatus.SCHEDULED).exists()


# -- the series follows the term ----------------------------------------------------------

TERM_END = dt.date(2027, 3, 2)  # a Tuesday: the term's last meeting is the week before


def group_with_a_term(members=4, *, term_months=3):
    group, users = make_group(members)
    intake = IntakeFactory(term_months=term_months)
    Group.objects.filter(pk=group.pk).update(intake=intake, term_ends_on=TERM_END)
    group.refresh_from_db()
    make_schedule(group, every_weeks=1)
    return group, users


def local_dates(group, **filters):
    rows = Meeting.objects.filter(group=group, **filters).order_by("starts_at")
    return [m.starts_at.astimezone(BERLIN).date() for m in rows]


def test_meetings_are_created_only_up_to_the_terms_end():
    group, _users = group_with_a_term()
    dates = local_dates(group)
    assert dates[0] == dt.date(2027, 1, 5)
    assert dates[-1] == dt.date(2027, 2, 23)  # the term's end day itself is the next term's
    assert len(dates) == 8


def test_the_daily_sync_does_not_reach_past_the_term(clock):
    group, _users = group_with_a_term()
    clock.move_to(dt.datetime(2027, 2, 10, 10, tzinfo=BERLIN))
    services.sync_all()
    assert local_dates(group)[-1] == dt.date(2027, 2, 23)


def test_when_the_term_moves_on_the_next_terms_meetings_are_created(
    clock, django_capture_on_commit_callbacks
):
    group, users = group_with_a_term()
    says(users[0], group, RenewalAnswer.LEAVE)
    clock.move_to(dt.datetime(2027, 3, 2, 0, 5, tzinfo=BERLIN))
    with django_capture_on_commit_callbacks(execute=True):
        renewal.sweep()
    group.refresh_from_db()
    assert group.term_ends_on == dt.date(2027, 6, 2)
    upcoming_dates = local_dates(group, starts_at__gt=timezone.now(), status="scheduled")
    assert upcoming_dates[0] == TERM_END
    assert upcoming_dates[-1] == dt.date(2027, 6, 1)
    stayers = {u.pk for u in users[1:]}
    seats = HotSeat.objects.filter(meeting__group=group, meeting__starts_at__gt=timezone.now())
    assert set(seats.values_list("user_id", flat=True)) == stayers


def test_a_group_where_nobody_continues_never_gets_meetings_after_its_end(
    clock, django_capture_on_commit_callbacks
):
    group, users = group_with_a_term(3)
    for user in users:
        says(user, group, RenewalAnswer.LEAVE)
    clock.move_to(dt.datetime(2027, 3, 2, 0, 5, tzinfo=BERLIN))
    with django_capture_on_commit_callbacks(execute=True):
        renewal.sweep()
        services.sync_all()
    group.refresh_from_db()
    assert group.status == GroupStatus.ENDED
    assert local_dates(group)[-1] < TERM_END


def test_a_shortened_term_cancels_the_meetings_after_it(django_capture_on_commit_callbacks):
    group, _users = group_with_a_term()
    with django_capture_on_commit_callbacks(execute=True):
        group_services.update_group(group=group, term_ends_on=dt.date(2027, 2, 10))
    held = local_dates(group, status=MeetingStatus.SCHEDULED)
    assert held[-1] == dt.date(2027, 2, 9)
    cancelled = local_dates(group, status=MeetingStatus.CANCELLED)
    assert cancelled == [dt.date(2027, 2, 16), dt.date(2027, 2, 23)]


def test_meetings_created_just_after_local_midnight_reach_the_feed_to_the_horizon(
    clock, client, settings
):
    # 00:30 in Berlin is still the UTC day before: the feed's window must reach as far as
    # the series, which counts its horizon from the local day.
    settings.MEETING_HORIZON_DAYS = 120
    group, (user, *_rest) = make_group(2)
    clock.move_to(dt.datetime(2027, 2, 8, 0, 30, tzinfo=BERLIN))  # a Monday
    make_schedule(group, every_weeks=1)
    last = Meeting.objects.filter(group=group).latest("starts_at")
    assert last.starts_at.astimezone(BERLIN).date() == dt.date(2027, 6, 8)
    body = client.get(calendar.feed_path(calendar.settings_for(user))).content.decode()
    assert f"meeting-{last.pk}@" in body
