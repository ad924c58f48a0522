"""The organiser's lists and home fit 1280 px without scrolling sideways (issue 14)."""

import pytest
from django.utils import timezone

from groups.models import ApplicationStatus, Group
from tests.browser.helpers import axe_violations, open_intake, screenshot
from tests.browser.test_journey_organiser import PASSWORD, sign_in_to_admin
from tests.factories import ApplicationFactory, StaffFactory
from tests.meetings.dashboard.helpers import make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTS = ("/admin/groups/application/?confirmed=all", "/admin/groups/intake/")


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_application_and_intake_lists_fit_1280_px(browser_page, live_server):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    intake = open_intake(language=page.language, size=5)
    for i in range(15):
        ApplicationFactory(
            intake=intake,
            name=f"Maximiliane Mustermann-Schulze {i}",
            email=f"maximiliane.mustermann-schulze.{i}@example.org",
            topics=["Content Strategy", "Online Marketing", "Personal Branding"],
            availability=["mon-19", "tue-19", "wed-20", "thu-19"],
            status=ApplicationStatus.ACCEPTED,
        )
    organiser = StaffFactory(language=page.language)
    organiser.set_password(PASSWORD)
    organiser.save()
    sign_in_to_admin(page, live_server, email=organiser.email, password=PASSWORD)
    for path in LISTS:
        page.goto(f"{live_server.url}{path}")
        screenshot(page, "admin-list-" + path.split("?")[0].strip("/").split("/")[-1])
        overflow = page.evaluate(
            """() => {
                const table = document.querySelector('#result_list');
                const box = table.closest('.results') || table.parentElement;
                return [table.scrollWidth, box.clientWidth,
                        document.documentElement.scrollWidth,
                        document.documentElement.clientWidth];
            }"""
        )
        table, box, doc, viewport = overflow
        assert table <= box and doc <= viewport, f"{path} scrolls sideways: {overflow}"


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_the_organisers_home_fits_1280_px_and_passes_axe(browser_page, live_server):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    intake = open_intake(language=page.language, size=5)
    make_round(8, now=timezone.now())
    without = make_round(1, schedules=False, now=timezone.now())[0]
    without.name = "Maximiliane Mustermann-Schulzes Mastermind für Selbstständige"
    without.save()
    Group.objects.filter(pk=without.pk).update(intake=intake)
    organiser = StaffFactory(language=page.language)
    organiser.set_password(PASSWORD)
    organiser.save()
    sign_in_to_admin(page, live_server, email=organiser.email, password=PASSWORD)
    page.wait_for_selector("#home-groups svg.spark")
    screenshot(page, "admin-organiser-home")
    overflow = page.evaluate(
        """() => [...document.querySelectorAll('.home-scroll')].map(
                box => [box.scrollWidth, box.clientWidth]).concat(
                [[document.documentElement.scrollWidth, document.documentElement.clientWidth]])"""
    )
    assert all(wide <= box for wide, box in overflow), f"the home scrolls sideways: {overflow}"
    width = page.evaluate("() => document.querySelector('#home-groups').offsetWidth")
    assert width >= 1100, f"the round does not take the page's width: {width} px"
    related = page.evaluate(
        "() => document.querySelector('#content-related').getBoundingClientRect().top"
        " > document.querySelector('#home-groups').getBoundingClientRect().bottom"
    )
    assert related, "the recent actions sit below the round, beside the admin's list"
    assert axe_violations(page) == []
