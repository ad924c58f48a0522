"""The private calendar feed /calendar/<token>.ics."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.http import http_date

from groups.models import GroupStatus
from meetings.calendar import events as calendar_events
from meetings.calendar import feed as calendar
from meetings.calendar import feed_cache
from meetings.models import MeetingStatus
from tests.factories import AgendaItemFactory, GroupFactory, HotSeatFactory, StaffFactory
from tests.meetings.calendar.helpers import (
    BERLIN,
    NOW,
    events,
    feed_url,
    get_feed,
    local,
    make_meeting,
    make_member,
    parse,
    parse_with_ical_js,
    standard_agenda,
    uid,
    unfolded_lines,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_feed_has_one_event_per_meeting_with_uid_sequence_times_and_texts(client):
    anna = make_member(display_name="Anna Schmidt")
    group = anna.memberships.get().group
    group.name = "Marketing Circle"
    group.save()
    standard_agenda(group)
    meeting = make_meeting(group, local(2027, 3, 16), presenter=anna, sequence=2)

    response = get_feed(client, anna)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content.endswith(b"\r\n") and b"\n" not in response.content.replace(
        b"\r\n", b""
    )
    lines = unfolded_lines(response.content)
    assert "X-WR-CALNAME:Mastermind – Anna Schmidt" in lines
    assert "NAME:Mastermind – Anna Schmidt" in lines
    assert "X-WR-TIMEZONE:Europe/Berlin" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines
    assert "DTSTART;TZID=Europe/Berlin:20270316T190000" in lines
    assert "DTEND;TZID=Europe/Berlin:20270316T210000" in lines
    event = events(response.content)[uid(meeting)]
    assert event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Marketing Circle – Hot Seat: Anna"
    assert event["LAST-MODIFIED"].dt == meeting.updated_at.replace(microsecond=0)
    assert str(event["LOCATION"]) == group.video_url
    assert str(event["URL"]) == f"https://mastermind.test/meetings/{meeting.pk}/"
    assert [str(c.uri) for c in event.conferences] == [group.video_url]
    assert str(event["TRANSP"]) == "OPAQUE"
    description = str(event["DESCRIPTION"])
    assert "19:00 Check-in\n19:15 Hot seat\n20:15 Commitments" in description
    assert f"https://mastermind.test/meetings/{meeting.pk}/" in description
    assert "preparation" in description
    assert group.video_url in description
    assert group.chat_url in description


def test_feed_texts_follow_the_members_language(client, monkeypatch):
    member = make_member(language="de", display_name="Bea Berg")
    make_meeting(member.memberships.get().group, local(2027, 3, 16), presenter=member)
    seen = []
    real = calendar_events.meeting_summary

    def spy(meeting):
        seen.append(translation.get_language())
        return real(meeting)

    monkeypatch.setattr(calendar_events, "meeting_summary", spy)
    get_feed(client, member, **{"Accept-Language": "en"})
    assert seen == ["de"]


def test_local_start_times_unchanged_across_dst_change(client):
    member = make_member()
    group = member.memberships.get().group
    meetings = [make_meeting(group, local(2027, 3, day)) for day in (16, 23, 30)] + [
        make_meeting(group, local(2027, 4, 6))
    ]
    data = get_feed(client, member).content

    parsed = events(data)
    for meeting in meetings:
        start = parsed[uid(meeting)]["DTSTART"].dt
        assert (start.hour, start.minute, start.tzinfo.key) == (19, 0, "Europe/Berlin")
    utc_hours = [parsed[uid(m)]["DTSTART"].dt.astimezone(dt.UTC).hour for m in meetings]
    assert utc_hours == [18, 18, 17, 17]

    result = parse_with_ical_js(data)
    by_uid = {item["uid"]: item for item in result["events"]}
    for meeting in meetings:
        start = by_uid[uid(meeting)]["start"]
        assert start["zone"] == "Europe/Berlin"
        assert start["local"].endswith("T19:00:00")
        assert start["utc"] == meeting.starts_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_vtimezone_for_each_tzid(client):
    member = make_member(time_zone="Europe/London")
    group = member.memberships.get().group
    make_meeting(group, local(2027, 3, 16))
    make_meeting(group, local(2027, 3, 18, zone=ZoneInfo("America/New_York")))
    data = get_feed(client, member).content

    tzids = {
        line.split("TZID=")[1].split(":")[0]
        for line in unfolded_lines(data)
        if line.startswith(("DTSTART;TZID=", "DTEND;TZID="))
    }
    assert tzids == {"Europe/Berlin", "America/New_York"}
    zones = {str(vtimezone["TZID"]) for vtimezone in parse(data).walk("VTIMEZONE")}
    assert zones == {"Europe/Berlin", "America/New_York", "Europe/London"}
    assert set(parse_with_ical_js(data)["timezones"]) == zones


def test_moved_meeting_keeps_its_uid_with_a_higher_sequence(client, frozen):
    member = make_member()
    meeting = make_meeting(member.memberships.get().group, local(2027, 3, 16))
    before = get_feed(client, member)

    frozen.shift(dt.timedelta(minutes=5))
    meeting.starts_at += dt.timedelta(days=1)
    meeting.ends_at += dt.timedelta(days=1)
    meeting.sequence += 1
    meeting.save()
    after = get_feed(client, member, **{"If-None-Match": before["ETag"]})

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    event = events(after.content)[uid(meeting)]
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"].dt == local(2027, 3, 17)
    (item,) = parse_with_ical_js(after.content)["events"]
    assert (item["uid"], item["sequence"]) == (uid(meeting), 1)
    assert item["start"]["local"] == "2027-03-17T19:00:00"


def test_cancelled_meeting_has_status_cancelled_and_disappears_after_30_days(client, frozen):
    member = make_member()
    meeting = make_meeting(
        member.memberships.get().group,
        local(2027, 3, 16),
        status=MeetingStatus.CANCELLED,
        cancel_reason="Krankheit",
        sequence=1,
    )
    event = events(get_feed(client, member).content)[uid(meeting)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("Cancelled: ")
    assert "Krankheit" in str(event["DESCRIPTION"])
    (item,) = parse_with_ical_js(get_feed(client, member).content)["events"]
    assert item["status"] == "CANCELLED"

    frozen.move_to(NOW + dt.timedelta(days=29))
    assert uid(meeting) in events(get_feed(client, member).content)
    frozen.move_to(NOW + dt.timedelta(days=31))
    assert uid(meeting) not in events(get_feed(client, member).content)


def test_skipped_meetings_in_pauses_are_absent(client):
    member = make_member()
    group = member.memberships.get().group
    held = make_meeting(group, local(2027, 3, 16))
    skipped = make_meeting(group, local(2027, 3, 30), status=MeetingStatus.SKIPPED)

    data = get_feed(client, member).content
    assert set(events(data)) == {uid(held)}
    assert uid(skipped) not in data.decode()


def test_member_who_left_sees_none_of_that_groups_meetings(client):
    member = make_member()
    left = member.memberships.get()
    old_meeting = make_meeting(left.group, local(2027, 3, 2))
    future_meeting = make_meeting(left.group, local(2027, 3, 16))
    other_group = GroupFactory()
    make_member(other_group)  # someone else, so the group is not empty
    from tests.factories import MembershipFactory

    MembershipFactory(group=other_group, user=member)
    kept = make_meeting(other_group, local(2027, 3, 17))
    left.left_at = NOW - dt.timedelta(hours=1)
    left.save()

    parsed = events(get_feed(client, member).content)
    assert uid(kept) in parsed
    assert uid(future_meeting) not in parsed
    assert uid(old_meeting) not in parsed


def test_feed_window_is_90_days_back_to_the_horizon(client, settings):
    settings.MEETING_HORIZON_DAYS = 365
    member = make_member()
    group = member.memberships.get().group
    too_old = make_meeting(group, NOW - dt.timedelta(days=92))
    recent = make_meeting(group, NOW - dt.timedelta(days=88))
    far = make_meeting(group, NOW + dt.timedelta(days=360))
    too_far = make_meeting(group, NOW + dt.timedelta(days=370))

    parsed = events(get_feed(client, member).content)
    assert uid(recent) in parsed and uid(far) in parsed
    assert uid(too_old) not in parsed and uid(too_far) not in parsed


def test_staff_feed_includes_all_active_groups(client):
    staff = StaffFactory(language="en")
    active = make_meeting(GroupFactory(), local(2027, 3, 16))
    ended = make_meeting(GroupFactory(status=GroupStatus.ENDED), local(2027, 3, 17))
    parsed = events(get_feed(client, staff).content)
    assert uid(active) in parsed
    assert uid(ended) not in parsed


def test_unknown_or_malformed_token_is_404(client):
    make_member()
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get("/calendar/" + "a" * 100 + ".ics").status_code == 404


def test_inactive_user_feed_is_404(client):
    member = make_member()
    url = feed_url(member)
    member.is_active = False
    member.save()
    assert client.get(url).status_code == 404


# ------------------------------------------------------------------------------ HTTP


def test_matching_etag_answers_304_without_building(client, monkeypatch, django_assert_num_queries):
    member = make_member()
    make_meeting(member.memberships.get().group, local(2027, 3, 16))
    first = get_feed(client, member)
    assert first["Cache-Control"] == "private, max-age=300"
    monkeypatch.setattr(calendar, "build_feed", lambda state: pytest.fail("built the feed"))
    monkeypatch.setattr(calendar, "feed_meetings", lambda **kw: pytest.fail("loaded meetings"))

    url = feed_url(member)
    # Validators from Redis (meetings.calendar.feed_cache); without it, from the database.
    with django_assert_num_queries(0 if feed_cache.shared() else 2):
        response = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == first["ETag"]


def test_if_modified_since_answers_304_and_sees_newer_changes(client, frozen):
    member = make_member()
    meeting = make_meeting(member.memberships.get().group, local(2027, 3, 16))
    first = get_feed(client, member)

    response = get_feed(client, member, **{"If-Modified-Since": first["Last-Modified"]})
    assert response.status_code == 304

    frozen.shift(dt.timedelta(minutes=10))
    meeting.status = MeetingStatus.SKIPPED  # drops out of the feed: must not be a 304
    meeting.save()
    response = get_feed(client, member, **{"If-Modified-Since": first["Last-Modified"]})
    assert response.status_code == 200
    assert events(response.content) == {}


def test_if_modified_since_sees_leaving_a_group(client, frozen):
    member = make_member()
    membership = member.memberships.get()
    make_meeting(membership.group, local(2027, 3, 16))
    first = get_feed(client, member)
    frozen.shift(dt.timedelta(hours=1))
    membership.left_at = NOW + dt.timedelta(minutes=30)
    membership.save()

    response = get_feed(client, member, **{"If-Modified-Since": first["Last-Modified"]})
    assert response.status_code == 200
    assert events(response.content) == {}


def test_head_returns_headers_without_body(client):
    member = make_member()
    make_meeting(member.memberships.get().group, local(2027, 3, 16))
    full = get_feed(client, member)
    response = client.head(feed_url(member))
    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"] == full["ETag"]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Length"] == str(len(full.content))
    assert response["Last-Modified"] == full["Last-Modified"]


def test_post_to_feed_is_not_allowed(client):
    member = make_member()
    assert client.post(feed_url(member)).status_code == 405


def test_last_modified_is_the_newest_change(client):
    member = make_member()
    meeting = make_meeting(member.memberships.get().group, local(2027, 3, 16))
    response = get_feed(client, member)
    assert response["Last-Modified"] == http_date(meeting.updated_at.timestamp())


@pytest.mark.parametrize(
    "change",
    ["hot_seat", "agenda", "group_link", "language", "new_meeting"],
)
def test_etag_changes_with_what_the_feed_shows(client, frozen, change):
    member = make_member()
    group = member.memberships.get().group
    meeting = make_meeting(group, local(2027, 3, 16))
    before = get_feed(client, member)["ETag"]
    if change == "hot_seat":
        HotSeatFactory(meeting=meeting, user=member)
    elif change == "agenda":
        AgendaItemFactory(group=group, minutes=20)
    elif change == "group_link":
        group.video_url = "https://meet.example.org/new"
        group.save()
    elif change == "language":
        member.language = "de"
        member.save()
    else:
        make_meeting(group, local(2027, 3, 30))
    response = get_feed(client, member, **{"If-None-Match": before})
    assert response.status_code == 200
    assert response["ETag"] != before


def test_the_body_is_built_once_and_served_from_the_cache(client, monkeypatch):
    member = make_member()
    make_meeting(member.memberships.get().group, local(2027, 3, 16))
    builds = []
    real = calendar.build_feed
    monkeypatch.setattr(calendar, "build_feed", lambda state: builds.append(1) or real(state))
    first = get_feed(client, member)
    second = get_feed(client, member)
    assert builds == [1]
    assert first.content == second.content


@pytest.mark.parametrize(("group_count", "meeting_count"), [(1, 1), (3, 100)])
def test_feed_query_count_does_not_grow(
    client, django_assert_max_num_queries, group_count, meeting_count
):
    member = make_member()
    groups = [member.memberships.get().group]
    from tests.factories import MembershipFactory

    for _ in range(group_count - 1):
        groups.append(MembershipFactory(user=member).group)
    for group in groups:
        standard_agenda(group)
    for index in range(meeting_count):
        group = groups[index % len(groups)]
        meeting = make_meeting(group, NOW + dt.timedelta(days=3 + index))
        HotSeatFactory(meeting=meeting, user=member)
    url = feed_url(member)

    with django_assert_max_num_queries(5):
        response = client.get(url)
    assert len(events(response.content)) == meeting_count
    with django_assert_max_num_queries(2):
        assert client.get(url).status_code == 200  # cached body


def test_feed_validator_is_stable_for_unchanged_data(client):
    member = make_member()
    make_meeting(member.memberships.get().group, local(2027, 3, 16))
    assert get_feed(client, member)["ETag"] == get_feed(client, member)["ETag"]


def test_feed_of_berlin_member_is_parsed_by_ical_js_with_statuses(client):
    member = make_member()
    group = member.memberships.get().group
    make_meeting(group, local(2027, 3, 16), sequence=3)
    make_meeting(group, local(2027, 3, 30), status=MeetingStatus.CANCELLED)
    result = parse_with_ical_js(get_feed(client, member).content)
    assert result["method"] is None
    assert [(e["status"], e["sequence"]) for e in result["events"]] == [
        ("CONFIRMED", 3),
        ("CANCELLED", 0),
    ]
    assert all(e["start"]["zone"] == "Europe/Berlin" for e in result["events"])
    assert BERLIN.key in result["timezones"]
