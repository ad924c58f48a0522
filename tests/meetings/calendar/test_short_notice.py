"""Every current member hears of a move or cancellation within 72 hours of a meeting."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from meetings.calendar.feed import set_calendar_invitations
from meetings.calendar.invitations import KIND_SHORT_NOTICE, collect
from meetings.models import MeetingStatus
from tests.meetings.calendar.helpers import (
    NOW,
    local,
    make_meeting,
    make_member,
    run_sweep,
    sent_to,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def group_of_three():
    first = make_member(display_name="Anna A")
    group = first.memberships.get().group
    second = make_member(group, display_name="Ben B")
    set_calendar_invitations(user=second, enabled=False)
    third = make_member(group, display_name="Cem C")
    set_calendar_invitations(user=third, enabled=True)
    return group, [first, second, third]


def short_notice_rows(now=NOW):
    return sorted(
        (row.dedup_key for row in collect(now) if row.kind == KIND_SHORT_NOTICE),
    )


def move_to(meeting, starts_at):
    meeting.ends_at = starts_at + (meeting.ends_at - meeting.starts_at)
    meeting.starts_at = starts_at
    meeting.sequence += 1
    meeting.time_changed_at = timezone.now()
    meeting.save()


def test_move_within_72_hours_emails_every_member_whatever_they_chose():
    group, members = group_of_three()
    meeting = make_meeting(group, local(2027, 3, 11))
    move_to(meeting, local(2027, 3, 12, 18))

    stamp, start = int(NOW.timestamp() * 1_000_000), int(local(2027, 3, 12, 18).timestamp())
    assert short_notice_rows() == sorted(
        f"short_notice:{meeting.pk}:{member.pk}:moved:{stamp}:{start}" for member in members
    )
    run_sweep()
    for member in members:
        (message,) = [m for m in sent_to(member.email) if "short notice" in m.subject]
        assert "Moved at short notice" in message.subject
        assert "Friday, March 12, 2027, 6 p.m." in message.body
        assert f"/meetings/{meeting.pk}/" in message.body
    assert short_notice_rows() == []


def test_cancellation_within_72_hours_emails_every_member():
    group, members = group_of_three()
    meeting = make_meeting(group, local(2027, 3, 12))
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = "Krankheit"
    meeting.sequence += 1
    meeting.save()

    run_sweep()

    for member in members:
        notices = [m for m in sent_to(member.email) if "short notice" in m.subject]
        assert len(notices) == 1
        assert "Cancelled at short notice" in notices[0].subject
        assert "Krankheit" in notices[0].body


def test_second_short_notice_move_is_announced_again(frozen):
    group, _members = group_of_three()
    meeting = make_meeting(group, local(2027, 3, 11))
    move_to(meeting, local(2027, 3, 12))
    run_sweep()
    frozen.shift(dt.timedelta(minutes=5))
    move_to(meeting, local(2027, 3, 12, 20))
    assert len(short_notice_rows()) == 3


def test_changes_further_out_send_no_short_notice():
    group, _members = group_of_three()
    moved = make_meeting(group, local(2027, 3, 24))
    move_to(moved, local(2027, 3, 25))
    cancelled = make_meeting(group, local(2027, 3, 31), status=MeetingStatus.CANCELLED)
    assert cancelled.pk and short_notice_rows() == []


def test_a_move_made_well_before_does_not_count_when_the_meeting_comes_near(frozen):
    group, _members = group_of_three()
    meeting = make_meeting(group, local(2027, 3, 20))
    move_to(meeting, local(2027, 3, 21))  # 11 days ahead: not short notice
    frozen.move_to(local(2027, 3, 19, 12))
    assert short_notice_rows(local(2027, 3, 19, 12)) == []


def test_members_who_left_and_started_meetings_get_none(frozen):
    group, members = group_of_three()
    members[0].memberships.update(left_at=NOW - dt.timedelta(minutes=1))
    meeting = make_meeting(group, local(2027, 3, 11))
    move_to(meeting, local(2027, 3, 11, 20))
    assert len(short_notice_rows()) == 2
    assert short_notice_rows(local(2027, 3, 11, 20, 1)) == []


def test_unchanged_meetings_send_nothing():
    group, _members = group_of_three()
    make_meeting(group, local(2027, 3, 11))
    assert short_notice_rows() == []
    run_sweep()
    assert not [m for m in mail.outbox if "short notice" in m.subject]
