"""The end of a group's term, downstream in meetings: whoever does not continue loses the
future hot seats (re-planned among those who stay); a group where nobody continues has no
next term's meetings (they are cancelled with the group)."""

import datetime as dt

import pytest

from groups.models import Group, GroupStatus, Membership, RenewalAnswer
from groups.services import renewal
from meetings.models import HotSeat, Meeting, MeetingStatus
from tests.meetings.helpers import NOW, make_group, make_schedule

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
