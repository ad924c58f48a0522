"""Helpers for the groups tests: intakes and applications, the outbox run synchronously.

Fixtures (``intake``) are in tests/groups/conftest.py; ``staff_client`` in tests/conftest.py.
"""

import datetime as dt
import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from groups.models import ApplicationStatus
from groups.tasks import compute_proposal
from mastermind import outbox
from mastermind.outbox.models import Notification, NotificationStatus
from tests.factories import ApplicationFactory, IntakeFactory

NAMES = [
    "Anna Adler",
    "Bernd Berg",
    "Clara Conrad",
    "David Dorn",
    "Eva Engel",
    "Felix Fuchs",
    "Greta Graf",
    "Hanna Horn",
    "Ines Imhof",
    "Jonas Jung",
    "Karla Kern",
    "Lukas Lang",
]

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"]


def make_intake(**kwargs):
    kwargs.setdefault("title", "Frühjahr 2027")
    kwargs.setdefault("deadline", timezone.now() + dt.timedelta(days=14))
    return IntakeFactory(**kwargs)


def accept(intake, count, *, slots=("tue-19",), topics=("SEO",), **kwargs):
    """``count`` accepted, confirmed applications with the given slots and topics."""
    start = intake.applications.count()
    return [
        ApplicationFactory(
            intake=intake,
            name=f"{NAMES[(start + i) % len(NAMES)]} {start + i}",
            email=f"person{intake.pk}-{start + i}@example.org",
            availability=list(slots),
            topics=list(topics),
            status=ApplicationStatus.ACCEPTED,
            **kwargs,
        )
        for i in range(count)
    ]


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


def deliver_all() -> None:
    for pk in Notification.objects.filter(status="pending").values_list("pk", flat=True):
        outbox.deliver(pk)


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


def propose(client, intake, data=None):
    """POST "Propose groups", then run the queued task here as a worker would (the on-commit
    enqueue never fires inside a test's transaction). Returns the POST's response."""
    response = client.post(reverse("groups:proposal_run", args=[intake.pk]), data or {})
    intake.refresh_from_db()
    job = (intake.proposal or {}).get("job")
    if job:
        compute_proposal.apply(args=(intake.pk, job["token"]), throw=True)
        intake.refresh_from_db()
    return response
