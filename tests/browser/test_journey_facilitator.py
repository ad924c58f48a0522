"""Journey, part 5: a member runs the meeting through its agenda, ticks off last time's
commitment and records the next one, on a phone and on a laptop; a member answers the
renewal question of the group's term from the email (issue 16)."""

import datetime as dt

import pytest
from django.utils import timezone

from groups.models import Group, Membership
from groups.services import renewal
from meetings.choices import AgendaKind
from meetings.models import AgendaItem, Commitment, CommitmentStatus, Meeting
from tests.browser.helpers import (
    axe_violations,
    emailed_link,
    last_mail_to,
    member_group,
    screenshot,
    sign_in_by_code,
    tr,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_a_facilitator_runs_the_meeting_and_members_keep_their_commitments(
    browser_page, live_server, width
):
    page = browser_page
    group, users = member_group(language=page.language)
    member = users[0]
    held = Meeting.objects.filter(group=group).order_by("starts_at").first()  # last Tuesday
    before = Meeting.objects.create(
        group=group,
        starts_at=held.starts_at - dt.timedelta(weeks=2),
        ends_at=held.ends_at - dt.timedelta(weeks=2),
        time_zone=held.time_zone,
        status=held.status,
    )
    due = Commitment.objects.create(meeting=before, user=member, text="Drei Angebote schreiben")
    blocks = AgendaItem.objects.filter(group=group).count()

    sign_in_by_code(page, live_server, member.email)  # at laptop width: the menu is open
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}{held.get_absolute_url()}")
    page.get_by_role("link", name=tr(page, "Run the meeting (facilitator view)")).click()
    page.wait_for_url(f"**/meetings/{held.pk}/run/")
    assert page.locator("li.run-block").count() == blocks
    kinds = set(AgendaItem.objects.filter(group=group).values_list("kind", flat=True))
    assert {AgendaKind.CHECK_IN, AgendaKind.REVIEW, AgendaKind.HOT_SEAT} <= kinds
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []

    # The timer steps through the blocks.
    page.get_by_role("button", name=tr(page, "Start")).click()
    page.get_by_role("button", name=tr(page, "Next item")).click()
    assert page.locator("li.run-block").nth(1).get_attribute("class").split().count("current")
    assert "done" in page.locator("li.run-block").nth(0).get_attribute("class").split()
    screenshot(page, f"facilitator-run-{width}")

    # Last time's commitment is ticked off in the review block, and the page stays.
    page.get_by_role("button", name=tr(page, "Mark as done")).click()
    page.wait_for_url(f"**/meetings/{held.pk}/run/")
    due.refresh_from_db()
    assert due.status == CommitmentStatus.DONE

    # The next commitment is recorded in its block.
    page.fill("#id_text", "Preise an drei Kund:innen testen")
    page.get_by_role("button", name=tr(page, "Save my commitment")).click()
    page.wait_for_url(f"**/meetings/{held.pk}/run/")
    recorded = Commitment.objects.get(meeting=held, user=member)
    assert recorded.text == "Preise an drei Kund:innen testen"
    assert "Preise an drei Kund:innen testen" in page.inner_text("main")
    screenshot(page, f"facilitator-recorded-{width}")


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
def test_a_member_answers_the_renewal_question_from_the_email(browser_page, live_server):
    page = browser_page
    group, users = member_group(language=page.language)
    member = users[1]
    member.language = page.language
    member.save()
    Group.objects.filter(pk=group.pk).update(
        term_ends_on=timezone.localdate() + dt.timedelta(days=7)
    )
    group.intake.term_months = 6
    group.intake.save()
    renewal.sweep()
    link = emailed_link(live_server, last_mail_to(member.email).body, "/groups/renewal/")
    page.goto(link)
    assert axe_violations(page) == []
    screenshot(page, "renewal-question")
    page.get_by_role("button", name=tr(page, "Yes, I continue")).click()
    page.wait_for_load_state()
    membership = Membership.objects.get(group=group, user=member)
    assert membership.renewal_answer == "continue"
    screenshot(page, "renewal-answered")
