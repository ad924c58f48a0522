"""Calendar details from the audit: feed-only properties, names, the fall-back hour, every
zone's VTIMEZONE, TRANSP, URL/LOCATION/CONFERENCE and malformed or non-ASCII links."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from icalendar import Calendar

from mastermind.core.timezones import zone_choices
from meetings.calendar import ical
from meetings.calendar.ical import EventData, build_calendar, event_uid
from meetings.calendar.notifications import meeting_attachment
from meetings.models import MeetingStatus
from tests.meetings.calendar.helpers import (
    NOW,
    events,
    get_feed,
    local,
    make_meeting,
    make_member,
    parse_with_ical_js,
    uid,
    unfolded_lines,
)

FEED_ONLY = ("NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL")
BERLIN = ZoneInfo("Europe/Berlin")
STAMP = datetime(2026, 1, 5, 9, tzinfo=UTC)


def event(starts_at: datetime, zone_name: str, number: int = 1, **overrides) -> EventData:
    values = {
        "uid": event_uid(number, "mastermind.example.org"),
        "sequence": 0,
        "dtstamp": STAMP,
        "last_modified": STAMP,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "time_zone": zone_name,
        "summary": "Mastermind",
    }
    return EventData(**(values | overrides))


def property_names(data: bytes) -> set[str]:
    return {line.split(":", 1)[0].split(";", 1)[0] for line in unfolded_lines(data)}


# ---------------------------------------------------------------- feed-only properties


@pytest.mark.parametrize("method", [None, "PUBLISH", "REQUEST", "CANCEL"])
def test_feed_only_properties_only_in_feeds(method):
    data = build_calendar(
        events=[
            event(
                datetime(2026, 3, 3, 19, tzinfo=BERLIN),
                "Europe/Berlin",
                organizer_email="team@example.org",
                attendees=(("ada@example.org", "Ada"),),
            )
        ],
        time_zone="Europe/Berlin",
        name="Mastermind – Ada",
        method=method,
    )
    assert not set(FEED_ONLY) & property_names(data)
    feed = build_calendar(events=[], time_zone="Europe/Berlin", name="x", feed=True)
    assert set(FEED_ONLY) <= property_names(feed)


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_download_and_reminder_attachment_have_no_feed_properties(client):
    member = make_member()
    meeting = make_meeting(member.memberships.get().group, local(2027, 3, 16))
    client.force_login(member)
    download = client.get(f"/meetings/{meeting.pk}/calendar.ics").content
    assert not set(FEED_ONLY) & property_names(download)
    attachment = meeting_attachment(meeting=meeting, user=member)
    assert attachment.mimetype == "text/calendar; method=PUBLISH"
    assert "METHOD" in property_names(attachment.content)
    assert not set(FEED_ONLY) & property_names(attachment.content)
    assert set(FEED_ONLY) <= property_names(get_feed(client, member).content)
    assert mail.outbox == []


def test_calendar_name_commas_are_escaped_text_for_every_parser():
    name = "Mastermind – Doe, Jane; \\ Müller"
    data = build_calendar(events=[], time_zone="Europe/Berlin", name=name, feed=True)
    lines = unfolded_lines(data)
    escaped = "Mastermind – Doe\\, Jane\\; \\\\ Müller"
    assert f"NAME:{escaped}" in lines
    assert f"X-WR-CALNAME:{escaped}" in lines
    # NAME (RFC 7986) is TEXT: a TEXT reader gets the name back, with ical.js too.
    result = parse_with_ical_js(data, text_properties=("name", "x-wr-calname"))
    assert (result["name"], result["x_wr_calname"]) == (name, name)


# ------------------------------------------------------------------- the fall-back hour


def test_ambiguous_local_time_is_written_in_utc():
    # 25 October 2026, 02:30 happens twice in Berlin; this is the second (CET) one.
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    data = build_calendar(events=[event(second, "Europe/Berlin")], time_zone="Europe/Berlin")
    lines = unfolded_lines(data)
    assert "DTSTART:20261025T013000Z" in lines
    assert "DTEND;TZID=Europe/Berlin:20261025T043000" in lines
    (vevent,) = Calendar.from_ical(data).walk("VEVENT")
    assert second == vevent.DTSTART
    result = parse_with_ical_js(data)
    assert result["events"][0]["start"]["utc"] == "2026-10-25T01:30:00Z"


def test_unambiguous_times_keep_their_tzid():
    data = build_calendar(
        events=[event(datetime(2026, 10, 25, 19, tzinfo=BERLIN), "Europe/Berlin")],
        time_zone="Europe/Berlin",
    )
    assert "DTSTART;TZID=Europe/Berlin:20261025T190000" in unfolded_lines(data)


# ------------------------------------------------------------- VTIMEZONE for every zone


def instants(zone_name: str) -> list[datetime]:
    """Every day at 19:00 local, and both sides of every transition, over three years."""
    zone = ZoneInfo(zone_name)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=3 * 366)
    found, probe = [], start
    while probe < end:
        nxt = probe + timedelta(hours=6)
        if probe.astimezone(zone).utcoffset() != nxt.astimezone(zone).utcoffset():
            low, high = probe, nxt
            while high - low > timedelta(minutes=1):
                mid = low + (high - low) / 2
                if mid.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = mid
                else:
                    high = mid
            high = high.replace(second=0, microsecond=0)
            found += [high - timedelta(hours=1), high + timedelta(minutes=1)]
        probe = nxt
    day = date(2026, 1, 1)
    while day < date(2029, 1, 1):
        found.append(datetime(day.year, day.month, day.day, 19, tzinfo=zone))
        day += timedelta(days=29)
    return found


@pytest.mark.parametrize("zone_name", [value for value, _label in zone_choices()])
def test_every_offered_zone_reads_back_the_same_instants(zone_name):
    """Read with the VTIMEZONE in the file only (no tz database), each event is the instant
    zoneinfo says: Africa/Casablanca's Ramadan changes included."""
    moments = instants(zone_name)
    data = build_calendar(
        events=[event(moment, zone_name, number) for number, moment in enumerate(moments)],
        time_zone=zone_name,
    )
    calendar = Calendar.from_ical(data)
    zones = {str(vt["TZID"]): vt.to_tz(lookup_tzid=False) for vt in calendar.walk("VTIMEZONE")}
    for vevent in calendar.walk("VEVENT"):
        number = int(str(vevent["UID"]).split("-")[1].split("@")[0])
        prop = vevent["DTSTART"]
        tzid = prop.params.get("TZID")
        written = prop.dt.replace(tzinfo=None)
        if tzid:
            read = written.replace(tzinfo=zones[tzid])
            read = read.replace(fold=0)
        else:
            read = prop.dt
        assert read.astimezone(UTC) == moments[number].astimezone(UTC), (zone_name, written)


