"""The organiser's round as one flow, at 1280 px, in German and English (issue 14).

From an intake with 20 confirmed applications: review (accept all), send the decisions
(with the confirmation page), propose groups, confirm the groups *with* their schedules on
one page, and find them on the organiser's home with their first meetings at the local
times chosen. Every page of the flow fits 1280 px; axe finds no serious or critical
violation on the home page, the proposal page and the notifications log.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, translation

from groups.models import ApplicationStatus, Group
from meetings.models import Meeting, Schedule
from tests.browser.helpers import axe_violations, screenshot, tr
from tests.browser.test_journey_organiser import PASSWORD, sign_in_to_admin
from tests.factories import ApplicationFactory, IntakeFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BERLIN = ZoneInfo("Europe/Berlin")


def twenty_applications(language: str):
    intake = IntakeFactory(title="Runde 2027", slug=f"runde-{language}", min_group_size=4)
    for i in range(20):
        ApplicationFactory(
            intake=intake,
            name=f"Person {i:02d}",
            email=f"person{i}@example.org",
            topics=["SEO", "Podcasting"] if i % 2 else ["SEO", "Ads"],
            availability=["tue-19"] if i < 10 else ["thu-20"],
            language=language,
        )
    return intake


def fits(page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    seen = page.evaluate("document.documentElement.clientWidth")
    assert wide <= seen, f"{page.url} scrolls sideways: {wide} > {seen}"


def no_serious_axe(page) -> None:
    assert axe_violations(page) == [], page.url


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_organiser_runs_the_round_from_applications_to_meetings(browser_page, live_server):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    intake = twenty_applications(page.language)
    organiser = StaffFactory(email="orga@example.org", language=page.language)
    organiser.set_password(PASSWORD)
    organiser.save()
    sign_in_to_admin(page, live_server, email=organiser.email, password=PASSWORD)
    fits(page)
    screenshot(page, "round-1-home-before")

    # Review: accept all twenty.
    page.goto(f"{live_server.url}/admin/groups/application/?intake__id__exact={intake.pk}")
    fits(page)
    page.check("#action-toggle")
    page.select_option("select[name=action]", "accept")
    page.get_by_role("button", name=tr(page, "Go")).click()
    page.wait_for_load_state()
    assert "20" in page.inner_text(".messagelist")
    assert intake.applications.filter(status=ApplicationStatus.ACCEPTED).count() == 20
    screenshot(page, "round-2-reviewed")

    # Decisions: the confirmation page says how many go out before anything is sent.
    page.goto(f"{live_server.url}/admin/groups/intake/")
    page.check(f"input[name=_selected_action][value='{intake.pk}']")
    page.select_option("select[name=action]", "send_intake_decisions")
    page.get_by_role("button", name=tr(page, "Go")).click()
    page.wait_for_load_state()
    assert "20" in page.inner_text("#content")
    fits(page)
    screenshot(page, "round-3-decisions-confirm")
    page.get_by_role("button", name=tr(page, "Yes, send the decisions")).click()
    page.wait_for_load_state()
    assert intake.applications.exclude(decision_sent_status="").count() == 20

    # Proposal.
    page.goto(f"{live_server.url}/organise/intakes/{intake.pk}/proposal/")
    page.get_by_role("button", name=tr(page, "Propose groups")).click()
    page.wait_for_load_state()
    assert page.locator(".proposal-group").count() == 4
    fits(page)
    no_serious_axe(page)
    screenshot(page, "round-4-proposal")

    # One confirmation page creates the groups with their schedules; group A moves to 19:30.
    page.get_by_role("link", name=tr(page, "Check schedules and create groups")).click()
    page.wait_for_url(f"**/organise/intakes/{intake.pk}/groups/create/")
    fits(page)
    no_serious_axe(page)
    start = dt.date.today() + dt.timedelta(days=14)
    page.fill("#id_start", start.isoformat())
    page.get_by_role("button", name=tr(page, "Apply to all groups")).click()
    page.wait_for_load_state()
    page.fill("#id_form-0-start_time", "19:30")
    chosen = [
        (
            int(page.input_value(f"#id_form-{i}-weekday")),
            page.input_value(f"#id_form-{i}-start_time"),
        )
        for i in range(4)
    ]
    assert {c[0] for c in chosen} == {1, 3}  # Tuesday and Thursday evenings
    screenshot(page, "round-5-create-groups")
    page.get_by_role("button", name=tr(page, "Create groups and meetings")).click()
    page.wait_for_url(f"{live_server.url}/admin/")

    # The home shows the four groups with their first meetings at the times chosen.
    groups = list(Group.objects.filter(intake=intake).order_by("pk"))
    assert len(groups) == 4
    body = page.inner_text("#home-groups")
    for group, (weekday, clock) in zip(groups, chosen, strict=True):
        schedule = Schedule.objects.get(group=group)
        assert (schedule.weekday, schedule.start_time.strftime("%H:%M")) == (weekday, clock)
        first = Meeting.objects.filter(group=group).order_by("starts_at").first()
        local = first.starts_at.astimezone(BERLIN)
        assert local.strftime("%H:%M") == clock and local.weekday() == weekday
        assert local.date() >= start
        with translation.override(page.language):
            shown = formats.time_format(local.time(), "TIME_FORMAT")
        assert group.name in body
        assert shown in body, (shown, body)
    fits(page)
    no_serious_axe(page)
    screenshot(page, "round-6-home-after")

    # The notifications log: welcome and decision emails, readable.
    page.goto(f"{live_server.url}/admin/mastermind/notification/")
    fits(page)
    no_serious_axe(page)
    screenshot(page, "round-7-notifications")
