"""Shared helpers for the groups tests (matching glue, services, pages)."""

import datetime as dt

import pytest
from django.utils import timezone

from groups.models import ApplicationStatus
from mastermind import outbox
from mastermind.outbox.models import Notification
from tests.factories import ApplicationFactory, IntakeFactory, StaffFactory

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


def deliver_all() -> None:
    for pk in Notification.objects.filter(status="pending").values_list("pk", flat=True):
        outbox.deliver(pk)


@pytest.fixture(name="staff_client")
def staff_client_fixture(client):
    """Import ``staff_client_fixture`` into a test module to use ``staff_client``."""
    client.force_login(StaffFactory())
    return client
