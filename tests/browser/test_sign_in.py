import re

import pytest
from django.core import mail

from tests.browser.helpers import axe_violations, screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_member_signs_in_with_an_emailed_code(browser_page, live_server):
    page = browser_page
    UserFactory(email="mia@example.org", display_name="Mia Muster", language=page.language)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_code_email", "mia@example.org")
    page.click(
        "text="
        + ("Anmeldecode per E-Mail senden" if page.language == "de" else "Email me a sign-in code")
    )
    page.wait_for_url("**/accounts/login/code/confirm/")
    screenshot(page, "sign-in-code")
    assert axe_violations(page) == []
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body).group(1)
    page.fill("input[name=code]", code)
    page.get_by_role("button", name="Bestätigen" if page.language == "de" else "Confirm").click()
    page.wait_for_load_state()
    assert (
        page.locator("button", has_text="Abmelden" if page.language == "de" else "Sign out").count()
        == 1
    )
