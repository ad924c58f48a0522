"""Shared helpers for the intake tests (imported by tests/groups/test_apply*.py and friends)."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from mastermind import outbox
from mastermind.outbox.models import Notification, NotificationStatus
from tests.factories import IntakeFactory

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"]


@pytest.fixture
def intake(db):
    return IntakeFactory(
        slug="fruehjahr",
        title="Mastermind Frühjahr",
        opens_at=timezone.now() - dt.timedelta(days=3),
        deadline=timezone.now() + dt.timedelta(days=10),
        topics=["Online Marketing", "SEO", "Podcasting", "E-Mail-Marketing", "Präsentation"],
    )


def form_data(**overrides) -> dict:
    data = {
        "name": "Jörg Weiß",
        "email": "joerg@example.org",
        "about": "Ich betreibe einen Teeladen.",
        "topics": ["SEO", "Podcasting"],
        "topics_other": "",
        "expectations": "Ehrliches Feedback.",
        "availability": ["tue-19", "wed-20"],
        "time_zone": "Europe/Berlin",
        "language": "de",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def deliver_pending() -> list:
    """Run the outbox synchronously; returns the emails sent."""
    before = len(mail.outbox)
    for pk in Notification.objects.filter(status=NotificationStatus.PENDING).values_list(
        "pk", flat=True
    ):
        outbox.deliver(pk)
    return mail.outbox[before:]


def links_in(message) -> list[str]:
    return re.findall(r"https://mastermind\.test(/[^\s\"<]+)", message.body)


def html_of(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")
