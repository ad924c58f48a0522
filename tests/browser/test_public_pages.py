import pytest

from tests.browser.helpers import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_home_and_sign_in_are_accessible(browser_page, live_server):
    page = browser_page
    page.goto(f"{live_server.url}/")
    expected = "Gemeinsam wachsen" if page.language == "de" else "Grow together"
    assert expected in page.inner_text("h1")
    screenshot(page, "home")
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "sign-in")
    assert axe_violations(page) == []


def test_language_switcher_changes_the_language(browser_page, live_server):
    page = browser_page
    page.goto(f"{live_server.url}/")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert "Grow together" in page.inner_text("h1")
