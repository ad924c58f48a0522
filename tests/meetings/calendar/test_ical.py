"""Tests for meetings.calendar.ical (pure iCalendar builders).

Generated calendars are parsed back with the Python ``icalendar`` library and
with Mozilla's ical.js (Thunderbird's engine) through Node.js; the ical.js helpers
(skipped without Node.js, failing on CI) are in tests/meetings/calendar/helpers.py.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from meetings.calendar import ical, vtimezone
from meetings.calendar.ical import EventData, build_calendar, event_uid
from tests.meetings.calendar.helpers import (
    parse_with_ical_js,
    physical_lines,
    require_ical_js,
    unfolded_lines,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
DOMAIN = "mastermind.example.org"
STAMP = datetime(2025, 2, 1, 9, 30, 15, 123456, tzinfo=UTC)
MODIFIED = datetime(2025, 1, 31, 18, 0, tzinfo=BERLIN)

# 2025: DST starts Sun 30 March, ends Sun 26 October (EU);
# US: starts Sun 9 March, ends Sun 2 November.
FIRST_SUNDAY = datetime(2025, 3, 2, 19, 0, tzinfo=BERLIN)


# ---------------------------------------------------------------------------- helpers


def make_event(meeting_id: int = 1, starts_at: datetime = FIRST_SUNDAY, **overrides) -> EventData:
    values = {
        "uid": event_uid(meeting_id, DOMAIN),
        "sequence": 0,
        "dtstamp": STAMP,
        "last_modified": MODIFIED,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=90),
        "time_zone": "Europe/Berlin",
        "summary": f"Mastermind session {meeting_id}",
    }
    values.update(overrides)
    return EventData(**values)


def biweekly_berlin_events(count: int = 19) -> list[EventData]:
    """Every second Sunday 19:00 Berlin from 2 March 2025 (to 9 November for 19 events).

    The series includes both DST Sundays of 2025: 30 March and 26 October.
    """
    return [
        make_event(index + 1, FIRST_SUNDAY + timedelta(weeks=2 * index)) for index in range(count)
    ]


def build(events, **kwargs) -> bytes:
    """A feed (as the subscription serves it) unless ``feed=False`` or a METHOD is given."""
    kwargs.setdefault("feed", "method" not in kwargs)
    if kwargs["feed"]:
        kwargs.setdefault("name", "Mastermind Berlin")
    kwargs.setdefault("time_zone", "Europe/Berlin")
    return build_calendar(events=events, **kwargs)


def lines_starting(data: bytes, prefix: str) -> list[str]:
    return [line for line in unfolded_lines(data) if line.startswith(prefix)]


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def events_by_uid(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def timezone_ids(calendar: Calendar) -> list[str]:
    return [timezone.tz_name for timezone in calendar.walk("VTIMEZONE")]


def is_summer_time(value: datetime) -> bool:
    return bool(value.astimezone(BERLIN).dst())


# ---------------------------------------------------------------------- basic output


def test_event_uid_is_stable():
    assert event_uid(42, DOMAIN) == "meeting-42@mastermind.example.org"
    assert event_uid(42, DOMAIN) == event_uid(42, DOMAIN)
    assert event_uid(43, DOMAIN) != event_uid(42, DOMAIN)


def test_calendar_level_properties():
    data = build([make_event()])
    lines = unfolded_lines(data)

    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    for expected in (
        "VERSION:2.0",
        "PRODID:-//Mastermind//Mastermind//EN",
        "CALSCALE:GREGORIAN",
        "NAME:Mastermind Berlin",
        "X-WR-CALNAME:Mastermind Berlin",
        "X-WR-TIMEZONE:Europe/Berlin",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ):
        assert expected in lines
    assert not lines_starting(data, "METHOD")

    calendar = parse(data)
    assert calendar.refresh_interval == timedelta(hours=1)
    assert str(calendar["VERSION"]) == "2.0"


def test_refresh_interval_and_product_id_are_configurable():
    data = build([make_event()], refresh_minutes=90, product_id="-//Example//Feed//DE")
    lines = unfolded_lines(data)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H30M" in lines
    assert "X-PUBLISHED-TTL:PT1H30M" in lines
    assert "PRODID:-//Example//Feed//DE" in lines


def test_calendar_name_is_escaped_text():
    data = build([make_event()], name="Zürich, Basel; Bern\nBEGIN:VEVENT")
    lines = unfolded_lines(data)
    assert "NAME:Zürich\\, Basel\\; Bern\\nBEGIN:VEVENT" in lines
    assert "X-WR-CALNAME:Zürich\\, Basel\\; Bern\\nBEGIN:VEVENT" in lines
    assert lines.count("BEGIN:VEVENT") == 1


def test_event_properties():
    event = make_event(
        7,
        description="Agenda:\n1. Hot seat",
        location="https://video.example.org/room/abc",
        url="https://mastermind.example.org/meetings/7/",
        sequence=3,
    )
    data = build([event])
    (vevent,) = parse(data).walk("VEVENT")

    assert str(vevent["UID"]) == "meeting-7@mastermind.example.org"
    assert vevent["SEQUENCE"] == 3
    assert str(vevent["SUMMARY"]) == "Mastermind session 7"
    assert str(vevent["DESCRIPTION"]) == "Agenda:\n1. Hot seat"
    assert str(vevent["LOCATION"]) == "https://video.example.org/room/abc"
    assert str(vevent["URL"]) == "https://mastermind.example.org/meetings/7/"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    # DTSTAMP / LAST-MODIFIED are UTC ("Z"), without microseconds.
    assert "DTSTAMP:20250201T093015Z" in unfolded_lines(data)
    assert "LAST-MODIFIED:20250131T170000Z" in unfolded_lines(data)
    dtstamp = vevent.DTSTAMP
    assert dtstamp == datetime(2025, 2, 1, 9, 30, 15, tzinfo=UTC)
    assert "ORGANIZER" not in vevent
    assert "ATTENDEE" not in vevent


def test_optional_properties_are_omitted_when_empty():
    (vevent,) = parse(build([make_event()])).walk("VEVENT")
    for name in ("DESCRIPTION", "LOCATION", "URL", "ORGANIZER", "ATTENDEE"):
        assert name not in vevent


def test_uid_and_sequence_round_trip_for_every_event():
    events = biweekly_berlin_events(5)
    events[2] = replace(events[2], sequence=4)
    parsed = events_by_uid(parse(build(events)))
    assert list(parsed) == [event_uid(number, DOMAIN) for number in range(1, 6)]
    assert [parsed[uid]["SEQUENCE"] for uid in parsed] == [0, 0, 4, 0, 0]
    assert all(line.startswith("SEQUENCE:") for line in lines_starting(build(events), "SEQ"))


def test_cancelled_event_in_feed():
    data = build([make_event(1), make_event(2, status="CANCELLED")])
    statuses = {uid: str(event["STATUS"]) for uid, event in events_by_uid(parse(data)).items()}
    assert statuses == {
        event_uid(1, DOMAIN): "CONFIRMED",
        event_uid(2, DOMAIN): "CANCELLED",
    }


# -------------------------------------------------------------------- times and zones


def test_biweekly_berlin_events_keep_local_time_across_dst():
    events = biweekly_berlin_events()
    data = build(events)
    starts = lines_starting(data, "DTSTART;")
    ends = lines_starting(data, "DTEND;")

    # Both DST Sundays of 2025 are part of the series.
    assert "DTSTART;TZID=Europe/Berlin:20250330T190000" in starts
    assert "DTSTART;TZID=Europe/Berlin:20251026T190000" in starts
    assert len(starts) == len(ends) == len(events)
    assert all(line.endswith("T190000") for line in starts)
    assert all(line.startswith("DTEND;TZID=Europe/Berlin:") for line in ends)
    assert all(line.endswith("T203000") for line in ends)

    calendar = parse(data)
    for vevent, event in zip(calendar.walk("VEVENT"), events, strict=True):
        start, end = vevent.DTSTART, vevent.DTEND
        assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert vevent["DTEND"].params["TZID"] == "Europe/Berlin"
        assert (start.hour, start.minute) == (19, 0)
        assert start == event.starts_at
        assert end - start == timedelta(minutes=90)
        expected_utc_hour = 17 if is_summer_time(start) else 18
        assert start.astimezone(UTC).hour == expected_utc_hour
    assert timezone_ids(calendar) == ["Europe/Berlin"]
    assert calendar.get_missing_tzids() == set()


def test_start_given_in_another_zone_is_emitted_in_event_zone():
    event = make_event(starts_at=datetime(2025, 7, 6, 17, 0, tzinfo=UTC), time_zone="Europe/Berlin")
    data = build([event])
    assert lines_starting(data, "DTSTART;") == ["DTSTART;TZID=Europe/Berlin:20250706T190000"]
    assert lines_starting(data, "DTEND;") == ["DTEND;TZID=Europe/Berlin:20250706T203000"]


def test_two_zones_get_one_vtimezone_each():
    events = [
        make_event(1, datetime(2025, 3, 30, 19, tzinfo=BERLIN)),
        make_event(2, datetime(2025, 3, 30, 19, tzinfo=NEW_YORK), time_zone="America/New_York"),
        make_event(3, datetime(2025, 11, 2, 19, tzinfo=NEW_YORK), time_zone="America/New_York"),
        make_event(4, datetime(2025, 11, 2, 19, tzinfo=BERLIN)),
    ]
    data = build(events)
    calendar = parse(data)

    assert sorted(timezone_ids(calendar)) == ["America/New_York", "Europe/Berlin"]
    assert calendar.get_missing_tzids() == set()
    # VTIMEZONEs come before the events referencing them.
    kinds = [component.name for component in calendar.subcomponents]
    assert kinds == ["VTIMEZONE", "VTIMEZONE", "VEVENT", "VEVENT", "VEVENT", "VEVENT"]

    parsed = events_by_uid(calendar)
    new_york = parsed[event_uid(2, DOMAIN)]
    assert new_york["DTSTART"].params["TZID"] == "America/New_York"
    assert new_york.DTSTART.astimezone(UTC) == datetime(2025, 3, 30, 23, tzinfo=UTC)
    assert parsed[event_uid(3, DOMAIN)].DTSTART.astimezone(UTC) == datetime(
        2025, 11, 3, 0, tzinfo=UTC
    )


def test_calendar_time_zone_gets_a_vtimezone_even_if_unused_by_events():
    data = build([make_event()], time_zone="Asia/Tokyo")
    calendar = parse(data)
    assert sorted(timezone_ids(calendar)) == ["Asia/Tokyo", "Europe/Berlin"]
    assert "X-WR-TIMEZONE:Asia/Tokyo" in unfolded_lines(data)


def test_empty_calendar_is_valid():
    data = build([])
    calendar = parse(data)
    assert calendar.walk("VEVENT") == []
    assert timezone_ids(calendar) == ["Europe/Berlin"]
    assert "X-WR-CALNAME:Mastermind Berlin" in unfolded_lines(data)


def test_utc_zone_is_written_as_utc_without_vtimezone():
    event = make_event(starts_at=datetime(2025, 7, 6, 19, tzinfo=UTC), time_zone="UTC")
    data = build([event], time_zone="UTC")
    assert lines_starting(data, "DTSTART") == ["DTSTART:20250706T190000Z"]
    assert timezone_ids(parse(data)) == []


@pytest.mark.parametrize(
    ("zone_name", "years"),
    [
        ("Europe/Berlin", (2025, 2026)),
        ("America/New_York", (2024, 2027)),
        ("Australia/Sydney", (2025, 2025)),  # southern hemisphere: DST at new year
        ("Australia/Lord_Howe", (2025, 2026)),  # 30-minute DST shift
        ("Asia/Kolkata", (2025, 2025)),  # no DST at all
    ],
)
def test_vtimezone_observances_match_tzdata(zone_name, years):
    """Each onset, read as RFC 5545 defines it (DTSTART in TZOFFSETFROM), is a real transition."""
    zone = ZoneInfo(zone_name)
    first_year, last_year = years
    start = datetime(first_year, 1, 10, 12, tzinfo=UTC)
    end = datetime(last_year, 12, 20, 12, tzinfo=UTC)
    events = [
        make_event(1, start.astimezone(zone), time_zone=zone_name),
        make_event(2, end.astimezone(zone), time_zone=zone_name),
    ]
    data = build(events, time_zone=zone_name)
    (vtimezone,) = parse(data).walk("VTIMEZONE")
    assert vtimezone.tz_name == zone_name

    observances = vtimezone.standard + vtimezone.daylight
    onsets = []
    for observance in observances:
        # One onset per component: no RDATE/RRULE lists (ical.js mis-reads RDATE lists).
        assert "RDATE" not in observance
        assert "RRULE" not in observance
        onset_utc = (observance.DTSTART - observance.TZOFFSETFROM).replace(tzinfo=UTC)
        onsets.append(onset_utc)
        if observance.TZOFFSETFROM == observance.TZOFFSETTO:
            continue  # the initial observance at the start of the range
        before = (onset_utc - timedelta(seconds=1)).astimezone(zone)
        after = onset_utc.astimezone(zone)
        assert before.utcoffset() == observance.TZOFFSETFROM, observance.to_ical()
        assert after.utcoffset() == observance.TZOFFSETTO, observance.to_ical()
        assert bool(after.dst()) == (observance.name == "DAYLIGHT")

    # Every real transition between the events is listed (they happen at :00 or :30 UTC).
    expected = []
    probe = start.replace(tzinfo=UTC)
    while probe < end:
        following = probe + timedelta(minutes=30)
        if probe.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            expected.append(following)
        probe = following
    assert set(expected) <= set(onsets)
    assert len(expected) == 2 * (last_year - first_year + 1) or not any(
        observance.name == "DAYLIGHT" for observance in observances
    )


def test_vtimezone_interpreted_on_its_own_matches_tzdata():
    """dateutil's VTIMEZONE interpreter (no tzdata lookup) agrees with zoneinfo."""
    data = build(biweekly_berlin_events(26))
    (vtimezone,) = parse(data).walk("VTIMEZONE")
    from_file = vtimezone.to_tz(lookup_tzid=False)
    assert not isinstance(from_file, ZoneInfo)

    probe = datetime(2025, 1, 1, tzinfo=UTC)
    while probe < datetime(2027, 1, 1, tzinfo=UTC):
        assert probe.astimezone(from_file).utcoffset() == probe.astimezone(BERLIN).utcoffset()
        probe += timedelta(minutes=30)
    for instant in ("2025-03-30T00:59:59", "2025-03-30T01:00:00", "2025-10-26T01:00:00"):
        moment = datetime.fromisoformat(instant).replace(tzinfo=UTC)
        assert moment.astimezone(from_file).utcoffset() == moment.astimezone(BERLIN).utcoffset()


