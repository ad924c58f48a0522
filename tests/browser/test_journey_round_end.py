"""Journey, part 4: where a round used to fall apart (issue 13).

An accepted applicant who is in a group opens "withdraw" from her first email; the
organiser gives the group a new video link and then ends it in the admin. After each
step the member's calendar feed is fetched over HTTP from the live server, as a
calendar app would.
"""

import urllib.request

import pytest
from django.utils import timezone
from icalendar import Calendar

from groups import signing
from groups.models import Membership
from meetings.calendar import feed as calendar
from meetings.models import Meeting, MeetingStatus
from tests.browser.helpers import axe_violations, member_group, screenshot, tr
from tests.browser.test_journey_organiser import PASSWORD, sign_in_to_admin
from tests.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def feed_calendar(live_server, user) -> Calendar:
    path = calendar.feed_path(calendar.settings_for(user))
    with urllib.request.urlopen(f"{live_server.url}{path}") as response:  # noqa: S310
        return Calendar.from_ical(response.read())


def feed_events(live_server, user) -> dict[str, str]:
    """UID -> STATUS of the future events in the user's feed, read over HTTP."""
    path = calendar.feed_path(calendar.settings_for(user))
    with urllib.request.urlopen(f"{live_server.url}{path}") as response:  # noqa: S310
        body = response.read()
    now = timezone.now()
    return {
        str(event["UID"]): str(event.get("STATUS", "CONFIRMED"))
        for event in Calendar.from_ical(body).walk("VEVENT")
        if event.decoded("DTSTART") > now
    }


def held_uids(group) -> set[str]:
    from django.conf import settings

    from meetings.calendar.ical import event_uid

    return {
        event_uid(pk, settings.SITE_DOMAIN)
        for pk in Meeting.objects.filter(
            group=group, starts_at__gt=timezone.now(), status=MeetingStatus.SCHEDULED
        ).values_list("pk", flat=True)
    }


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_a_placed_applicant_cannot_withdraw_and_an_ended_group_leaves_the_feed(
    browser_page, live_server
):
    page = browser_page
    group, users = member_group(language=page.language)
    member = users[0]
    application = Membership.objects.get(group=group, user=member).application
    before = feed_events(live_server, member)
    assert held_uids(group) <= set(before)

    # 1. "Withdraw my application" from her first email: refused, with the way out.
    token = signing.make(signing.APPLICATION_MANAGE, pk=application.pk, email=application.email)
    page.goto(f"{live_server.url}/apply/withdraw/{token}/")
    screenshot(page, "journey-withdraw-placed")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert group.name in heading
    assert page.get_by_role("link", name=tr(page, "Leave the group")).count() == 1
    assert axe_violations(page) == []
    assert Membership.objects.get(group=group, user=member).left_at is None
    assert feed_events(live_server, member) == before  # nothing changed

    organiser = StaffFactory(language=page.language)
    organiser.set_password(PASSWORD)
    organiser.save()
    sign_in_to_admin(page, live_server, email=organiser.email, password=PASSWORD)

    # 2. The organiser moves the group to a new video room: every future event says so.
    new_link = "https://meet.example.org/neuer-raum"
    page.goto(f"{live_server.url}/admin/groups/group/{group.pk}/change/")
    page.fill("#id_video_url", new_link)
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    screenshot(page, "journey-video-link-changed")
    future = [
        event
        for event in feed_calendar(live_server, member).walk("VEVENT")
        if event.decoded("DTSTART") > timezone.now()
    ]
    assert future and all(str(event["LOCATION"]) == new_link for event in future)

    # 3. The organiser ends the group in the admin.
    page.goto(f"{live_server.url}/admin/groups/group/")
    page.check(f"input[name=_selected_action][value='{group.pk}']")
    page.select_option("select[name=action]", "end_groups")
    page.get_by_role("button", name=tr(page, "Go")).click()
    page.wait_for_load_state()
    screenshot(page, "journey-group-ended")

    after = feed_events(live_server, member)
    assert held_uids(group) == set()
    assert all(status == "CANCELLED" for status in after.values()), after
    assert not Meeting.objects.filter(
        group=group, starts_at__gt=timezone.now(), status=MeetingStatus.SCHEDULED
    ).exists()
