"""Journey, part 6: two members of a group that rotates facilitator and timekeeper trade
their turns as facilitator, on a phone and on a laptop: one asks from the meeting page, the
other accepts on the swaps page, both meeting pages show the new holders and both are told
by email once the change emails' window has passed."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from mastermind.core.voice import no_final_stop
from mastermind.outbox.models import Notification, NotificationStatus
from mastermind.outbox.tasks import requeue_stuck_notifications
from meetings.choices import MeetingRole
from meetings.models import Meeting, MeetingStatus, RoleAssignment, SwapRequest, SwapStatus
from meetings.services.changes import window
from tests.browser.helpers import (
    BERLIN,
    axe_violations,
    emailed_link,
    last_mail_to,
    member_group,
    presenters,
    screenshot,
    sign_in_by_code,
    tr,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

F, T = MeetingRole.FACILITATOR, MeetingRole.TIMEKEEPER


def holder(meeting: Meeting, role: str) -> int | None:
    row = RoleAssignment.objects.filter(meeting=meeting, role=role).first()
    return row.user_id if row else None


def facilitator_pair(group) -> tuple[Meeting, Meeting, int, int]:
    """Two upcoming meetings whose facilitators a and b may trade: neither presents at, nor
    keeps time at, the other's meeting (the separation the swap keeps)."""
    meetings = list(
        Meeting.objects.filter(
            group=group, status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now()
        ).order_by("starts_at")[:8]
    )
    for m1 in meetings:
        for m2 in meetings:
            a, b = holder(m1, F), holder(m2, F)
            if m1 == m2 or None in (a, b) or a == b:
                continue
            if b in presenters(m1) or a in presenters(m2):
                continue
            if holder(m1, T) == b or holder(m2, T) == a:
                continue
            return m1, m2, a, b
    raise AssertionError("no facilitators who could swap")


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    assert axe_violations(page) == [], page.url


