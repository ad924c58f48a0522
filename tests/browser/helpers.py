"""Helpers for the browser tests: screenshots, axe-core, translated labels, emailed links, data.

The journey runs in German and English. Labels come from the real catalogue through
``tr``, which also fails when a German page would show the English source text, so a
missing translation of a string the journey clicks breaks the German run.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from groups import services
from groups.models import ApplicationStatus, Group, Intake, Weekday
from groups.services import proposals
from meetings.models import HotSeat, Meeting, MeetingStatus, Schedule
from meetings.services.schedule import save_schedule
from tests.factories import ApplicationFactory, IntakeFactory
from tests.helpers import JS_DIR, on_ci

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
AXE = JS_DIR / "node_modules" / "axe-core" / "axe.min.js"
BERLIN = ZoneInfo("Europe/Berlin")
# Words that read the same in both languages; everything else must be translated.
SAME_IN_BOTH = {"Hot seat", "Start"}


def require(condition: bool, reason: str) -> None:
    """Skip (locally) or fail (on CI) when something the browser tests need is missing."""
    if condition:
        return
    if on_ci():
        pytest.fail(f"browser tests cannot run on CI: {reason}")
    pytest.skip(reason)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.language}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page; returns the serious and critical violations."""
    require(AXE.exists(), "axe-core not installed (run npm ci in tests/js)")
    # Evaluated through the DevTools protocol, which the page's strict CSP (no inline
    # scripts) does not govern, so the policy stays on while the check runs.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def tr(page, msgid: str) -> str:
    """``msgid`` in the page's language, as the German catalogue translates it."""
    with translation.override(page.language):
        text = gettext(msgid)
    if page.language == "de" and msgid not in SAME_IN_BOTH:
        assert text != msgid, f"untranslated in German: {msgid!r}"
    return text


def emailed_link(live_server, message, route: str) -> str:
    """The link to ``route`` (e.g. "/apply/confirm/") in an email, on the live server."""
    match = re.search(re.escape(settings.SITE_URL) + r"(" + re.escape(route) + r"\S*?/)", message)
    assert match, f"no {route} link in {message!r}"
    return live_server.url + match.group(1)


def last_mail_to(address: str):
    sent = [m for m in mail.outbox if address in m.to]
    assert sent, f"no email to {address}; sent: {[m.to for m in mail.outbox]}"
    return sent[-1]


def sign_in_by_code(page, live_server, email: str, *, check_accessibility: bool = False) -> None:
    """The member's sign-in: an emailed code, typed into the confirm page."""
    page.goto(f"{live_server.url}/accounts/login/")
    if check_accessibility:
        assert axe_violations(page) == []
    page.fill("#id_code_email", email)
    page.get_by_role("button", name=tr(page, "Email me a sign-in code")).click()
    page.wait_for_url("**/accounts/login/code/confirm/")
    if check_accessibility:
        assert axe_violations(page) == []
    body = last_mail_to(email).body
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", body).group(1)
    page.fill("input[name=code]", code)
    page.get_by_role("button", name=tr(page, "Confirm")).click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name=tr(page, "Sign out")).count() == 1


def open_intake(*, language: str, size: int = 4) -> Intake:
    """An open intake with ``size`` confirmed, undecided applications that share evenings."""
    intake = IntakeFactory(
        title="Marketing Mastermind", slug=f"marketing-{language}", min_group_size=4
    )
    names = ["Bea Berger", "Cem Çelik", "Dana Dorn", "Emil Ernst", "Frieda Fuchs"]
    for name in names[:size]:
        ApplicationFactory(
            intake=intake,
            name=name,
            email=f"{name.split()[0].lower()}@example.org",
            topics=["Online Marketing", "SEO"],
            availability=["tue-19", "wed-19"],
            language=language,
        )
    return intake


def next_weekday(weekday: int, *, after: dt.date | None = None) -> dt.date:
    day = (after or timezone.localdate()) + dt.timedelta(days=1)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def member_group(*, language: str, rotate_roles: bool = False) -> tuple[Group, list]:
    """A group formed the way the organiser forms one, met once already, with a schedule.

    Goes through the same services the organiser's clicks call: accept, propose,
    create, save the schedule. The members joined weeks ago and met last Tuesday at
    19:00 (the rotation counts that hot seat). With ``rotate_roles`` the schedule also
    rotates facilitator and timekeeper. Returns the group and its members' users.
    """
    intake = open_intake(language=language, size=4)
    intake.applications.update(status=ApplicationStatus.ACCEPTED)
    proposals.run_matching(intake=intake)
    (group,) = services.create_groups(intake=intake, by=None)
    group.memberships.update(joined_at=timezone.now() - dt.timedelta(days=30))
    users = [m.user for m in group.memberships.select_related("user").order_by("pk")]
    last_tuesday = next_weekday(Weekday.TUESDAY, after=timezone.localdate() - dt.timedelta(days=8))
    started = dt.datetime.combine(last_tuesday, dt.time(19, 0), tzinfo=BERLIN)
    past = Meeting.objects.create(
        group=group,
        starts_at=started,
        ends_at=started + dt.timedelta(hours=2),
        time_zone="Europe/Berlin",
        status=MeetingStatus.SCHEDULED,
    )
    HotSeat.objects.create(meeting=past, user=users[-1])
    save_schedule(
        schedule=Schedule(
            group=group,
            weekday=Weekday.TUESDAY,
            every_weeks=2,
            start_time=dt.time(19, 0),
            first_date=next_weekday(Weekday.TUESDAY),
            time_zone="Europe/Berlin",
            rotate_facilitator=rotate_roles,
            rotate_timekeeper=rotate_roles,
        )
    )
    return group, users


def presenter_meetings(user) -> list[Meeting]:
    """The user's upcoming hot seats, soonest first."""
    return list(
        Meeting.objects.filter(
            hot_seats__user=user, starts_at__gt=timezone.now(), status=MeetingStatus.SCHEDULED
        ).order_by("starts_at")
    )


def presenters(meeting: Meeting) -> set[int]:
    return set(HotSeat.objects.filter(meeting=meeting).values_list("user_id", flat=True))
