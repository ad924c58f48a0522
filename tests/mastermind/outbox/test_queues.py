"""Sweeps never wait behind sends: their own queue, requeue once a minute, a hung mail
server holds a sweep up for one SMTP timeout at most (a real worker and broker)."""

import datetime as dt
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.utils import timezone

from mastermind.celery import app as celery_app
from mastermind.outbox.models import Notification
from mastermind.outbox.tasks import send_notifications
from meetings.reminders import sweep as reminders
from meetings.tasks import sweep_reminders
from tests.mastermind.outbox.helpers import KIND, SilentServer


def queue_of(task_name: str) -> str:
    route = celery_app.amqp.router.route({}, task_name)
    return route["queue"].name


def test_sweeps_have_their_own_queue_and_sends_theirs():
    assert queue_of("meetings.sweep_reminders") == "sweeps"
    assert queue_of("mastermind.requeue_stuck_notifications") == "sweeps"
    assert queue_of("mastermind.probe_mail_server") == "sweeps"
    assert queue_of("mastermind.send_notifications") == "mail"
    # A worker started without -Q (the README's command) consumes both.
    assert set(celery_app.amqp.queues) == {"mail", "sweeps"}
    # Each bound to its own exchange and key: a message lands in exactly one queue.
    bindings = {(q.exchange.name, q.routing_key) for q in celery_app.amqp.queues.values()}
    assert bindings == {("mail", "mail"), ("sweeps", "sweeps")}
    route = celery_app.amqp.router.route({}, "meetings.sweep_reminders")
    assert route["queue"].routing_key == "sweeps"


def test_requeue_stuck_is_scheduled_once_a_minute_and_nowhere_else():
    entries = [
        entry
        for entry in celery_app.conf.beat_schedule.values()
        if entry["task"] == "mastermind.requeue_stuck_notifications"
    ]
    assert len(entries) == 1
    assert entries[0]["schedule"] == 60.0


@pytest.mark.django_db
def test_the_sweep_does_not_requeue():
    now = timezone.now()
    stuck = Notification.objects.create(
        kind=KIND, dedup_key="stuck", email="a@example.org", due_at=now - dt.timedelta(hours=1)
    )
    reminders.sweep(now)
    stuck.refresh_from_db()
    assert stuck.enqueued_at is None


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_sweep_behind_sends_to_a_hung_server_waits_one_timeout_not_one_per_message(settings):
    """One worker slot, 40 messages queued for a server that never answers, then a sweep.

    Each message would hang for EMAIL_TIMEOUT; the first opens the circuit, the other 39
    are deferred without a conversation, so the sweep runs after about one timeout (the
    wait below is bounded well under 40 timeouts)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    server = SilentServer()
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 1
    rows = [
        Notification.objects.create(kind=KIND, dedup_key=f"h{i}", email=f"h{i}@example.org")
        for i in range(40)
    ]
    token = uuid.uuid4().hex
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            for row in rows:  # one message per id: the worst case for a hung server
                send_notifications.delay([row.pk])
            sweep_reminders.apply_async(link=None)
            from mastermind.ops.tasks import record_heartbeat

            record_heartbeat.apply_async((token,), queue="sweeps")
            assert wait_for(lambda: cache.get(f"heartbeat:{token}") == "seen", timeout=20)
    finally:
        server.close()
    assert len(server.accepted) <= 2
    assert max(Notification.objects.values_list("attempts", flat=True)) == 1
