"""Shared helpers for the calendar feed, page and invitation tests."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from mastermind import outbox
from meetings.calendar.feed import settings_for
from meetings.calendar.invitations import collect
from tests.factories import (
    AgendaItemFactory,
    GroupFactory,
    HotSeatFactory,
    MeetingFactory,
    MembershipFactory,
    UserFactory,
)
from tests.meetings.test_ical import parse_with_ical_js, unfolded_lines

__all__ = ["parse_with_ical_js", "unfolded_lines"]

BERLIN = ZoneInfo("Europe/Berlin")
# A Wednesday; EU daylight saving time starts on Sunday 28 March 2027.
NOW = dt.datetime(2027, 3, 10, 12, 0, tzinfo=BERLIN)


@pytest.fixture(name="frozen")
def frozen_fixture():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def local(year, month, day, hour=19, minute=0, zone=BERLIN) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def make_member(group=None, **user_fields):
    user_fields.setdefault("language", "en")
    user = UserFactory(**user_fields)
    return MembershipFactory(group=group or GroupFactory(), user=user).user


def make_meeting(group, starts_at: dt.datetime, minutes: int = 120, presenter=None, **fields):
    meeting = MeetingFactory(
        group=group,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        time_zone=str(starts_at.tzinfo),
        **fields,
    )
    if presenter is not None:
        HotSeatFactory(meeting=meeting, user=presenter)
    return meeting


def standard_agenda(group) -> None:
    for position, (title, minutes) in enumerate(
        [("Check-in", 15), ("Hot seat", 60), ("Commitments", 15)]
    ):
        AgendaItemFactory(group=group, position=position, title=title, minutes=minutes)


def feed_url(user) -> str:
    return f"/calendar/{settings_for(user).feed_token}.ics"


def get_feed(client, user, **headers):
    return client.get(feed_url(user), headers=headers)


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def events(data: bytes) -> dict[str, object]:
    return {str(event["UID"]): event for event in parse(data).walk("VEVENT")}


def uid(meeting) -> str:
    return f"meeting-{meeting.pk}@mastermind.test"


def run_sweep(now: dt.datetime | None = None) -> list[int]:
    """What the reminder sweep does each minute, delivered synchronously."""
    ids = outbox.claim_many(collect(now or NOW))
    for pk in ids:
        outbox.deliver(pk)
    return ids


def calendar_parts(message) -> list[tuple[str, str | None, bytes]]:
    """(content type with params, filename, payload) of every text/calendar part."""
    parsed = message_from_bytes(message.message().as_bytes())
    return [
        (part["Content-Type"], part.get_filename(), part.get_payload(decode=True))
        for part in parsed.walk()
        if part.get_content_type() == "text/calendar"
    ]


def sent_to(address: str):
    return [message for message in mail.outbox if message.to == [address]]
