"""Journey, part 1: a visitor applies, confirms by the emailed link, and edits the application."""

import pytest
from django.core import mail

from groups.models import Application
from tests.browser.helpers import axe_violations, emailed_link, last_mail_to, screenshot, tr
from tests.factories import IntakeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_application(page, *, email: str) -> None:
    page.fill("#id_name", "Mia Muster")
    page.fill("#id_email", email)
    page.fill("#id_about", "Ich berate kleine Online-Shops zu SEO und Newslettern.")
    page.get_by_label("Online Marketing", exact=True).check()
    page.get_by_label("SEO", exact=True).check()
    page.fill("#id_topics_other", "Preisgestaltung")
    page.fill("#id_expectations", "Ehrliches Feedback und feste Termine.")
    for slot in ("tue-19", "wed-20", "thu-19"):
        page.check(f"input[name=availability][value={slot}]")
    page.select_option("#id_time_zone", "Europe/Vienna")
    page.select_option("#id_language", page.language)
    page.check("#id_consent")


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_visitor_applies_confirms_by_email_and_edits_the_application(
    browser_page, live_server, settings
):
    page = browser_page
    # The pages and emails link absolutely to SITE_URL: here, the live server.
    settings.SITE_URL = live_server.url
    email = f"mia.{page.language}@example.org"
    intake = IntakeFactory(
        title="Marketing Mastermind",
        slug="marketing",
        topics=["Online Marketing", "Content Strategy", "SEO"],
    )

    page.goto(f"{live_server.url}/apply/{intake.slug}/")
    assert page.locator("html").get_attribute("lang") == page.language
    assert page.inner_text("h1") == "Marketing Mastermind"
    assert axe_violations(page) == []
    fill_application(page, email=email)
    screenshot(page, "journey-apply-form")
    page.get_by_role("button", name=tr(page, "Send application")).click()

    page.wait_for_url(f"**/apply/{intake.slug}/thanks/")
    assert tr(page, "Check your inbox") in page.inner_text("h1")
    screenshot(page, "journey-apply-thanks")
    assert axe_violations(page) == []
    application = Application.objects.get(email=email)
    assert application.confirmed_at is None
    assert application.availability == ["tue-19", "wed-20", "thu-19"]
    assert application.topics == ["Online Marketing", "SEO"]
    assert application.time_zone == "Europe/Vienna"

    # The confirmation email, in the chosen language, carries the confirm link.
    message = last_mail_to(email)
    assert len(mail.outbox) == 1
    page.goto(emailed_link(live_server, message.body, "/apply/confirm/"))
    assert tr(page, "Confirm your email address") in page.inner_text("h1")
    application.refresh_from_db()
    assert application.confirmed_at is None, "opening the link alone must not confirm"
    page.get_by_role("button", name=tr(page, "Confirm my application")).click()
    page.wait_for_load_state()
    assert tr(page, "Thank you, your application counts") in page.inner_text("h1")
    screenshot(page, "journey-confirm")
    assert axe_violations(page) == []
    application.refresh_from_db()
    assert application.confirmed_at is not None

    # The personal edit link (also in the email) opens the form with the saved answers.
    page.get_by_role("link", name=tr(page, "Change my application")).click()
    page.wait_for_url("**/apply/edit/**")
    assert page.input_value("#id_name") == "Mia Muster"
    assert page.is_checked("input[name=availability][value=wed-20]")
    assert page.locator("#id_email").count() == 0, "the address is how we know it is you"
    page.fill("#id_expectations", "Feste Termine, ehrliches Feedback, neue Kontakte.")
    page.uncheck("input[name=availability][value=thu-19]")
    page.check("input[name=availability][value=fri-18]")
    page.get_by_label("Content Strategy", exact=True).check()
    page.get_by_role("button", name=tr(page, "Save changes")).click()
    page.wait_for_load_state()
    assert tr(page, "Your changes are saved.") in page.inner_text(".messages")
    assert "neue Kontakte" in page.input_value("#id_expectations")
    assert page.is_checked("input[name=availability][value=fri-18]")
    assert not page.is_checked("input[name=availability][value=thu-19]")
    screenshot(page, "journey-edit")
    assert axe_violations(page) == []
    application.refresh_from_db()
    assert application.expectations == "Feste Termine, ehrliches Feedback, neue Kontakte."
    assert application.availability == ["tue-19", "wed-20", "fri-18"]
    assert application.topics == ["Online Marketing", "Content Strategy", "SEO"]

    # The link from the email leads to the same saved application.
    page.goto(emailed_link(live_server, message.body, "/apply/edit/"))
    assert "neue Kontakte" in page.input_value("#id_expectations")
