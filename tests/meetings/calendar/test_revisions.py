"""Every change to what a meeting's event says reaches the feed and the invitees.

SEQUENCE goes up in the database (never from a stale instance), LAST-MODIFIED, DTSTAMP and
the feed's validators move, each invitee gets one REQUEST with the new state, and a
meeting that stops taking place is cancelled with a higher SEQUENCE every time.
"""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.http import http_date

from groups.services import leave_group
from mastermind.outbox.models import Notification
from meetings import services
from meetings.calendar.feed import set_calendar_invitations
from meetings.calendar.invitations import KIND_CANCEL, KIND_INVITATION, collect
from meetings.models import AgendaItem, Meeting, MeetingStatus, Pause, Schedule
from meetings.services.preferences import update_profile
from tests.factories import HotSeatFactory, PauseFactory, StaffFactory
from tests.helpers import admin_change_data
from tests.meetings.calendar.helpers import (
    NOW,
    calendar_parts,
    events,
    get_feed,
    local,
    make_meeting,
    make_member,
    run_sweep,
    sent_to,
    standard_agenda,
    uid,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def invited_member(group=None, **fields):
    member = make_member(group, **fields)
    set_calendar_invitations(user=member, enabled=True)
    return member


def imip_events(address: str, method: str) -> list:
    """The events of every iMIP message of ``method`` sent to ``address``, oldest first."""
    found = []
    for message in sent_to(address):
        for content_type, filename, body in calendar_parts(message):
            if filename == "invite.ics" and f"method={method}" in content_type.replace('"', ""):
                found.extend(events(body).values())
    return found


def feed_event(client, member, meeting):
    return events(get_feed(client, member).content)[uid(meeting)]


# ------------------------------------------------------------------ SEQUENCE in the DB


def test_move_bumps_the_stored_sequence_not_a_stale_copy(frozen):
    member = invited_member()
    group = member.memberships.get().group
    meeting = make_meeting(group, local(2027, 3, 30))
    stale = Meeting.objects.get(pk=meeting.pk)  # loaded before the re-plan below
    HotSeatFactory(meeting=meeting, user=member)
    Meeting.objects.filter(pk=meeting.pk).update(sequence=1)  # a re-plan bumped it
    run_sweep()
    assert [event["SEQUENCE"] for event in imip_events(member.email, "REQUEST")] == [1]

    frozen.shift(dt.timedelta(minutes=1))
    services.move_meeting(meeting=stale, starts_at=local(2027, 3, 31), reason="", now=NOW)

    assert stale.sequence == 2 == Meeting.objects.get(pk=meeting.pk).sequence
    run_sweep(NOW + dt.timedelta(minutes=1))
    requests = imip_events(member.email, "REQUEST")
    assert [event["SEQUENCE"] for event in requests] == [1, 2]
    assert requests[-1]["DTSTART"].dt == local(2027, 3, 31)


def test_cancel_is_checked_on_the_locked_row(frozen):
    member = make_member()
    meeting = make_meeting(member.memberships.get().group, local(2027, 3, 30))
    stale = Meeting.objects.get(pk=meeting.pk)
    services.cancel_meeting(meeting=meeting, reason="ill", now=NOW)
    services.cancel_meeting(meeting=stale, reason="twice", now=NOW)  # a second organiser
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.cancel_reason) == (1, "ill")
    assert meeting.status_changed_at == NOW


# ----------------------------------------------------------------- group-wide edits


def group_edit_post(staff_client, group, **changes):
    url = reverse("admin:groups_group_change", args=[group.pk])
    data = admin_change_data(staff_client, url) | changes
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.parametrize(
    ("field", "value", "shows"),
    [
        ("video_url", "https://meet.example.org/new-room", b"new-room"),
        ("name", "Renamed, again", b"Renamed\\, again"),
        ("chat_url", "https://chat.example.org/room", b"chat.example.org"),
    ],
)
def test_group_edit_in_the_admin_revises_every_shown_event(
    client, frozen, django_capture_on_commit_callbacks, field, value, shows
):
    member = invited_member()
    group = member.memberships.get().group
    past = make_meeting(group, local(2027, 2, 16))
    upcoming = [make_meeting(group, local(2027, 3, 16 + 7 * i)) for i in range(3)]
    skipped = make_meeting(group, local(2027, 4, 13), status=MeetingStatus.SKIPPED)
    run_sweep()
    before = get_feed(client, member)
    old = feed_event(client, member, upcoming[0])

    frozen.shift(dt.timedelta(hours=1))
    client.force_login(StaffFactory())  # the feed needs no session; the admin does
    with django_capture_on_commit_callbacks(execute=True):
        group_edit_post(client, group, **{field: value})

    for meeting in [past, *upcoming]:
        meeting.refresh_from_db()
        assert meeting.sequence == 1, meeting
    assert Meeting.objects.get(pk=skipped.pk).sequence == 0  # not in any feed

    polled = get_feed(client, member, **{"If-Modified-Since": before["Last-Modified"]})
    assert polled.status_code == 200
    assert shows in polled.content
    assert polled["ETag"] != before["ETag"]
    assert polled["Last-Modified"] == http_date((NOW + dt.timedelta(hours=1)).timestamp())
    new = events(polled.content)[uid(upcoming[0])]
    assert new["SEQUENCE"] == old["SEQUENCE"] + 1
    assert new["LAST-MODIFIED"].dt > old["LAST-MODIFIED"].dt
    assert new["DTSTAMP"].dt > old["DTSTAMP"].dt

    # One REQUEST per invitee and meeting, with the new state.
    sent_before = len(imip_events(member.email, "REQUEST"))
    run_sweep(NOW + dt.timedelta(hours=1))
    latest = imip_events(member.email, "REQUEST")[sent_before:]
    assert sorted(str(event["UID"]) for event in latest) == sorted(uid(m) for m in upcoming)
    assert {event["SEQUENCE"] for event in latest} == {1}
    for event in latest:
        texts = " ".join(
            str(event.get(name, "")) for name in ("SUMMARY", "DESCRIPTION", "LOCATION")
        )
        assert value in texts
    assert collect(NOW + dt.timedelta(hours=1)) == []


