"""Retries that outlast an outage, permanent refusals, leases, Message-IDs, no network
inside a transaction, and a hung mail server that blocks nothing for long."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from mastermind import outbox
from mastermind.outbox.models import Notification, NotificationStatus
from tests.mastermind.outbox.helpers import KIND, Outage, SilentServer, Watch

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
BACKENDS = "tests.mastermind.outbox.helpers"


def due_ids(now):
    return list(
        Notification.objects.filter(
            status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING], due_at__lte=now
        ).values_list("pk", flat=True)
    )


def test_the_retry_schedule_spans_hours():
    assert dt.timedelta(hours=4) < outbox.RETRY_SPAN_MIN < outbox.RETRY_SPAN_MAX
    assert dt.timedelta(hours=6) > outbox.RETRY_SPAN_MAX  # within the sweep's look-back
    assert "16 attempts" in outbox.delivery.__doc__
    assert outbox.MAX_ATTEMPTS == 16


def test_a_ten_minute_outage_leaves_nothing_failed_and_drains_when_the_server_is_back(
    settings, make_rows
):
    """Workers pick up every due row, beat probes every 15 s; the server is down 10 min."""
    settings.EMAIL_BACKEND = f"{BACKENDS}.OutageBackend"
    Outage.until = T0 + dt.timedelta(minutes=10)
    with time_machine.travel(T0, tick=False):
        rows = make_rows(40)
    clock = T0
    while clock < T0 + dt.timedelta(minutes=20):
        with time_machine.travel(clock, tick=False):
            outbox.probe()
            for pk in due_ids(clock):
                outbox.deliver(pk)
        clock += dt.timedelta(seconds=15)
    statuses = Notification.objects.values_list("status", flat=True)
    assert set(statuses) == {NotificationStatus.SENT}
    assert len(mail.outbox) == len(rows)
    last_sent = max(Notification.objects.values_list("sent_at", flat=True))
    # Released by the first probe after the server is back, not after each row's backoff.
    assert last_sent <= Outage.until + dt.timedelta(seconds=15)
    # The circuit kept rows from hammering the dead server: about one attempt per row.
    assert max(Notification.objects.values_list("attempts", flat=True)) <= 2


def test_a_permanent_refusal_is_not_retried(settings, make_rows):
    settings.EMAIL_BACKEND = f"{BACKENDS}.RejectingBackend"
    (row,) = make_rows(1)
    assert outbox.deliver(row.pk) == (outbox.Outcome.DONE, 0.0)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.REJECTED, 1)
    assert "550" in row.last_error
    assert outbox.circuit() is None  # one bad address says nothing about the server
    assert outbox.requeue_stuck(now=timezone.now() + dt.timedelta(days=1)) == 0


def test_a_temporary_refusal_is_retried_without_opening_the_circuit(settings, make_rows):
    settings.EMAIL_BACKEND = f"{BACKENDS}.GreylistingBackend"
    (row,) = make_rows(1)
    outcome, delay = outbox.deliver(row.pk)
    assert outcome == outbox.Outcome.RETRY
    assert delay >= outbox.BACKOFF_BASE_SECONDS
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING
    assert outbox.circuit() is None


def test_every_attempt_carries_the_same_message_id(settings, make_rows):
    settings.EMAIL_BACKEND = f"{BACKENDS}.WatchingBackend"
    Watch.fail_next = 1
    (row,) = make_rows(1)
    now = timezone.now()
    assert outbox.deliver(row.pk, now=now)[0] == outbox.Outcome.RETRY
    later = now + dt.timedelta(hours=1)
    assert outbox.deliver(row.pk, now=later)[0] == outbox.Outcome.SENT
    assert len(Watch.message_ids) == 2
    assert Watch.message_ids[0] == Watch.message_ids[1] == outbox.message_id(row)
    assert mail.outbox[0].message()["Message-ID"] == outbox.message_id(row)
    other = Notification.objects.create(kind=KIND, dedup_key="x", email="x@example.org")
    assert outbox.message_id(other) != outbox.message_id(row)


def test_a_live_lease_is_respected_and_an_expired_one_is_taken_over(make_rows):
    now = timezone.now()
    (row,) = make_rows(1)
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENDING, attempts=1, due_at=now + dt.timedelta(minutes=1)
    )
    assert outbox.deliver(row.pk, now=now) == (outbox.Outcome.DONE, 0.0)
    assert mail.outbox == []
    after = now + dt.timedelta(minutes=2)
    assert outbox.requeue_stuck(now=after) == 1  # the lease ran out: queued again
    assert outbox.deliver(row.pk, now=after)[0] == outbox.Outcome.SENT
    row.refresh_from_db()
    assert (row.status, row.attempts, len(mail.outbox)) == (NotificationStatus.SENT, 2, 1)


def test_a_redelivered_task_of_a_sent_row_sends_nothing(make_rows):
    (row,) = make_rows(1)
    outbox.deliver_many([row.pk])
    assert outbox.deliver_many([row.pk, row.pk]) == {outbox.Outcome.DONE: 2}
    assert len(mail.outbox) == 1


def test_a_due_retry_is_requeued_once_and_a_queued_row_is_not_requeued_every_minute(
    make_rows, django_capture_on_commit_callbacks
):
    (row,) = make_rows(1)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        outbox.enqueue([row.pk])
        assert outbox.requeue_stuck(now=now + dt.timedelta(seconds=30)) == 0
        assert outbox.requeue_stuck(now=now + outbox.STUCK_AFTER + dt.timedelta(seconds=1)) == 1


@pytest.mark.django_db(transaction=True)
def test_no_mail_is_sent_inside_a_database_transaction(settings, make_rows):
    settings.EMAIL_BACKEND = f"{BACKENDS}.WatchingBackend"
    rows = make_rows(3)
    Watch.fail_next = 1
    outbox.deliver(rows[0].pk)  # a failure, recorded afterwards
    cache.clear()  # close the circuit it opened
    outbox.deliver_many([r.pk for r in rows[1:]])
    assert Watch.in_transaction == [False, False, False]
    assert not connection.in_atomic_block


@pytest.mark.django_db(transaction=True)
def test_the_site_answers_while_a_worker_waits_for_a_slow_mail_server(
    settings, make_rows, staff_client
):
    """SQLite locks the whole database for a writer: no lock may be held during SMTP."""
    settings.EMAIL_BACKEND = f"{BACKENDS}.WatchingBackend"
    Watch.gate = threading.Event()
    (row,) = make_rows(1)
    worker = threading.Thread(target=lambda: (outbox.deliver(row.pk), connection.close()))
    worker.start()
    try:
        for _ in range(200):  # wait (bounded) until the worker is inside the SMTP call
            if Watch.message_ids:
                break
            threading.Event().wait(0.05)
        assert Watch.message_ids, "the worker never reached the mail server"
        response = staff_client.get("/admin/mastermind/notification/")
        assert response.status_code == 200
        Notification.objects.filter(pk=row.pk).update(email="still-writable@example.org")
    finally:
        Watch.gate.set()
        worker.join(timeout=20)
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT


def test_a_hung_mail_server_costs_one_timeout_per_batch_not_one_per_message(settings, make_rows):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    server = SilentServer()
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 1
    try:
        rows = make_rows(5)
        counts = outbox.deliver_many([r.pk for r in rows])
    finally:
        server.close()
    assert counts == {outbox.Outcome.RETRY: 5}
    assert len(server.accepted) == 1  # then the circuit opened: the rest were deferred
    attempts = sorted(Notification.objects.values_list("attempts", flat=True))
    assert attempts == [0, 0, 0, 0, 1]
    assert "timed out" in Notification.objects.get(attempts=1).last_error
    assert outbox.circuit() is not None
    assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}
