"""Stored XSS: a payload in every user-writable field comes out escaped wherever it shows.

Each field of group A, its meetings, application X and the intake is set to the payload;
then every page that shows them (member, public, staff and admin pages), the HTML part of
the emails, the CSV export and the calendar feed are checked. In HTML the raw payload
must never appear; the escaped one must (so the check cannot pass by showing nothing).
"""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils.html import escape
from icalendar import Calendar

from groups.models import Membership
from groups.notifications.intake import DECISION
from mastermind.core.mail import render_email
from mastermind.outbox import builder_for
from mastermind.outbox.models import Notification
from meetings.models import Absence, Commitment, MeetingStatus, Preparation
from meetings.reminders.sweep import stamp
from tests.factories import AgendaItemFactory
from tests.security.helpers import World, build_world, client_for

pytestmark = pytest.mark.django_db

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
# What must never appear in HTML: the tags themselves, unescaped.
DANGEROUS = ("<script>alert(1)", "<img src=x onerror")


def poison(world: World, p: str) -> None:
    """Put the payload into every field a user (or an organiser) can write."""
    app = world.app_x
    app.name, app.about, app.expectations, app.topics_other = f"{p} X", p, p, p
    app.topics = [p]
    app.status = "accepted"
    app.save()
    for user in (world.a1, world.a2):
        user.display_name = f"{p} {user.pk}"
        user.save()
    Membership.objects.filter(group=world.group_a).update(about=p, topics=[p], left_reason=p)
    Preparation.objects.filter(meeting=world.meeting_a).update(
        story=p, value_for_others=p, feedback_wanted=p
    )
    Commitment.objects.filter(meeting=world.past_a).update(text=p)
    Absence.objects.filter(meeting=world.meeting_a).update(note=p)
    world.group_a.name, world.group_a.description = p, p
    world.group_a.save()
    world.meeting_a2.status, world.meeting_a2.cancel_reason = MeetingStatus.CANCELLED, p
    world.meeting_a2.save()
    AgendaItemFactory(group=world.group_a, title=p, minutes=30)
    world.intake.title = p
    world.intake.pitch = f'{p}\n\n**fett** <a href="javascript:alert(1)">x</a> {p}'
    world.intake.save()
    world.a1.refresh_from_db()


@pytest.fixture(params=PAYLOADS, ids=["script", "attribute"], name="poisoned")
def poisoned_fixture(request) -> tuple[World, str]:
    world = build_world()
    poison(world, request.param)
    return world, request.param


def assert_escaped(html: str, payload: str, where: str) -> None:
    found = [d for d in DANGEROUS if d in html]
    assert not found, f"unescaped {found} in {where}"
    # Some places show only a first name: the payload's first word.
    assert escape(payload.split()[0]) in html, (
        f"the payload is not shown at all in {where}: the check proves nothing"
    )


def _pages(w: World) -> dict[str, list[str]]:
    a, past, cancelled = w.meeting_a.pk, w.past_a.pk, w.meeting_a2.pk
    return {
        "member_a": [
            reverse("groups:my_groups"),
            reverse("groups:group_detail", args=[w.group_a.pk]),
            reverse("groups:leave_group", args=[w.group_a.pk]),
            reverse("meetings:group_meetings", args=[w.group_a.pk]),
            reverse("meetings:meeting_detail", args=[a]),
            reverse("meetings:meeting_detail", args=[past]),
            reverse("meetings:meeting_detail", args=[cancelled]),
            reverse("meetings:prepare", args=[a]),
            reverse("meetings:run_meeting", args=[a]),
            reverse("meetings:run_meeting", args=[past]),
            reverse("meetings:swaps"),
            reverse("meetings:profile"),
        ],
        "staff": [
            reverse("groups:group_manage", args=[w.group_a.pk]),
            reverse("groups:intake_proposal", args=[w.intake.pk]),
            reverse("meetings:overview"),
            reverse("admin:groups_application_changelist"),
            reverse("admin:groups_application_change", args=[w.app_x.pk]),
            reverse("admin:groups_membership_changelist"),
            reverse("admin:groups_membership_change", args=[w.a1.memberships.get().pk]),
            reverse("admin:groups_group_changelist"),
            reverse("admin:groups_group_change", args=[w.group_a.pk]),
            reverse("admin:meetings_meeting_changelist"),
            reverse("admin:meetings_meeting_change", args=[cancelled]),
            reverse("admin:groups_intake_changelist"),
            reverse("admin:groups_intake_change", args=[w.intake.pk]),
            reverse("admin:mastermind_user_changelist"),
            reverse("admin:mastermind_user_change", args=[w.a1.pk]),
            reverse("admin:groups_matchingpin_changelist"),
        ],
        "applicant": [
            reverse("groups:apply", args=[w.intake.slug]),
            reverse("groups:apply_thanks", args=[w.intake.slug]),
            reverse("groups:application_edit", args=[w.manage_token()]),
            reverse("groups:application_withdraw", args=[w.manage_token()]),
            reverse("home"),
        ],
    }


