"""Calendar invitations by email (iMIP, RFC 6047) through the outbox."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from mastermind import outbox
from mastermind.outbox.models import Notification, NotificationStatus
from meetings.calendar import invitations
from meetings.calendar import notifications as notifications_calendar
from meetings.calendar.feed import set_calendar_invitations, settings_for
from meetings.calendar.invitations import KIND_CANCEL, KIND_INVITATION, collect
from meetings.models import MeetingStatus
from tests.factories import GroupFactory, HotSeatFactory
from tests.meetings.calendar.helpers import (
    NOW,
    calendar_parts,
    events,
    feed_url,
    local,
    make_meeting,
    make_member,
    parse,
    parse_with_ical_js,
    run_sweep,
    uid,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def invited_member(group=None, **fields):
    member = make_member(group, **fields)
    set_calendar_invitations(user=member, enabled=True)
    return member


def keys(rows):
    return sorted(row.dedup_key for row in rows)


def move(meeting, days=1):
    meeting.starts_at += dt.timedelta(days=days)
    meeting.ends_at += dt.timedelta(days=days)
    meeting.sequence += 1
    meeting.time_changed_at = timezone.now()
    meeting.save()


def test_request_for_members_who_want_invitations_within_the_window_only(settings):
    settings.CALENDAR_INVITATION_WINDOW_DAYS = 56
    wants = invited_member()
    group = wants.memberships.get().group
    make_member(group)  # preference off (no settings row at all)
    off = make_member(group)
    set_calendar_invitations(user=off, enabled=False)
    soon = make_meeting(group, local(2027, 4, 20))
    make_meeting(group, local(2027, 5, 18))  # beyond 56 days
    make_meeting(group, local(2027, 3, 1))  # past
    make_meeting(group, local(2027, 3, 23), status=MeetingStatus.SKIPPED)

    rows = collect(NOW)

    assert keys(rows) == [f"invitation:{soon.pk}:{wants.pk}:0"]
    (row,) = rows
    assert row.pk is None
    assert (row.kind, row.user_id, row.email, row.subject_id) == (
        KIND_INVITATION,
        wants.pk,
        wants.email,
        soon.pk,
    )


def test_window_setting_is_read_with_a_default(settings):
    assert invitations.invitation_window() == dt.timedelta(days=56)
    settings.CALENDAR_INVITATION_WINDOW_DAYS = 7
    assert invitations.invitation_window() == dt.timedelta(days=7)


def test_invitation_email_carries_a_request_with_organizer_attendee_and_the_feed_uid(
    client, settings
):
    settings.DEFAULT_FROM_EMAIL = "Mastermind Team <team@mastermind.test>"
    member = invited_member(display_name="Ada Lovelace")
    meeting = make_meeting(member.memberships.get().group, local(2027, 3, 30), presenter=member)

    run_sweep()

    (message,) = mail.outbox
    assert message.to == [member.email]
    assert "Invitation:" in message.subject
    assert message.alternatives[0].mimetype == "text/html"
    parts = calendar_parts(message)
    assert len(parts) == 2
    (alt_type, alt_name, alt_body), (att_type, att_name, att_body) = parts
    assert alt_name is None
    assert att_name == "invite.ics"
    for content_type in (alt_type, att_type):
        assert content_type.replace('"', "") == "text/calendar; method=REQUEST; charset=utf-8"
    assert alt_body == att_body

    calendar = parse(att_body)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = events(att_body)[uid(meeting)]
    assert str(event["ORGANIZER"]) == "mailto:team@mastermind.test"
    assert event["ORGANIZER"].params["CN"] == "Mastermind Team"
    assert str(event["ATTENDEE"]) == f"mailto:{member.email}"
    assert event["ATTENDEE"].params["CN"] == "Ada Lovelace"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].dt == local(2027, 3, 30)  # across the DST change, still 19:00
    feed_event = events(client.get(feed_url(member)).content)[uid(meeting)]
    assert str(feed_event["UID"]) == str(event["UID"])

    result = parse_with_ical_js(att_body)
    assert result["method"] == "REQUEST"
    (item,) = result["events"]
    assert item["organizer"]["value"] == "mailto:team@mastermind.test"
    assert [a["value"] for a in item["attendees"]] == [f"mailto:{member.email}"]
    assert item["start"]["local"] == "2027-03-30T19:00:00"
    assert item["start"]["utc"] == "2027-03-30T17:00:00Z"


def test_request_is_sent_once_per_meeting_version():
    member = invited_member()
    make_meeting(member.memberships.get().group, local(2027, 3, 30))
    run_sweep()
    assert collect(NOW) == []
    run_sweep(NOW + dt.timedelta(minutes=1))
    assert len(mail.outbox) == 1


def test_changed_meeting_is_resent_with_a_higher_sequence(frozen):
    member = invited_member()
    meeting = make_meeting(member.memberships.get().group, local(2027, 3, 30))
    run_sweep()
    frozen.shift(dt.timedelta(minutes=1))
    move(meeting)
    HotSeatFactory(meeting=meeting, user=member)

    assert keys(collect(NOW)) == [f"invitation:{meeting.pk}:{member.pk}:1"]
    run_sweep()

    first, second = (events(calendar_parts(m)[1][2])[uid(meeting)] for m in mail.outbox)
    assert (first["SEQUENCE"], second["SEQUENCE"]) == (0, 1)
    assert second["DTSTART"].dt == local(2027, 3, 31)
    assert "Updated:" in mail.outbox[1].subject


@pytest.mark.parametrize("status", [MeetingStatus.CANCELLED, MeetingStatus.SKIPPED])
def test_cancel_after_an_invitation_was_sent(frozen, status):
    member = invited_member()
    meeting = make_meeting(member.memberships.get().group, local(2027, 3, 30))
    run_sweep()
    frozen.shift(dt.timedelta(minutes=1))
    meeting.status = status
    meeting.sequence += 1
    meeting.save()

    rows = collect(NOW)
    assert keys(rows) == [f"invitation_cancel:{meeting.pk}:{member.pk}:1"]
    run_sweep()
    assert collect(NOW) == []

    cancel = mail.outbox[1]
    parts = calendar_parts(cancel)
    assert [p[0].replace('"', "") for p in parts] == [
        "text/calendar; method=CANCEL; charset=utf-8"
    ] * 2
    body = parts[1][2]
    assert str(parse(body)["METHOD"]) == "CANCEL"
    event = events(body)[uid(meeting)]
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 1)
    result = parse_with_ical_js(body)
    assert result["method"] == "CANCEL"
    assert [(e["uid"], e["status"]) for e in result["events"]] == [(uid(meeting), "CANCELLED")]


def test_no_cancel_without_a_sent_invitation():
    member = invited_member()
    make_meeting(member.memberships.get().group, local(2027, 3, 30), status=MeetingStatus.CANCELLED)
    assert collect(NOW) == []


def test_member_who_left_gets_a_cancel_for_invited_meetings(frozen):
    member = invited_member()
    membership = member.memberships.get()
    meeting = make_meeting(membership.group, local(2027, 3, 30))
    run_sweep()
    frozen.shift(dt.timedelta(minutes=1))
    membership.left_at = NOW
    membership.save()

    assert keys(collect(NOW + dt.timedelta(minutes=1))) == [
        f"invitation_cancel:{meeting.pk}:{member.pk}:0"
    ]


def test_no_invitations_when_the_preference_is_off():
    member = make_member()
    make_meeting(member.memberships.get().group, local(2027, 3, 30))
    settings_for(member)
    assert collect(NOW) == []


def test_builder_skips_when_preference_was_turned_off_before_sending():
    member = invited_member()
    make_meeting(member.memberships.get().group, local(2027, 3, 30))
    ids = outbox.claim_many(collect(NOW))
    set_calendar_invitations(user=member, enabled=False)
    outbox.deliver(ids[0])
    assert mail.outbox == []
    assert Notification.objects.get().status == NotificationStatus.SKIPPED


def test_builder_skips_an_outdated_version_and_a_former_member():
    member = invited_member()
    membership = member.memberships.get()
    meeting = make_meeting(membership.group, local(2027, 3, 30))
    outdated, gone = outbox.claim_many(collect(NOW)), None
    move(meeting)
    outbox.deliver(outdated[0])
    gone = outbox.claim_many(collect(NOW))
    membership.left_at = NOW
    membership.save()
    outbox.deliver(gone[0])
    assert mail.outbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {
        NotificationStatus.SKIPPED
    }


def test_builder_expires_once_the_meeting_started(frozen):
    member = invited_member()
    make_meeting(member.memberships.get().group, local(2027, 3, 11))
    ids = outbox.claim_many(collect(NOW))
    frozen.move_to(local(2027, 3, 11, 19, 5))
    outbox.deliver(ids[0])
    assert Notification.objects.get().status == NotificationStatus.EXPIRED
    assert mail.outbox == []


def test_a_meeting_moved_beyond_the_window_is_still_updated(frozen, settings):
    settings.CALENDAR_INVITATION_WINDOW_DAYS = 56
    member = invited_member()
    meeting = make_meeting(member.memberships.get().group, local(2027, 3, 30))
    run_sweep()
    frozen.shift(dt.timedelta(minutes=1))
    move(meeting, days=70)
    assert keys(collect(NOW)) == [f"invitation:{meeting.pk}:{member.pk}:1"]


def test_cancel_builder_sends_nothing_if_the_meeting_is_back_on(frozen):
    member = invited_member()
    meeting = make_meeting(member.memberships.get().group, local(2027, 3, 30))
    run_sweep()
    meeting.status = MeetingStatus.CANCELLED
    meeting.save()
    ids = outbox.claim_many(collect(NOW))
    meeting.status = MeetingStatus.SCHEDULED
    meeting.save()
    outbox.deliver(ids[0])
    assert len(mail.outbox) == 1
    assert Notification.objects.get(kind=KIND_CANCEL).status == NotificationStatus.SKIPPED


def test_organizer_falls_back_to_a_name(settings):
    settings.DEFAULT_FROM_EMAIL = "team@mastermind.test"
    assert notifications_calendar.organizer() == ("team@mastermind.test", "Mastermind")


@pytest.mark.parametrize(("groups", "per_group"), [(1, 1), (6, 8)])
def test_collect_query_count_does_not_grow(django_assert_max_num_queries, groups, per_group):
    for _ in range(groups):
        group = GroupFactory()
        members = [invited_member(group) for _ in range(3)]
        for week in range(per_group):
            meeting = make_meeting(group, local(2027, 3, 16) + dt.timedelta(weeks=week))
            HotSeatFactory(meeting=meeting, user=members[week % 3])
    run_sweep()  # some sent, so the cancel path has rows to look at
    Notification.objects.filter(kind=KIND_INVITATION).update(status=NotificationStatus.SENT)
    from meetings.models import Meeting

    Meeting.objects.update(status=MeetingStatus.CANCELLED, updated_at=NOW)
    with django_assert_max_num_queries(3):
        rows = collect(NOW)
    assert len(rows) >= groups * per_group * 3