def test_vtimezone_is_computed_once_per_zone(monkeypatch):
    calls: list[str] = []
    original = vtimezone._transitions

    def counting_transitions(tzid, *args, **kwargs):
        calls.append(tzid)
        return original(tzid, *args, **kwargs)

    monkeypatch.setattr(vtimezone, "_transitions", counting_transitions)
    ical._vtimezone.cache_clear()
    events = [
        make_event(
            number,
            FIRST_SUNDAY + timedelta(weeks=number),
            time_zone="Europe/Berlin" if number % 2 else "America/New_York",
        )
        for number in range(60)
    ]
    first = build(events)
    second = build(events)
    ical._vtimezone.cache_clear()

    assert first == second
    assert sorted(calls) == ["America/New_York", "Europe/Berlin"]


# ---------------------------------------------------------------------------- iMIP


def imip_event(**overrides) -> EventData:
    values = {
        "organizer_email": "host@mastermind.example.org",
        "organizer_name": "Mastermind Müller",
        "attendees": (("ada@example.com", "Ada Lovelace"), ("bob@example.com", "")),
    }
    values.update(overrides)
    return make_event(5, datetime(2025, 10, 26, 19, tzinfo=BERLIN), **values)


def test_method_request_with_organizer_and_attendees():
    data = build([imip_event()], method="REQUEST")
    lines = unfolded_lines(data)
    assert "METHOD:REQUEST" in lines
    assert lines_starting(data, "ORGANIZER") == [
        'ORGANIZER;CN="Mastermind Müller":mailto:host@mastermind.example.org'
    ]
    assert lines_starting(data, "ATTENDEE") == [
        'ATTENDEE;CN="Ada Lovelace";PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=FALSE:'
        "mailto:ada@example.com",
        "ATTENDEE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:bob@example.com",
    ]

    calendar = parse(data)
    assert str(calendar["METHOD"]) == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["ORGANIZER"].params["CN"] == "Mastermind Müller"
    attendees = vevent["ATTENDEE"]
    assert [str(attendee) for attendee in attendees] == [
        "mailto:ada@example.com",
        "mailto:bob@example.com",
    ]
    assert attendees[0].params["CN"] == "Ada Lovelace"
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_method_cancel_marks_events_cancelled():
    data = build([imip_event(sequence=2)], method="CANCEL")
    calendar = parse(data)
    assert str(calendar["METHOD"]) == "CANCEL"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent["SEQUENCE"] == 2
    assert str(vevent["UID"]) == event_uid(5, DOMAIN)