@pytest.mark.parametrize("count", [1, 20])
def test_group_wide_revision_takes_a_bounded_number_of_queries(
    django_assert_max_num_queries, count
):
    member = make_member()
    group = member.memberships.get().group
    for index in range(count):
        make_meeting(group, NOW + dt.timedelta(days=3 + 7 * index))
    with django_assert_max_num_queries(4):  # lock, update, and a savepoint around them
        bumped = services.revise_group(group_id=group.pk)
    assert len(bumped) == count
    assert set(Meeting.objects.values_list("sequence", flat=True)) == {1}


def test_agenda_edit_in_the_admin_revises_the_events(
    client, frozen, django_capture_on_commit_callbacks
):
    member = make_member()
    group = member.memberships.get().group
    standard_agenda(group)
    meeting = make_meeting(group, local(2027, 3, 16))
    before = get_feed(client, member)
    frozen.shift(dt.timedelta(hours=1))
    items = list(AgendaItem.objects.filter(group=group).order_by("position"))
    data = {
        "agenda_items-TOTAL_FORMS": len(items),
        "agenda_items-INITIAL_FORMS": len(items),
        "agenda_items-MIN_NUM_FORMS": 0,
        "agenda_items-MAX_NUM_FORMS": 1000,
    }
    for i, item in enumerate(items):
        data |= {
            f"agenda_items-{i}-id": item.pk,
            f"agenda_items-{i}-group": group.pk,
            f"agenda_items-{i}-position": item.position,
            f"agenda_items-{i}-title": "Open round" if i == 0 else item.title,
            f"agenda_items-{i}-kind": item.kind,
            f"agenda_items-{i}-minutes": item.minutes,
        }
    client.force_login(StaffFactory())
    response = client.post(reverse("admin:meetings_groupagenda_change", args=[group.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]

    meeting.refresh_from_db()
    assert meeting.sequence == 1
    polled = get_feed(client, member, **{"If-Modified-Since": before["Last-Modified"]})
    assert polled.status_code == 200 and b"Open round" in polled.content


def test_agenda_rescaled_by_a_schedule_edit_revises_hand_moved_meetings():
    member = make_member()
    group = member.memberships.get().group
    standard_agenda(group)
    moved = make_meeting(group, local(2027, 3, 18), is_override=True)
    services.ensure_agenda(group=group, duration_minutes=60)
    moved.refresh_from_db()
    assert moved.sequence == 1


# ------------------------------------------------------------- presenter renamed (5.)


def test_presenter_rename_moves_sequence_and_last_modified(client, frozen):
    anna = make_member(display_name="Anna Schmidt")
    group = anna.memberships.get().group
    ben = make_member(group, display_name="Ben Braun")
    presents = make_meeting(group, local(2027, 3, 16), presenter=anna)
    other = make_meeting(group, local(2027, 3, 30), presenter=ben)
    before = get_feed(client, ben)

    frozen.shift(dt.timedelta(hours=1))
    update_profile(
        user=anna,
        display_name="Annika Schmidt",
        language="en",
        time_zone="Europe/Berlin",
        preferences={},
    )

    polled = get_feed(client, ben, **{"If-Modified-Since": before["Last-Modified"]})
    assert polled.status_code == 200
    event = events(polled.content)[uid(presents)]
    assert "Hot Seat: Annika" in str(event["SUMMARY"])
    assert event["SEQUENCE"] == 1
    assert events(polled.content)[uid(other)]["SEQUENCE"] == 0
    # A save that does not change the name revises nothing.
    update_profile(
        user=anna,
        display_name="Annika Schmidt",
        language="de",
        time_zone="Europe/Berlin",
        preferences={},
    )
    assert Meeting.objects.get(pk=presents.pk).sequence == 1


# ------------------------------------------------------------- cancellations (2.)


def test_pause_skip_restore_skip_sends_a_second_cancel(frozen):
    member = invited_member()
    group = member.memberships.get().group
    schedule = Schedule(group=group, first_date=dt.date(2027, 3, 11), weekday=3)
    services.save_schedule(schedule=schedule, now=NOW)
    meeting = Meeting.objects.get(group=group, series_date=dt.date(2027, 3, 25))
    clock = NOW

    def step(change):
        nonlocal clock
        clock += dt.timedelta(minutes=5)
        frozen.move_to(clock)
        change()
        services.sync_after_pause_change(group=group, now=clock)
        run_sweep(clock)

    run_sweep(clock)
    step(
        lambda: PauseFactory(
            group=group, start_date=dt.date(2027, 3, 24), end_date=dt.date(2027, 3, 26)
        )
    )
    step(lambda: Pause.objects.filter(group=group).delete())
    step(
        lambda: PauseFactory(
            group=group, start_date=dt.date(2027, 3, 24), end_date=dt.date(2027, 3, 26)
        )
    )

    history = [
        (str(event.get("STATUS")), event["SEQUENCE"])
        for message in sent_to(member.email)
        for content_type, filename, body in calendar_parts(message)
        if filename == "invite.ics"
        for event in events(body).values()
        if str(event["UID"]) == uid(meeting)
    ]
    statuses = [status for status, _sequence in history]
    assert statuses == ["CONFIRMED", "CANCELLED", "CONFIRMED", "CANCELLED"]
    sequences = [sequence for _status, sequence in history]
    assert sequences == sorted(set(sequences))  # strictly increasing
    assert Notification.objects.filter(kind=KIND_CANCEL, subject_id=meeting.pk).count() == 2


def test_cancel_after_leaving_carries_a_higher_sequence_than_the_last_request(
    frozen, django_capture_on_commit_callbacks
):
    member = invited_member()
    membership = member.memberships.get()
    stays = invited_member(membership.group)
    meeting = make_meeting(membership.group, local(2027, 3, 30))
    # Her leaving changes no presenter, so no re-plan bumps the SEQUENCE by chance.
    HotSeatFactory(meeting=meeting, user=stays, pinned=True)
    run_sweep()
    (request,) = imip_events(member.email, "REQUEST")

    frozen.shift(dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        leave_group(membership=membership)
    run_sweep(NOW + dt.timedelta(minutes=1))

    (cancel,) = imip_events(member.email, "CANCEL")
    assert str(cancel["UID"]) == uid(meeting)
    assert cancel["SEQUENCE"] > request["SEQUENCE"]
    # Who stays gets the new version once; nothing more is due.
    assert [e["SEQUENCE"] for e in imip_events(stays.email, "REQUEST")] == [0, cancel["SEQUENCE"]]
    assert collect(NOW + dt.timedelta(minutes=2)) == []


def test_a_link_change_of_a_cancelled_meeting_sends_no_second_cancel(frozen):
    member = invited_member()
    group = member.memberships.get().group
    meeting = make_meeting(group, local(2027, 3, 30))
    run_sweep()
    services.cancel_meeting(meeting=meeting, reason="ill", now=NOW)
    run_sweep()
    services.revise_group(group_id=group.pk)
    assert Meeting.objects.get(pk=meeting.pk).sequence == 2
    assert collect(NOW) == []
    assert len(imip_events(member.email, "CANCEL")) == 1


def test_a_revision_does_not_repeat_a_short_notice(frozen):
    member = make_member()
    group = member.memberships.get().group
    soon = make_meeting(group, local(2027, 3, 11))
    services.move_meeting(meeting=soon, starts_at=local(2027, 3, 12), reason="", now=NOW)
    off = make_meeting(group, local(2027, 3, 12, 12))
    services.cancel_meeting(meeting=off, reason="ill", now=NOW)
    run_sweep()
    told = len(mail.outbox)
    services.revise_group(group_id=group.pk)
    frozen.shift(dt.timedelta(minutes=1))
    assert collect(NOW + dt.timedelta(minutes=1)) == []
    assert len(mail.outbox) == told


# --------------------------------------------------------------- "Updated:" (3.)


@pytest.mark.parametrize(
    ("language", "new", "updated"),
    [("en", "Invitation:", "Updated:"), ("de", "Einladung:", "Aktualisiert:")],
)
def test_first_invitation_is_not_titled_updated(frozen, language, new, updated):
    member = invited_member(language=language)
    group = member.memberships.get().group
    meeting = make_meeting(group, local(2027, 3, 30))
    services.replan_group(group=group, now=NOW)  # the hot seat: SEQUENCE 1 already
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    run_sweep()
    (first,) = sent_to(member.email)
    assert first.subject.startswith(new), first.subject
    assert updated not in first.subject

    frozen.shift(dt.timedelta(minutes=1))
    services.move_meeting(meeting=meeting, starts_at=local(2027, 3, 31), reason="", now=NOW)
    run_sweep(NOW + dt.timedelta(minutes=1))
    request = [m for m in sent_to(member.email) if calendar_parts(m)][-1]
    assert request.subject.startswith(updated), request.subject
    assert Notification.objects.filter(kind=KIND_INVITATION).count() == 2
