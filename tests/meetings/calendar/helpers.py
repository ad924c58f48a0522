"""Helpers for the calendar tests: members, meetings, feeds, parsing, and Mozilla's ical.js.

The ``frozen`` fixture (tests/meetings/calendar/conftest.py) stops time at ``NOW``.
Calendars are parsed back with the Python ``icalendar`` library and with Mozilla's ical.js
(Thunderbird's engine) through Node.js. Tests that need ical.js are skipped when ``node``
or ``tests/js/node_modules`` is missing, except on CI (environment variable ``CI`` set),
where they fail instead. Set up with: ``cd tests/js && npm ci``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from email import message_from_bytes
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
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
from tests.helpers import JS_DIR, on_ci

PARSE_ICS = JS_DIR / "parse_ics.mjs"

BERLIN = ZoneInfo("Europe/Berlin")
# A Wednesday; EU daylight saving time starts on Sunday 28 March 2027.
NOW = dt.datetime(2027, 3, 10, 12, 0, tzinfo=BERLIN)


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


# ------------------------------------------------------------------- wire format


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def unfolded_lines(data: bytes) -> list[str]:
    """Content lines after RFC 5545 unfolding (CRLF followed by one space/tab)."""
    lines: list[str] = []
    for raw in physical_lines(data):
        line = raw.decode("utf-8")
        if line[:1] in (" ", "\t"):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


# ----------------------------------------------------------------------- ical.js


def _ical_js_missing(node: str | None, js_dir: Path) -> str | None:
    """Why the ical.js tests cannot run here, or None if they can."""
    if node is None:
        return "node executable not found"
    if not (js_dir / "node_modules" / "ical.js" / "package.json").is_file():
        return f"ical.js not installed (run `npm ci` in {js_dir})"
    return None


def require_ical_js(node: str | None = None, js_dir: Path = JS_DIR) -> str:
    """Return the node executable; skip the test if unavailable, or fail when CI is set."""
    node = node or shutil.which("node")
    reason = _ical_js_missing(node, js_dir)
    if reason is not None:
        if on_ci():
            pytest.fail(f"ical.js test cannot run on CI: {reason}")
        pytest.skip(reason)
    return node


def parse_with_ical_js(data: bytes, text_properties: tuple[str, ...] = ()) -> dict:
    """ical.js' reading of ``data``; ``text_properties`` are read as TEXT (e.g. RFC 7986
    NAME, which ical.js does not know), as a client that knows them would."""
    node = require_ical_js()
    result = subprocess.run(  # fixed script; the calendar only goes in via stdin
        [node, str(PARSE_ICS), *text_properties],
        input=data,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return json.loads(result.stdout)