def test_method_publish():
    data = build([make_event()], method="publish")
    assert "METHOD:PUBLISH" in unfolded_lines(data)


@pytest.mark.parametrize(
    ("method", "overrides"),
    [
        ("REQUEST", {"organizer_email": ""}),
        ("REQUEST", {"attendees": ()}),
        ("CANCEL", {"organizer_email": ""}),
    ],
)
def test_imip_requires_organizer_and_attendees(method, overrides):
    with pytest.raises(ValueError, match=method):
        build([imip_event(**overrides)], method=method)


def test_organizer_and_attendee_names_cannot_inject():
    event = imip_event(
        organizer_name='Evil"; ROLE=CHAIR:mailto:evil@example.com\r\nBEGIN:VEVENT',
        attendees=(("ada@example.com", 'Ada "The Countess"\nLovelace'),),
    )
    data = build([event], method="REQUEST")
    lines = unfolded_lines(data)
    assert lines.count("BEGIN:VEVENT") == 1
    (vevent,) = parse(data).walk("VEVENT")
    organizer = vevent["ORGANIZER"]
    assert str(organizer) == "mailto:host@mastermind.example.org"
    assert organizer.params["CN"] == "Evil'; ROLE=CHAIR:mailto:evil@example.com BEGIN:VEVENT"
    assert "ROLE" not in organizer.params
    assert vevent["ATTENDEE"].params["CN"] == "Ada 'The Countess' Lovelace"


