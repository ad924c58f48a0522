"""The organiser's lists fit 1280 px without scrolling sideways (issue 14)."""

import pytest

from groups.models import ApplicationStatus
from tests.browser.helpers import open_intake, screenshot
from tests.browser.test_journey_organiser import PASSWORD, sign_in_to_admin
from tests.factories import ApplicationFactory, StaffFactory

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
