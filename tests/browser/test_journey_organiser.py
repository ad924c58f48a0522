"""Journey, part 2: the organiser accepts applications and creates groups with schedules."""

from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from groups.models import ApplicationStatus, Group, Membership, Weekday
from meetings.models import HotSeat, Meeting
from tests.browser.helpers import next_weekday, open_intake, screenshot, tr
from tests.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long organiser passphrase"


def sign_in_to_admin(page, live_server, *, email: str, password: str) -> None:
    """The admin's sign-in hands over to the site's rate-limited one (password form)."""
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_url("**/accounts/login/**")
    page.click("details.panel summary")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.locator("details.panel form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/")


def accept_all_applications(page) -> None:
    page.get_by_role("link", name=tr(page, "applications").capitalize(), exact=True).click()
    page.wait_for_url("**/admin/groups/application/")
    screenshot(page, "journey-admin-applications")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "accept")
    page.get_by_role("button", name=tr(page, "Go")).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_organiser_accepts_forms_groups_and_sets_a_schedule(browser_page, live_server):
    page = browser_page
    intake = open_intake(language=page.language, size=5)
    organiser = StaffFactory(
        email="orga@example.org", display_name="Olga Ott", language=page.language
    )
    organiser.set_password(PASSWORD)
    organiser.save()

    sign_in_to_admin(
        page, live_server, email=organiser.email, password="a long organiser passphrase"
    )
    accept_all_applications(page)
    assert "5" in page.inner_text(".messagelist")
    accepted = intake.applications.filter(status=ApplicationStatus.ACCEPTED)
    assert accepted.count() == 5

    # The intake's admin page links to the staff page that proposes the groups.
    page.goto(f"{live_server.url}/admin/groups/intake/{intake.pk}/change/")
    page.locator(".object-tools").get_by_role("link", name=tr(page, "Propose groups")).click()
    page.wait_for_url(f"**/organise/intakes/{intake.pk}/proposal/")
    page.get_by_role("button", name=tr(page, "Propose groups")).click()
    page.wait_for_load_state()
    assert page.locator(".proposal-group").count() == 1
    assert page.locator(".proposal-group .proposal-members li").count() == 5
    screenshot(page, "journey-proposal")

    # One confirmation page creates the group with its schedule: every two weeks on
    # Tuesdays at 19:00 (the evening the group was formed around), from next Tuesday on.
    page.get_by_role("link", name=tr(page, "Check schedules and create groups")).click()
    page.wait_for_url(f"**/organise/intakes/{intake.pk}/groups/create/")
    assert page.input_value("#id_form-0-weekday") == str(Weekday.TUESDAY.value)
    assert page.input_value("#id_form-0-start_time") == "19:00"
    first = next_weekday(Weekday.TUESDAY)
    page.fill("#id_start", first.isoformat())
    page.get_by_role("button", name=tr(page, "Apply to all groups")).click()
    page.wait_for_load_state()
    assert page.input_value("#id_form-0-first_date") == first.isoformat()
    page.fill("#id_form-0-every_weeks", "2")
    page.fill("#id_form-0-duration_minutes", "90")
    screenshot(page, "journey-create-groups")
    page.get_by_role("button", name=tr(page, "Create groups and meetings")).click()
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator(".messagelist .error").count() == 0, page.inner_text(".messagelist")
    (group,) = Group.objects.filter(intake=intake)
    assert Membership.objects.filter(group=group).count() == 5
    welcomed = {address for m in mail.outbox for address in m.to}
    assert welcomed == {a.email for a in accepted}
    screenshot(page, "journey-groups-created")

    meetings = list(Meeting.objects.filter(group=group).order_by("starts_at"))
    assert len(meetings) >= 20, "a year ahead, every two weeks"
    first_local = meetings[0].starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert (first_local.date(), first_local.hour, first_local.minute) == (first, 19, 0)
    assert (meetings[0].ends_at - meetings[0].starts_at).total_seconds() == 90 * 60
    # Every meeting has a presenter, and the first five are five different people.
    assert HotSeat.objects.filter(meeting__group=group).count() == len(meetings)
    first_five = {HotSeat.objects.get(meeting=m).user_id for m in meetings[:5]}
    assert len(first_five) == 5