@pytest.mark.parametrize(
    "email",
    ["ada@example.com\r\nBEGIN:VEVENT", "ada @example.com", "no-at-sign", "ada@exa\x00mple.com"],
)
def test_invalid_email_addresses_are_rejected(email):
    with pytest.raises(ValueError):
        build([imip_event(attendees=((email, "Ada"),))], method="REQUEST")


# ------------------------------------------------------------- encoding and escaping


def assert_wire_format(data: bytes) -> None:
    """CRLF everywhere, physical lines <= 75 octets, folds never split a character."""
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    for line in physical_lines(data):
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a fold split a multibyte character


def test_crlf_line_endings_and_folding_with_multibyte_text():
    summary = "Grüße aus Köln 👋🏽 — Übung macht den Meister 🚀 " * 4
    description = "Zeile eins: ÄÖÜäöüß\nZeile zwei 🧠🤝💡, mit Komma; und Semikolon\\ " * 6
    event = make_event(summary=summary, description=description, location="Café 😀 " * 20)
    data = build([event], name="Gruppe Ünïcödé 🌍 " * 6)

    assert_wire_format(data)
    assert any(line.startswith(b" ") for line in physical_lines(data)), "expected folding"
    (vevent,) = parse(data).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == summary
    assert str(vevent["DESCRIPTION"]) == description
    assert str(vevent["LOCATION"]) == "Café 😀 " * 20