def test_casablanca_ramadan_transitions_are_listed():
    data = build_calendar(
        events=[event(datetime(2027, 2, 10, 19, tzinfo=UTC), "Africa/Casablanca")],
        time_zone="Africa/Casablanca",
    )
    (vtimezone,) = Calendar.from_ical(data).walk("VTIMEZONE")
    onsets = {
        (o.DTSTART.date(), o.TZOFFSETFROM, o.TZOFFSETTO)
        for o in vtimezone.standard + vtimezone.daylight
        if o.TZOFFSETFROM != o.TZOFFSETTO
    }
    zone = ZoneInfo("Africa/Casablanca")
    # Before and after Ramadan 2027 (from the tz database itself, not a rule).
    offsets = {datetime(2027, 1, 20, tzinfo=UTC).astimezone(zone).utcoffset()}
    offsets.add(datetime(2027, 2, 20, tzinfo=UTC).astimezone(zone).utcoffset())
    assert len(offsets) == 2 and len(onsets) >= 2


# ---------------------------------------------------------------------- event properties


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_event_urls_transp_and_a_bad_stored_link(client):
    member = make_member()
    group = member.memberships.get().group
    group.video_url = "https://meet.example.org/räume/grün"
    group.chat_url = "https://exa mple.org/\r\nBEGIN:VEVENT"  # stored around validation
    group.save()
    held = make_meeting(group, local(2027, 3, 16))
    off = make_meeting(group, local(2027, 3, 30), status=MeetingStatus.CANCELLED)
    other = make_member()
    bad = other.memberships.get().group
    bad.video_url = "http://[::1/broken"
    bad.save()
    broken = make_meeting(bad, local(2027, 3, 17))
    from tests.factories import MembershipFactory

    MembershipFactory(group=bad, user=member)

    response = get_feed(client, member)
    assert response.status_code == 200
    found = events(response.content)
    encoded = "https://meet.example.org/r%C3%A4ume/gr%C3%BCn"
    event_held = found[uid(held)]
    assert str(event_held["URL"]) == f"https://mastermind.test/meetings/{held.pk}/"
    assert str(event_held["LOCATION"]) == group.video_url
    assert [str(c.uri) for c in event_held.conferences] == [encoded]
    assert str(event_held["TRANSP"]) == "OPAQUE"
    assert str(found[uid(off)]["TRANSP"]) == "TRANSPARENT"
    assert "CONFERENCE" not in found[uid(broken)]
    assert str(found[uid(broken)]["URL"]).endswith(f"/meetings/{broken.pk}/")
    result = parse_with_ical_js(response.content)
    by_uid = {e["uid"]: e for e in result["events"]}
    assert by_uid[uid(held)]["conference"] == encoded
    assert by_uid[uid(off)]["transp"] == "TRANSPARENT"
    assert NOW  # the frozen clock
    assert ical.web_uri(group.video_url) == encoded