def test_every_page_shows_the_payloads_escaped(poisoned):
    world, payload = poisoned
    for role, urls in _pages(world).items():
        client = client_for(world, role)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_escaped(response.content.decode(), payload, f"{url} ({role})")


def test_meeting_swap_page_shows_the_member_names_escaped(poisoned):
    world, payload = poisoned
    world.meeting_a2.status = MeetingStatus.SCHEDULED
    world.meeting_a2.save()
    response = client_for(world, "member_a").get(
        reverse("meetings:swap_request", args=[world.meeting_a.pk])
    )
    assert_escaped(response.content.decode(), payload, "the swap request page")


def test_intake_pitch_markdown_keeps_formatting_and_drops_scripts_and_js_links(poisoned):
    world, _payload = poisoned
    html = client_for(world, "anon").get(reverse("groups:apply", args=[world.intake.slug]))
    body = html.content.decode()
    assert "<strong>fett</strong>" in body
    assert "javascript:" not in body
    assert not any(d in body for d in DANGEROUS)


def _email_html(notification: Notification) -> str:
    message = render_email(builder_for(notification.kind)(notification))
    (html, mimetype), *_rest = message.alternatives
    assert mimetype == "text/html"
    return html


def test_emails_show_the_payloads_escaped(poisoned):
    world, payload = poisoned
    membership = world.a1.memberships.get()
    a1, a = world.a1, world.meeting_a
    notifications = {
        "welcome": Notification(kind="welcome", email=a1.email, user=a1, subject=membership),
        "reminder": Notification(
            kind="meeting_reminder",
            email=a1.email,
            user=a1,
            subject=a,
            payload={"anchor": stamp(a.starts_at)},
        ),
        "hot seat changed": Notification(
            kind="hot_seat_changed", email=a1.email, user=a1, subject=a
        ),
        "decision": Notification(
            kind=DECISION,
            email=world.app_x.email,
            subject=world.app_x,
            payload={"status": "accepted"},
        ),
    }
    for name, notification in notifications.items():
        assert_escaped(_email_html(notification), payload, f"the {name} email")


def test_csv_export_is_a_download_and_formulas_are_neutralised():
    world = build_world()
    world.app_x.name = '=HYPERLINK("https://evil.example","Klick")'
    world.app_x.about = "<script>alert(1)</script>"
    world.app_x.save()
    data = {"action": "export_csv", ACTION_CHECKBOX_NAME: [world.app_x.pk]}
    response = client_for(world, "staff").post(reverse("admin:groups_application_changelist"), data)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    row = next(r for r in rows if "HYPERLINK" in r[0])
    assert row[0].startswith("'=")
    assert "<script>alert(1)</script>" in row  # plain text in a CSV cell, not markup


INJECT = "Evil\r\nATTENDEE:mailto:x@evil.example\r\nBEGIN:VALARM"


def test_calendar_feed_cannot_be_given_extra_lines_or_properties():
    world = build_world()
    world.group_a.name = INJECT
    world.group_a.save()
    world.meeting_a2.status, world.meeting_a2.cancel_reason = MeetingStatus.CANCELLED, INJECT
    world.meeting_a2.save()
    AgendaItemFactory(group=world.group_a, title=INJECT, minutes=30)
    for url in (
        reverse("meetings:feed", args=[world.feed_a1]),
        reverse("meetings:meeting_ics", args=[world.meeting_a2.pk]),
    ):
        body = client_for(world, "member_a").get(url).content.decode()
        lines = body.replace("\r\n ", "").split("\r\n")  # unfold
        assert not [line for line in lines if line.startswith(("ATTENDEE", "BEGIN:VALARM"))]
        events = Calendar.from_ical(body).walk("VEVENT")
        assert events and all("ATTENDEE" not in event for event in events)
        assert any("ATTENDEE:mailto:x@evil.example" in str(e["SUMMARY"]) for e in events)
