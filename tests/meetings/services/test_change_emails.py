"""Changes within the window reach each member as one email (meetings/change_email.py).

The real outbox on Django's locmem backend, the clock stopped with time_machine. The
"worker" runs the send task over every row id the outbox has, due or not, merged or not,
as a broker that redelivers everything would: only what is due is sent, once.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from mastermind.outbox.models import Notification, NotificationStatus
from mastermind.outbox.tasks import send_notifications
from meetings import services
from meetings.calendar.feed import set_calendar_invitations
from tests.factories import MemberSettingsFactory
from tests.meetings.helpers import (
    after_window,
    deliver_all,
    future,
    make_group,
    make_schedule,
    presenters,
)

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
CHANGES = ("swap_accepted", "meeting_changed", "hot_seat_changed")


def worker() -> list:
    """The send task over every row id (a redelivery of everything); returns the mails."""
    mail.outbox.clear()
    send_notifications(list(Notification.objects.values_list("pk", flat=True)))
    return list(mail.outbox)


def local(when: dt.datetime, zone=NEW_YORK) -> str:
    with translation.override("en"):
        return formats.date_format(when.astimezone(zone), "DATETIME_FORMAT")


@pytest.fixture
def group_in_english(clock):
    group, users = make_group(4)
    for user in users:
        user.language, user.time_zone = "en", "America/New_York"
        user.save()
    make_schedule(group)
    deliver_all()  # nothing about the new schedule is left to send
    return group, users


def _swap(group, users, first_index=0, second_index=2):
    meetings = future(group)
    first, second = meetings[first_index], meetings[second_index]
    by_pk = {u.pk: u for u in users}
    a = by_pk[next(iter(presenters(first)))]
    b = by_pk[next(iter(presenters(second)))]
    swap = services.request_swap(
        requester=a, requester_meeting=first, responder=b, responder_meeting=second
    )
    worker()  # the request goes at once
    return swap, a, b, first, second


def test_a_swap_accepted_sends_each_affected_member_exactly_one_email(group_in_english, clock):
    group, users = group_in_english
    swap, a, b, first, second = _swap(group, users)
    plan_before = {m.pk: presenters(m) for m in future(group)}
    services.accept_swap(swap=swap, by=b)
    plan_after = {m.pk: presenters(m) for m in future(group)}
    moved = set().union(*(plan_before[pk] ^ plan_after[pk] for pk in plan_before))
    kinds = Counter(Notification.objects.filter(kind__in=CHANGES).values_list("user_id", "kind"))
    assert kinds[(a.pk, "swap_accepted")] == kinds[(a.pk, "hot_seat_changed")] == 1  # two rows
    assert worker() == []  # within the window: nothing yet

    after_window(clock)
    sent = worker()
    emails = {u.pk: u.email for u in users}
    assert Counter(m.to[0] for m in sent) == Counter(emails[pk] for pk in moved)
    assert {a.email, b.email} <= {m.to[0] for m in sent}
    told_a = next(m for m in sent if m.to == [a.email])
    assert told_a.subject == "Hot-seat swap accepted (and 1 more change)"
    assert (
        f"{b.first_name} now presents on {local(first.starts_at)} and "
        f"{a.first_name} on {local(second.starts_at)}" in told_a.body
    )
    assert "The hot-seat plan of" in told_a.body and "Your next hot seats:" in told_a.body
    assert "take part in this swap" in told_a.body  # it counts as the swap
    assert "List-Unsubscribe" not in told_a.extra_headers  # not optional: the swap is not

    rows = Notification.objects.filter(kind__in=CHANGES)
    leads = rows.filter(status=NotificationStatus.SENT)
    assert leads.count() == len(sent)
    merged = rows.filter(status=NotificationStatus.MERGED)
    assert merged.count() == rows.count() - len(sent)
    assert all(row.merged_into.user_id == row.user_id for row in merged)
    assert worker() == []  # the task again: nothing new


def test_several_edits_to_one_meeting_within_the_window_are_one_email(group_in_english, clock):
    group, users = group_in_english
    meeting = future(group)[3]
    first_start = meeting.starts_at
    services.move_meeting(
        meeting=meeting, starts_at=first_start + dt.timedelta(hours=1), reason="Raum"
    )
    clock.shift(dt.timedelta(minutes=2))
    services.move_meeting(
        meeting=meeting, starts_at=first_start + dt.timedelta(days=1), reason="Feiertag"
    )
    clock.shift(dt.timedelta(minutes=2))
    assert worker() == []

    after_window(clock)
    sent = worker()
    assert sorted(m.to[0] for m in sent) == sorted(u.email for u in users)  # one each
    meeting.refresh_from_db()
    for message in sent:
        assert (
            f"on {local(first_start)} has moved to {local(meeting.starts_at).rstrip('.')}."
            in message.body
        )
        assert local(first_start + dt.timedelta(hours=1)) not in message.body  # in between
        assert "Reason: Feiertag" in message.body and "Raum" not in message.body
        assert message.subject.startswith(f"Moved: {group.name} now on")
    assert worker() == []


def test_a_move_then_a_cancel_within_the_window_tells_the_cancellation(group_in_english, clock):
    group, users = group_in_english
    meeting = future(group)[3]
    services.move_meeting(
        meeting=meeting, starts_at=meeting.starts_at + dt.timedelta(hours=1), reason="Raum"
    )
    clock.shift(dt.timedelta(minutes=1))
    services.cancel_meeting(meeting=meeting, reason="Krankheit")
    after_window(clock)
    sent = worker()
    assert len(sent) == len(users)
    for message in sent:
        assert "is cancelled" in message.body and "Reason: Krankheit" in message.body
        assert "has moved" not in message.body


def test_edits_outside_the_window_are_separate_emails(group_in_english, clock):
    group, users = group_in_english
    meeting = future(group)[3]
    start = meeting.starts_at
    services.move_meeting(meeting=meeting, starts_at=start + dt.timedelta(hours=1), reason="A")
    after_window(clock)
    assert len(worker()) == len(users)
    clock.shift(dt.timedelta(minutes=1))
    services.move_meeting(meeting=meeting, starts_at=start + dt.timedelta(hours=2), reason="B")
    assert worker() == []
    after_window(clock)
    second = worker()
    assert len(second) == len(users)
    moved_from = local(start + dt.timedelta(hours=1))
    assert all(f"on {moved_from} has moved to" in m.body for m in second)


@pytest.mark.parametrize("window", [60, 600])
def test_the_window_setting_is_honoured(group_in_english, clock, settings, window):
    settings.CHANGE_EMAIL_WINDOW_SECONDS = window
    group, users = group_in_english
    meeting = future(group)[3]
    services.cancel_meeting(meeting=meeting, reason="Krankheit")
    clock.shift(dt.timedelta(seconds=window - 1))
    assert worker() == []
    clock.shift(dt.timedelta(seconds=2))
    assert len(worker()) == len(users)


def test_the_window_counts_from_the_first_change(group_in_english, clock, settings):
    """A change late in the window goes with the first: no change waits for a later one."""
    settings.CHANGE_EMAIL_WINDOW_SECONDS = 300
    group, users = group_in_english
    meetings = future(group)
    services.cancel_meeting(meeting=meetings[5], reason="Eins")
    clock.shift(dt.timedelta(seconds=290))
    services.cancel_meeting(meeting=meetings[6], reason="Zwei")
    clock.shift(dt.timedelta(seconds=11))
    sent = worker()
    assert len(sent) == len(users)
    assert all("Eins" in m.body and "Zwei" in m.body for m in sent)


def test_hot_seat_changes_alone_stay_optional_with_their_unsubscribe(group_in_english, clock):
    group, users = group_in_english
    first = future(group)[0]
    absent = next(u for u in users if u.pk in presenters(first))
    services.mark_absent(meeting=first, user=absent)
    after_window(clock)
    sent = worker()
    assert sent
    for message in sent:
        assert message.subject == f"Your hot seat in {group.name} has changed"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert url in message.body


def test_a_member_who_muted_hot_seat_changes_hears_only_of_the_swap(group_in_english, clock):
    group, users = group_in_english
    swap, a, b, _first, _second = _swap(group, users)
    MemberSettingsFactory(user=a, hot_seat_changes=False)
    services.accept_swap(swap=swap, by=b)
    after_window(clock)
    told_a = [m for m in worker() if m.to == [a.email]]
    assert len(told_a) == 1
    assert told_a[0].subject == "Hot-seat swap accepted"
    assert "The hot-seat plan of" not in told_a[0].body


def test_the_email_is_built_from_the_state_when_it_is_sent(group_in_english, clock):
    """A meeting moved and moved back within the window: nothing left to tell."""
    group, _users = group_in_english
    meeting = future(group)[3]
    start = meeting.starts_at
    services.move_meeting(meeting=meeting, starts_at=start + dt.timedelta(hours=1), reason="x")
    services.move_meeting(meeting=meeting, starts_at=start, reason="y")
    after_window(clock)
    assert [m for m in worker() if "has moved" in m.body] == []
    rows = Notification.objects.filter(kind="meeting_changed")
    assert set(rows.values_list("status", flat=True)) <= {
        NotificationStatus.SKIPPED,
        NotificationStatus.MERGED,
        NotificationStatus.SENT,  # as part of an email about the hot seats the moves changed
    }


def test_german_readers_get_it_in_german_in_their_zone(clock):
    group, users = make_group(3)
    make_schedule(group)
    deliver_all()
    meeting = future(group)[2]
    start = meeting.starts_at
    services.move_meeting(meeting=meeting, starts_at=start + dt.timedelta(hours=1), reason="Raum")
    services.move_meeting(meeting=meeting, starts_at=start + dt.timedelta(hours=2), reason="Raum")
    after_window(clock)
    sent = worker()
    assert len(sent) == len(users)
    with translation.override("de"):
        old = formats.date_format(start.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")), "H:i")
    assert all("verschoben" in m.body and old in m.body for m in sent)
    assert all(m.subject.startswith("Verschoben:") for m in sent)


def test_calendar_invitations_stay_one_per_change_and_are_not_delayed(group_in_english, clock):
    group, users = group_in_english
    invited = users[0]
    set_calendar_invitations(user=invited, enabled=True)
    meeting = future(group)[1]
    services.sweep_reminders(timezone.now())
    worker()  # the first invitations
    start = meeting.starts_at
    for hours in (1, 2):
        clock.shift(dt.timedelta(minutes=1))
        services.move_meeting(
            meeting=meeting, starts_at=start + dt.timedelta(hours=hours), reason="Raum"
        )
        services.sweep_reminders(timezone.now())
        sent = worker()
        assert sent and {m.to[0] for m in sent} == {invited.email}  # the REQUEST, at once
        assert all("METHOD:REQUEST" in str(m.message()) for m in sent)
    after_window(clock)
    assert sorted(m.to[0] for m in worker()) == sorted(u.email for u in users)  # one each
