"""Journey, part 3: a member signs in by code and uses the group, meeting and calendar pages."""

import pytest
from django.conf import settings
from django.utils import timezone

from meetings.calendar import feed as calendar
from meetings.models import Absence, Commitment, Meeting, Preparation
from tests.browser.helpers import (
    axe_violations,
    member_group,
    presenter_meetings,
    presenters,
    screenshot,
    sign_in_by_code,
    tr,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journey(browser_page):
    """The group as the organiser left it, and the member presenting at its first meeting."""
    group, users = member_group(language=browser_page.language)
    upcoming = Meeting.objects.filter(group=group, starts_at__gt=timezone.now())
    first = upcoming.order_by("starts_at")[0]
    (member,) = [u for u in users if u.pk in presenters(first)]
    browser_page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    return group, member, first


def accessible(page) -> None:
    assert axe_violations(page) == [], page.url


def nav(page, label: str) -> None:
    page.get_by_role("navigation", name=tr(page, "Main navigation")).get_by_role(
        "link", name=tr(page, label), exact=True
    ).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_member_sees_the_next_hot_seat_and_hands_it_on_when_absent(
    browser_page, live_server, journey
):
    page = browser_page
    group, member, first = journey
    sign_in_by_code(page, live_server, member.email, check_accessibility=True)

    nav(page, "My groups")
    assert tr(page, "My groups") in page.inner_text("h1")
    screenshot(page, "journey-my-groups")
    accessible(page)

    page.get_by_role("link", name=group.name).click()
    page.wait_for_url(f"**/groups/{group.pk}/")
    next_row = page.locator(".meetings-section tbody tr").first
    assert member.first_name in next_row.locator("td").nth(1).inner_text()
    screenshot(page, "journey-group")
    accessible(page)

    next_row.get_by_role("link").click()
    page.wait_for_url(f"**/meetings/{first.pk}/")
    hot_seat = page.locator("section", has=page.get_by_role("heading", name=tr(page, "Hot seat")))
    assert f"{member.first_name} ({tr(page, 'you')})" in hot_seat.inner_text()
    screenshot(page, "journey-meeting")
    accessible(page)

    # "I can't come": the seat goes to the next in line, and the page says to whom.
    page.fill("#id_note", "Messe in Köln")
    page.get_by_role("button", name=tr(page, "I can't come")).click()
    page.wait_for_url(f"**/meetings/{first.pk}/")
    assert Absence.objects.filter(meeting=first, user=member).exists()
    (new_presenter,) = presenters(first)
    assert new_presenter != member.pk
    new_name = type(member).objects.get(pk=new_presenter).first_name
    noted = tr(page, "Noted: you can't come. %(names)s presents instead; the group can see it.")
    assert noted % {"names": new_name} in page.inner_text(".messages")
    assert hot_seat.inner_text().split("\n")[1:] == [new_name]
    assert tr(page, "I'll come after all") in page.inner_text("main")
    screenshot(page, "journey-meeting-absent")


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_member_copies_the_calendar_feed_address(browser_page, live_server, journey):
    page = browser_page
    _group, member, _first = journey
    sign_in_by_code(page, live_server, member.email)

    nav(page, "Calendar")
    feed_url = page.input_value("#feed-url")
    token = calendar.settings_for(member).feed_token
    assert feed_url == f"{settings.SITE_URL}/calendar/{token}.ics"
    assert feed_url.startswith("https://")
    copy = page.locator("[data-copy-target=feed-url]")
    assert copy.inner_text() == tr(page, "Copy")
    copy.click()
    page.wait_for_function(
        "label => document.querySelector('[data-copy-target=feed-url]').textContent === label",
        arg=tr(page, "Copied"),
    )
    assert page.evaluate("navigator.clipboard.readText()") == feed_url
    screenshot(page, "journey-calendar")
    accessible(page)

    nav(page, "Profile")
    screenshot(page, "journey-profile")
    accessible(page)


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_member_prepares_the_hot_seat_and_records_a_commitment(browser_page, live_server, journey):
    page = browser_page
    group, member, _first = journey
    sign_in_by_code(page, live_server, member.email)
    mine = presenter_meetings(member)[0]

    page.goto(f"{live_server.url}{mine.get_absolute_url()}")
    page.get_by_role("link", name=tr(page, "Prepare my hot seat")).click()
    page.wait_for_url(f"**/meetings/{mine.pk}/prepare/")
    page.fill("#id_story", "Mein Relaunch verzögert sich um zwei Monate.")
    page.fill("#id_value_for_others", "Was ich über Agenturverträge gelernt habe.")
    page.fill("#id_feedback_wanted", "Soll ich den Launch splitten?")
    screenshot(page, "journey-preparation")
    accessible(page)
    page.get_by_role("button", name=tr(page, "Save"), exact=True).click()
    page.wait_for_url(f"**/meetings/{mine.pk}/")
    assert tr(page, "Your preparation is saved; your group can read it.") in page.inner_text(
        ".messages"
    )
    assert "Soll ich den Launch splitten?" in page.inner_text("main")
    assert Preparation.objects.get(meeting=mine, user=member).feedback_wanted

    # The meeting three days ago: the member records what they will do by next time.
    page.goto(f"{live_server.url}/groups/{group.pk}/")
    page.locator(".meetings-section .plain-list a").first.click()
    page.get_by_label(tr(page, "By next time I will …")).fill("Vertrag mit der Agentur kündigen")
    page.get_by_role("button", name=tr(page, "Save my commitment")).click()
    page.wait_for_load_state()
    assert tr(page, "Your commitment is saved.") in page.inner_text(".messages")
    assert "Vertrag mit der Agentur kündigen" in page.inner_text("main")
    assert Commitment.objects.get(user=member).text == "Vertrag mit der Agentur kündigen"
    screenshot(page, "journey-commitments")
    accessible(page)

    # At the next meeting the group sees it under last time's commitments.
    page.goto(f"{live_server.url}/groups/{group.pk}/")
    page.locator(".meetings-section tbody tr").first.get_by_role("link").click()
    last_time = page.locator(
        "section", has=page.get_by_role("heading", name=tr(page, "Last time's commitments"))
    )
    assert "Vertrag mit der Agentur kündigen" in last_time.inner_text()
    last_time.get_by_role("button", name=tr(page, "Mark as done"), exact=True).click()
    page.wait_for_load_state()
    assert Commitment.objects.get(user=member).status == "done"
    assert "Vertrag mit der Agentur kündigen" in page.inner_text(".messages")
