"""The member's calendar page, renewing the feed address, the preference, and .ics downloads."""

import datetime as dt

import pytest
from django.urls import reverse

from meetings.calendar.feed import RENEWALS_PER_HOUR, settings_for
from meetings.demo.calendar import seed
from meetings.models import MeetingStatus, MemberSettings
from tests.factories import GroupFactory, MembershipFactory, StaffFactory, UserFactory
from tests.meetings.calendar.helpers import (
    NOW,
    events,
    feed_url,
    local,
    make_meeting,
    make_member,
    parse_with_ical_js,
    uid,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

PAGE = "/calendar/"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", PAGE),
        ("post", "/calendar/renew/"),
        ("post", "/calendar/invitations/"),
        ("get", "/meetings/1/calendar.ics"),
    ],
)
def test_anonymous_is_sent_to_sign_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_urls_have_the_documented_names():
    assert reverse("meetings:calendar") == PAGE
    assert reverse("meetings:feed", kwargs={"token": "abc"}) == "/calendar/abc.ics"
    assert reverse("meetings:meeting_ics", kwargs={"pk": 7}) == "/meetings/7/calendar.ics"


def test_page_shows_webcal_and_https_links_copy_button_and_instructions(client):
    member = make_member()
    client.force_login(member)
    assert not MemberSettings.objects.filter(user=member).exists()

    response = client.get(PAGE)

    assert response.status_code == 200
    token = MemberSettings.objects.get(user=member).feed_token  # created lazily
    html = response.content.decode()
    assert f'href="webcal://mastermind.test/calendar/{token}.ics"' in html
    assert f'value="https://mastermind.test/calendar/{token}.ics" readonly' in html
    assert 'data-copy-target="feed-url"' in html
    assert "data-copied-label=" in html
    for app in ("Google Calendar", "Apple Calendar", "Outlook", "Thunderbird"):
        assert app in html
    assert "calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fmastermind.test" in html
    assert 'action="/calendar/renew/"' in html
    assert 'name="calendar_invitations"' in html
    assert "css/calendar.css" in html


@pytest.mark.parametrize("group_count", [1, 3])
def test_page_query_count_does_not_grow_with_groups(
    client, django_assert_max_num_queries, group_count
):
    member = make_member()
    for _ in range(group_count - 1):
        MembershipFactory(user=member)
    settings_for(member)
    client.force_login(member)
    with django_assert_max_num_queries(4):
        assert client.get(PAGE).status_code == 200


def test_settings_for_creates_settings_once():
    user = UserFactory()
    first = settings_for(user)
    assert settings_for(user).pk == first.pk
    assert len(first.feed_token) >= 43  # 32 random bytes


def test_renewing_makes_the_old_url_answer_404_and_the_new_one_work(client):
    member = make_member()
    old_url = feed_url(member)
    assert client.get(old_url).status_code == 200
    client.force_login(member)

    response = client.post("/calendar/renew/")

    assert response.status_code == 302
    assert response["Location"] == PAGE
    new_url = feed_url(member)
    assert new_url != old_url
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_renewing_is_rate_limited(client):
    member = make_member()
    client.force_login(member)
    for _ in range(RENEWALS_PER_HOUR):
        client.post("/calendar/renew/")
    token = settings_for(member).feed_token

    response = client.post("/calendar/renew/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 429
    assert settings_for(member).feed_token == token
    assert "too often" in response.content.decode()


def test_renewing_needs_post(client):
    member = make_member()
    token = settings_for(member).feed_token
    client.force_login(member)
    assert client.get("/calendar/renew/").status_code == 405
    assert settings_for(member).feed_token == token


def test_invitation_preference_is_turned_on_and_off(client):
    member = make_member()
    client.force_login(member)

    client.post("/calendar/invitations/", {"calendar_invitations": "on"})
    assert settings_for(member).calendar_invitations is True
    assert "checked" in client.get(PAGE).content.decode()

    client.post("/calendar/invitations/", {})
    assert settings_for(member).calendar_invitations is False


def test_staff_page_mentions_the_organiser_feed(client):
    staff = StaffFactory(language="en")
    client.force_login(staff)
    assert "every active group" in client.get(PAGE).content.decode()


# ----------------------------------------------------------------------- one meeting .ics


def test_member_downloads_a_meeting_as_ics(client):
    member = make_member()
    meeting = make_meeting(member.memberships.get().group, local(2027, 3, 16), presenter=member)
    client.force_login(member)

    response = client.get(f"/meetings/{meeting.pk}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mastermind-2027-03-16.ics"'
    event = events(response.content)[uid(meeting)]
    assert event["DTSTART"].dt == local(2027, 3, 16)
    (item,) = parse_with_ical_js(response.content)["events"]
    assert item["uid"] == uid(meeting)
    assert item["start"]["local"] == "2027-03-16T19:00:00"


def test_staff_can_download_any_meeting(client):
    meeting = make_meeting(GroupFactory(), local(2027, 3, 16))
    client.force_login(StaffFactory())
    assert client.get(f"/meetings/{meeting.pk}/calendar.ics").status_code == 200


def test_non_member_former_member_and_skipped_meetings_are_404(client):
    member = make_member()
    group = member.memberships.get().group
    meeting = make_meeting(group, local(2027, 3, 16))
    skipped = make_meeting(group, local(2027, 3, 30), status=MeetingStatus.SKIPPED)

    client.force_login(make_member())  # member of another group
    assert client.get(f"/meetings/{meeting.pk}/calendar.ics").status_code == 404

    former = make_member(group)
    former.memberships.update(left_at=NOW - dt.timedelta(days=1))
    client.force_login(former)
    assert client.get(f"/meetings/{meeting.pk}/calendar.ics").status_code == 404

    client.force_login(member)
    assert client.get(f"/meetings/{skipped.pk}/calendar.ics").status_code == 404
    assert client.get("/meetings/999999/calendar.ics").status_code == 404


# ---------------------------------------------------------------------------------- demo


def test_demo_reports_the_feed_url_of_the_first_member():
    report: list[str] = []
    seed(report)
    assert report == []

    member = make_member()
    seed(report)
    assert (
        report[0]
        == f"Calendar:  https://mastermind.test/calendar/{settings_for(member).feed_token}.ics"
    )
    assert member.email in report[1]