def test_every_fold_position_with_multibyte_characters():
    # Shift a 4-byte emoji across every possible position relative to the fold boundary.
    events = [make_event(index, summary="x" * index + "😀ü" * 40) for index in range(1, 80)]
    data = build(events)
    assert_wire_format(data)
    summaries = [str(vevent["SUMMARY"]) for vevent in parse(data).walk("VEVENT")]
    assert summaries == ["x" * index + "😀ü" * 40 for index in range(1, 80)]


INJECTION = (
    "Hi\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@example.com\r\n"
    "ATTENDEE:mailto:victim@example.com\nX-INJECTED:1\r"
    ';DESCRIPTION:"<script>alert(1)</script>",\\n\\;'
)
INJECTION_ROUND_TRIP = INJECTION.replace("\r\n", "\n").replace("\r", "\n")


def test_injection_payload_round_trips_as_literal_text():
    event = make_event(summary=INJECTION, description=INJECTION, location=INJECTION)
    data = build([event, make_event(2)])
    assert_wire_format(data)

    lines = unfolded_lines(data)
    assert lines.count("BEGIN:VEVENT") == 2
    assert lines.count("END:VEVENT") == 2
    assert not any(line.startswith(("UID:evil", "X-INJECTED", "ATTENDEE")) for line in lines)

    calendar = parse(data)
    vevents = calendar.walk("VEVENT")
    assert [str(vevent["UID"]) for vevent in vevents] == [
        event_uid(1, DOMAIN),
        event_uid(2, DOMAIN),
    ]
    first = vevents[0]
    assert str(first["SUMMARY"]) == INJECTION_ROUND_TRIP
    assert str(first["DESCRIPTION"]) == INJECTION_ROUND_TRIP
    assert str(first["LOCATION"]) == INJECTION_ROUND_TRIP
    assert "ATTENDEE" not in first
    assert "X-INJECTED" not in first


