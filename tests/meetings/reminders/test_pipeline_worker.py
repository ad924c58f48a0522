"""The whole reminder pipeline on a real Celery worker: one email per recipient.

Two sweeps run at the same moment in two threads, then every send task is published
again (a redelivery). With REDIS_URL set (CI) the broker is Redis, otherwise kombu's
in-memory transport; the worker runs in this process, so Django's locmem mail outbox
is shared and counts what was really sent. No time travel here: the worker runs on the
real clock, so the meeting is placed so that its reminder is due now.
"""

import datetime as dt
import threading
import time
import uuid
from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.cache import cache
from django.db import OperationalError, connection
from django.utils import timezone

from mastermind.celery import app as celery_app
from mastermind.ops.tasks import record_heartbeat
from mastermind.outbox.models import Notification, NotificationStatus
from mastermind.outbox.tasks import send_notification
from meetings.reminders import sweep as reminders
from tests.factories import MeetingFactory, MembershipFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

MEMBERS = 4


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def drain_queue() -> None:
    """The solo worker takes messages in order: once a later heartbeat ran, so did these."""
    token = uuid.uuid4().hex
    record_heartbeat.delay(token)
    assert wait_for(lambda: cache.get(f"heartbeat:{token}") == "seen")


def sweep_in_thread(barrier: threading.Barrier, now, results: list, errors: list) -> None:
    try:
        barrier.wait(timeout=10)
        for attempt in range(20):
            try:
                results.append(reminders.sweep(now))
                return
            except OperationalError:
                # Only SQLite (local runs): its shared in-memory test database locks whole
                # tables, so a concurrent writer fails instead of waiting. PostgreSQL waits
                # on the unique index and then skips the conflicting rows.
                if connection.vendor != "sqlite" or attempt == 19:
                    raise
                time.sleep(0.05)
    except Exception as error:
        errors.append(error)
    finally:
        connection.close()


def test_parallel_sweeps_and_redelivered_tasks_send_one_email_per_recipient():
    now = timezone.now()
    start = now + dt.timedelta(hours=24) - dt.timedelta(minutes=1)  # reminder due a minute ago
    meeting = MeetingFactory(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    members = [MembershipFactory(group=meeting.group).user for _ in range(MEMBERS)]

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        barrier = threading.Barrier(2)
        results, errors = [], []
        threads = [
            threading.Thread(target=sweep_in_thread, args=(barrier, now, results, errors))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert len(results) == 2

        sent = Notification.objects.filter(status=NotificationStatus.SENT)
        assert wait_for(lambda: sent.count() == MEMBERS)

        # A redelivery: the same message published again, twice, for every row.
        for pk in Notification.objects.values_list("pk", flat=True):
            send_notification.delay(pk)
            send_notification.delay(pk)
        drain_queue()

    assert Notification.objects.count() == MEMBERS
    assert sum(result.new[reminders.MEETING_REMINDER] for result in results) >= MEMBERS
    recipients = Counter(message.to[0] for message in mail.outbox)
    assert recipients == Counter({user.email: 1 for user in members})
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