def open_menu(page) -> None:
    """On a phone the main navigation sits behind the "Menu" toggle."""
    toggle = page.locator("details.nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("open") is None:
        toggle.locator("summary").click()


def when_shown(page, meeting: Meeting) -> str:
    """The meeting's start as the pages write it (DATETIME_FORMAT, Berlin time)."""
    with translation.override(page.language):
        return date_format(timezone.localtime(meeting.starts_at, BERLIN), "DATETIME_FORMAT")


def roles_line(page) -> str:
    return " ".join(page.locator("#roles").inner_text().split())


@pytest.mark.parametrize("browser_page", ["de", "en"], indirect=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_two_members_swap_their_turns_as_facilitator(browser_page, live_server, width):
    page = browser_page
    group, users = member_group(language=page.language, rotate_roles=True)
    by_pk = {user.pk: user for user in users}
    m1, m2, a_pk, b_pk = facilitator_pair(group)
    a, b = by_pk[a_pk], by_pk[b_pk]
    facilitator, you = tr(page, "Facilitator"), tr(page, "you")

    # A, facilitator at m1, asks from the meeting page for B's turn at m2.
    sign_in_by_code(page, live_server, a.email)  # at laptop width: the menu is open
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}{m1.get_absolute_url()}")
    assert f"{facilitator}: {a.first_name} ({you})" in roles_line(page)
    fits(page, width)
    swap_label = tr(page, "Swap my role “%(role)s”") % {"role": facilitator}
    page.get_by_role("link", name=swap_label, exact=True).click()
    page.wait_for_url(f"**/meetings/{m1.pk}/swap/facilitator/")
    assert tr(page, "Swap the role “%(role)s”") % {"role": facilitator} in page.inner_text("h1")
    fits(page, width)
    when = timezone.localtime(m2.starts_at, BERLIN)
    page.get_by_label(tr(page, "Swap with")).select_option(
        label=f"{b.first_name} – {when:%d.%m.%Y %H:%M}"
    )
    screenshot(page, f"role-swap-request-{width}")
    page.get_by_role("button", name=tr(page, "Ask for the swap")).click()
    page.wait_for_url(f"**/meetings/{m1.pk}/")
    assert tr(page, "Your request is sent. We'll email you the answer.") in page.inner_text(
        ".messages"
    )
    swap = SwapRequest.objects.get()
    assert (swap.role, swap.requester, swap.responder) == (F, a, b)
    assert (swap.requester_meeting, swap.responder_meeting) == (m1, m2)
    asked = last_mail_to(b.email)
    subject = tr(page, "%(requester)s asks to swap the role “%(role)s” with you")
    assert asked.subject == subject % {"requester": a.first_name, "role": facilitator}
    swaps_link = emailed_link(live_server, asked.body, "/meetings/swaps")

    # B signs in, opens the swaps page from the menu and accepts.
    open_menu(page)
    page.get_by_role("button", name=tr(page, "Sign out")).click()
    page.wait_for_url(f"{live_server.url}/")
    assert tr(page, "You have signed out.") in page.inner_text(".messages")
    page.wait_for_load_state("networkidle")  # the next page would cut short this one's icon
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_by_code(page, live_server, b.email)  # it looks for "Sign out" in the open menu
    page.set_viewport_size({"width": width, "height": 900})
    open_menu(page)
    page.get_by_role("navigation", name=tr(page, "Main navigation")).get_by_role(
        "link", name=tr(page, "Swaps"), exact=True
    ).click()
    page.wait_for_url(swaps_link)
    card = page.locator(".card", has=page.get_by_role("button", name=tr(page, "Accept")))
    assert card.count() == 1
    asks = tr(
        page,
        "%(requester)s asks you to take the role “%(role)s” on %(mine)s instead of %(theirs)s.",
    )
    assert asks % {
        "requester": a.first_name,
        "role": facilitator,
        "mine": when_shown(page, m1),
        "theirs": no_final_stop(when_shown(page, m2)),
    } in " ".join(card.inner_text().split())
    fits(page, width)
    screenshot(page, f"role-swap-answer-{width}")
    card.get_by_role("button", name=tr(page, "Accept"), exact=True).click()
    page.wait_for_url(swaps_link)
    assert tr(page, "Swapped. Both of you get an email.") in page.inner_text(".messages")
    assert tr(page, "No open swap requests.") in page.inner_text("main")
    swap.refresh_from_db()
    assert swap.status == SwapStatus.ACCEPTED
    assert (holder(m1, F), holder(m2, F)) == (b.pk, a.pk)

    # Both meeting pages show the exchanged facilitators.
    page.goto(f"{live_server.url}{m1.get_absolute_url()}")
    assert f"{facilitator}: {b.first_name} ({you})" in roles_line(page)
    assert swap_label in roles_line(page)  # now B's turn to hand on
    fits(page, width)
    screenshot(page, f"role-swap-done-{width}")
    page.goto(f"{live_server.url}{m2.get_absolute_url()}")
    assert f"{facilitator}: {a.first_name}" in roles_line(page)
    assert f"{facilitator}: {b.first_name}" not in roles_line(page)
    assert swap_label not in roles_line(page)  # B's turn here has gone to A

    # The swap's emails wait for the change window, then both are told once.
    done = tr(page, "Role swap accepted: %(role)s") % {"role": facilitator}
    accepted = Notification.objects.filter(kind="swap_accepted")
    assert sorted(accepted.values_list("email", flat=True)) == sorted([a.email, b.email])
    assert set(accepted.values_list("status", flat=True)) == {NotificationStatus.PENDING}
    assert not [m for m in mail.outbox if m.subject.startswith(done)]
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + window() + dt.timedelta(seconds=1), tick=True):
        requeue_stuck_notifications()
    told = {address: m for m in mail.outbox for address in m.to}
    assert sorted(told) == sorted([a.email, b.email]), [m.to for m in mail.outbox]
    assert all(m.subject.startswith(done) for m in told.values()), [
        m.subject for m in told.values()
    ]
    requeue_stuck_notifications()
    assert len(mail.outbox) == 2  # told once