def test_control_characters_are_dropped_from_text():
    event = make_event(summary="Bell\x07 and\x00 nul\x1b[31m\ttab", description="a\x0bb\x7fc")
    data = build([event])
    assert_wire_format(data)
    (vevent,) = parse(data).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Bell and nul[31m\ttab"
    assert str(vevent["DESCRIPTION"]) == "abc"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/\r\nBEGIN:VEVENT",
        "https://example.org/a b",
        "javascript:\x00",
        "javascript:alert(1)",
        "http://[::1/x",  # unbalanced IPv6 bracket: urlsplit raises
        "https://exa_mple..org:99999/",  # port out of range
        "not a url",
        "mailto:someone@example.org",
        "https://",
    ],
)
def test_malformed_url_drops_that_property_only(url):
    data = build([make_event(url=url, conference=url, location="Room 1")])
    (vevent,) = parse(data).walk("VEVENT")
    assert "URL" not in vevent
    assert "CONFERENCE" not in vevent
    assert str(vevent["LOCATION"]) == "Room 1"
    assert "BEGIN:VEVENT" not in str(vevent.get("DESCRIPTION", ""))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://meet.example.org/räume/ü?q=ä#ß",
            "https://meet.example.org/r%C3%A4ume/%C3%BC?q=%C3%A4#%C3%9F",
        ),
        ("https://bücher.example/raum", "https://xn--bcher-kva.example/raum"),
        (
            "HTTPS://meet.example.org:8443/a%20b?x=1&y=2",
            "https://meet.example.org:8443/a%20b?x=1&y=2",
        ),
        ("https://user:pässword@meet.example.org/", "https://user:p%C3%A4ssword@meet.example.org/"),
        ("https://[2001:db8::1]/room", "https://[2001:db8::1]/room"),
    ],
)
def test_web_addresses_are_percent_encoded_ascii(url, expected):
    assert ical.web_uri(url) == expected
    data = build([make_event(url=url, conference=url)])
    (vevent,) = parse(data).walk("VEVENT")
    assert str(vevent["URL"]) == expected
    assert [str(conference.uri) for conference in vevent.conferences] == [expected]
    assert all(line.isascii() for line in lines_starting(data, "URL"))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summary=st.text(max_size=200), description=st.text(max_size=400))
