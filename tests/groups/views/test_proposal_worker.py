""" "Propose groups" end to end on a real Celery worker: the POST returns at once, the
worker computes, the page then shows the groups (nothing mocked, nothing run by hand).

With REDIS_URL set (CI) the broker is Redis, otherwise kombu's in-memory transport.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from groups.models import Intake
from mastermind.celery import app as celery_app
from tests.groups.helpers import accept, make_intake

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_the_worker_computes_the_proposal_the_page_asked_for(staff_client):
    intake = make_intake()
    accept(intake, 9)

    def computed() -> bool:
        proposal = Intake.objects.get(pk=intake.pk).proposal or {}
        return "groups" in proposal and "job" not in proposal

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        response = staff_client.post(reverse("groups:proposal_run", args=[intake.pk]))
        assert response.status_code == 302
        assert wait_for(computed)
    intake.refresh_from_db()
    assert sorted(len(g["members"]) for g in intake.proposal["groups"]) == [4, 5]
    page = staff_client.get(reverse("groups:intake_proposal", args=[intake.pk]))
    assert not page.context["computing"]
    assert reverse("meetings:create_groups", args=[intake.pk]) in page.content.decode()
