import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from mastermind import outbox
from mastermind.celery import app as celery_app
from mastermind.outbox.models import Notification, NotificationStatus

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_broker_outbox_and_beat(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", True, True)
    assert body["outbox"] == {
        "oldest_pending_seconds": None,
        "failing": 0,
        "mail_server_failing_since": None,
        "ok": True,
    }
    assert body["beat"]["ok"] is True


def test_healthz_answers_503_when_broker_unreachable(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] is False
    assert response.json()["database"] is True


def test_healthz_turns_503_when_the_oldest_pending_email_is_too_old_and_200_when_drained(
    client, settings
):
    settings.HEALTH_OUTBOX_OLDEST_PENDING_SECONDS = 600
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(minutes=11), tick=False):
        row = Notification.objects.create(kind="welcome", dedup_key="old", email="a@example.org")
    with time_machine.travel(now, tick=False):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["outbox"]["oldest_pending_seconds"] == 660
        Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.SENT)
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json()["outbox"]["oldest_pending_seconds"] is None


def test_a_row_waiting_for_its_batch_window_is_not_counted_as_old(client, settings):
    settings.HEALTH_OUTBOX_OLDEST_PENDING_SECONDS = 600
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(minutes=20), tick=False):
        Notification.objects.create(
            kind="meeting_changed",
            dedup_key="batched",
            email="a@example.org",
            not_before=now - dt.timedelta(minutes=2),
        )
    with time_machine.travel(now, tick=False):
        response = client.get("/healthz")
    assert response.json()["outbox"]["oldest_pending_seconds"] == 120
    assert response.status_code == 200


def test_healthz_turns_503_when_too_many_emails_fail(client, settings):
    settings.HEALTH_OUTBOX_FAILING_MAX = 2
    for i in range(3):
        Notification.objects.create(
            kind="welcome", dedup_key=f"f{i}", email="a@example.org", status="rejected"
        )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["outbox"]["failing"] == 3


def test_healthz_turns_503_when_beat_stops_and_200_when_it_runs(client, settings):
    settings.HEALTH_BEAT_MAX_AGE_SECONDS = 300
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert client.get("/healthz").status_code == 200  # a fresh deploy: not yet late
    with time_machine.travel(now + dt.timedelta(minutes=6), tick=False):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["beat"] == {"last_run_seconds_ago": None, "ok": False}
        outbox.requeue_stuck()  # beat's minute job
        assert client.get("/healthz").status_code == 200
    with time_machine.travel(now + dt.timedelta(minutes=12), tick=False):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["beat"]["last_run_seconds_ago"] == 360