def test_arbitrary_text_round_trips(summary, description):
    event = make_event(summary=summary, description=description)
    data = build([event])
    assert_wire_format(data)
    (vevent,) = parse(data).walk("VEVENT")
    assert str(vevent.get("SUMMARY", "")) == ical._clean_text(summary)
    assert str(vevent.get("DESCRIPTION", "")) == ical._clean_text(description)


# ---------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": datetime(2025, 3, 2, 19)}, "starts_at must be timezone-aware"),
        ({"dtstamp": datetime(2025, 3, 2, 19)}, "dtstamp must be timezone-aware"),
        ({"time_zone": "Mars/Olympus_Mons"}, "Unknown time zone"),
        ({"status": "MAYBE"}, "STATUS"),
        ({"ends_at": FIRST_SUNDAY - timedelta(hours=1)}, "before starts_at"),
    ],
)
def test_invalid_event_data_raises(overrides, message):
    with pytest.raises(ValueError, match=message):
        build([make_event(**overrides)])


def test_invalid_calendar_arguments_raise():
    with pytest.raises(ValueError, match="METHOD"):
        build([make_event()], method="REPLY")
    with pytest.raises(ValueError, match="refresh_minutes"):
        build([make_event()], refresh_minutes=0)
    with pytest.raises(ValueError, match="Unknown time zone"):
        build([make_event()], time_zone="Not/AZone")


# ------------------------------------------------------------------------ ical.js


def test_require_ical_js_skips_locally_and_fails_on_ci(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"ical\.js not installed"):
        require_ical_js(node="/usr/bin/node", js_dir=tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match="node executable not found"):
        require_ical_js(js_dir=tmp_path)

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run on CI"):
        require_ical_js(js_dir=tmp_path)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        require_ical_js(js_dir=tmp_path)


def test_ical_js_berlin_biweekly_across_dst():
    events = biweekly_berlin_events()
    result = parse_with_ical_js(build(events))

    assert result["method"] is None
    assert result["timezones"] == ["Europe/Berlin"]
    assert [item["uid"] for item in result["events"]] == [event.uid for event in events]
    by_day = {}
    for item, event in zip(result["events"], events, strict=True):
        start, end = item["start"], item["end"]
        assert start["tzid"] == end["tzid"] == "Europe/Berlin"
        assert start["zone"] == end["zone"] == "Europe/Berlin"  # resolved, not floating
        assert start["local"].endswith("T19:00:00")
        assert end["local"].endswith("T20:30:00")
        expected = event.starts_at.astimezone(UTC)
        assert start["utc"] == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert end["utc"] == (expected + timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert item["sequence"] == 0
        assert item["status"] == "CONFIRMED"
        by_day[start["local"][:10]] = start["utc"]

    # Explicitly: both sides of both DST changes.
    assert by_day["2025-03-16"] == "2025-03-16T18:00:00Z"  # winter
    assert by_day["2025-03-30"] == "2025-03-30T17:00:00Z"  # DST starts that night
    assert by_day["2025-10-12"] == "2025-10-12T17:00:00Z"  # summer
    assert by_day["2025-10-26"] == "2025-10-26T18:00:00Z"  # DST ended that night
    assert by_day["2025-11-09"] == "2025-11-09T18:00:00Z"


def test_ical_js_multi_year_feed_and_two_zones():
    # icalendar's raw VTIMEZONE (RDATE lists) made ical.js get summer 2025/2027 wrong.
    events = []
    for year in (2025, 2026, 2027):
        for month, day in ((1, 15), (7, 1), (12, 1)):
            events.append(
                make_event(len(events) + 1, datetime(year, month, day, 19, tzinfo=BERLIN))
            )
            events.append(
                make_event(
                    len(events) + 1,
                    datetime(year, month, day, 19, tzinfo=NEW_YORK),
                    time_zone="America/New_York",
                )
            )
    result = parse_with_ical_js(build(events))

    assert sorted(result["timezones"]) == ["America/New_York", "Europe/Berlin"]
    for item, event in zip(result["events"], events, strict=True):
        assert item["start"]["zone"] == event.time_zone
        assert item["start"]["local"].endswith("T19:00:00")
        expected = event.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert item["start"]["utc"] == expected, item


def test_ical_js_request_and_cancel():
    request = parse_with_ical_js(build([imip_event()], method="REQUEST"))
    assert request["method"] == "REQUEST"
    (event,) = request["events"]
    assert event["organizer"]["value"] == "mailto:host@mastermind.example.org"
    assert event["organizer"]["cn"] == "Mastermind Müller"
    assert [attendee["value"] for attendee in event["attendees"]] == [
        "mailto:ada@example.com",
        "mailto:bob@example.com",
    ]
    ada = event["attendees"][0]
    assert (ada["cn"], ada["role"], ada["partstat"], ada["rsvp"]) == (
        "Ada Lovelace",
        "REQ-PARTICIPANT",
        "NEEDS-ACTION",
        "FALSE",
    )
    assert event["start"]["utc"] == "2025-10-26T18:00:00Z"

    cancel = parse_with_ical_js(build([imip_event(sequence=1)], method="CANCEL"))
    assert cancel["method"] == "CANCEL"
    (event,) = cancel["events"]
    assert (event["status"], event["sequence"]) == ("CANCELLED", 1)


def test_ical_js_reads_injection_payload_as_text():
    summary = "Grüße 👋🏽 " * 10 + INJECTION
    event = make_event(summary=summary, description=INJECTION, url="https://example.org/?a=1;b=2")
    result = parse_with_ical_js(build([event, make_event(2)]))
    assert [item["uid"] for item in result["events"]] == [
        event_uid(1, DOMAIN),
        event_uid(2, DOMAIN),
    ]
    first = result["events"][0]
    assert first["summary"] == summary.replace("\r\n", "\n").replace("\r", "\n")
    assert first["description"] == INJECTION_ROUND_TRIP
    assert first["url"] == "https://example.org/?a=1;b=2"
    assert first["attendees"] == []


def test_first_onset_dates_cover_event_range():
    """The VTIMEZONE starts on 1 January of the first event's year."""
    data = build([make_event(starts_at=datetime(2025, 6, 1, 19, tzinfo=BERLIN))])
    (vtimezone,) = parse(data).walk("VTIMEZONE")
    first = min(observance.DTSTART for observance in vtimezone.standard + vtimezone.daylight)
    assert first.date() <= date(2025, 1, 1)
