"""The outbox: every email the app sends on its own goes through here.

How it works
------------
1. **Claim.** A service or the reminder sweep inserts a ``Notification`` row. Its unique
   ``dedup_key`` (e.g. ``meeting_reminder:42:7``) is the claim: a second insert of the same
   key, from a second beat, a parallel sweep or a double click, conflicts and does nothing.
2. **Enqueue after commit.** The row's id is published only once the claiming transaction
   has committed, so a worker never looks for a row that is not there yet. Ids travel in
   batches (``mastermind.send_notifications``, up to ``SEND_BATCH_SIZE`` ids per message,
   all published over one broker connection), and the row records when it was queued
   (``enqueued_at``). Publishing the same id twice is harmless (step 3).
3. **Lease, then send outside any transaction.** A short transaction locks the row, returns
   unless it is pending and due, asks the kind's builder whether it is still wanted (the
   builder returns the email, ``None`` for "no longer wanted", or raises ``Expired`` for
   "too late to be useful"), renders it, and marks the row ``sending`` with a lease
   (``due_at`` = now + ``OUTBOX_LEASE_SECONDS``, longer than the send task's hard time
   limit) and one more attempt; it commits. The SMTP conversation happens after that
   commit: no database lock or transaction is held while the network is slow. A second
   short transaction then marks the row sent (or records the failure), but only if the
   lease is still ours. A redelivered or duplicate task finds the row ``sent`` or leased and
   sends nothing. A row of a batch is built together with the other rows of its batch,
   which are marked merged in the same transaction (:mod:`mastermind.outbox.batches`).
4. **Message-ID.** Every message carries a Message-ID derived from its row
   (:func:`message_id`), the same on every attempt, so that servers and clients that
   de-duplicate by Message-ID drop a second copy.
5. **An expired lease** means the sender stopped in the middle (worker killed, hard time
   limit): the mail may or may not have left. The next worker counts it as a failed
   attempt ("lease expired") and sends again, with the same Message-ID: at least once.
6. **Failures.** A permanent refusal (a 5xx for the recipient or for the message) ends the
   row at once as ``rejected``. Anything else is transient and retried with capped
   exponential backoff and jitter; the schedule is stated once, here: **``MAX_ATTEMPTS`` =
   16 attempts, the n-th retry after min(30 min, 60 s × 2^(n-1)) less up to 25 % jitter
   (never under 60 s), so the attempts span 4 h 8 min to 5 h 31 min** (``RETRY_SPAN_MIN``,
   ``RETRY_SPAN_MAX``); after the last the row is ``failed`` and the admin's "send again"
   puts it back. An error while building or rendering counts as a failed attempt too.
7. **Recovery (circuit breaker).** A failure of the server itself (refused or lost
   connection, timeout, authentication, a 421, a time limit) opens a circuit, kept in the
   cache: while it is open, rows that come up are deferred to its end without an attempt
   (no worker waits on a dead server) and every 15 s :func:`probe` (beat) asks the server.
   As soon as it answers, or one send succeeds, the circuit closes and every row waiting
   in backoff is released at once. An outage therefore costs each row about one attempt,
   and the backlog drains right after the server is back.
8. **Nothing silently dropped.** No far-future ETA or countdown task exists: the backoff
   lives in ``due_at``. Once a minute, :func:`requeue_stuck` (beat, "sweeps" queue)
   publishes rows that are due and were not queued since (retries after their backoff,
   rows of a batch after their window, expired leases, messages lost by the broker).

The one window
--------------
If a worker dies after the SMTP server accepted the message and before the commit that
marks it sent, the lease expires and the message is sent again: at-least-once, never
at-most-once, and the second copy has the same Message-ID. Without a transactional mail
provider nothing can close it entirely; a duplicate is better than a lost reminder.
"""

import hashlib
import logging
import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from mastermind.core.mail import render_email
from mastermind.outbox import batches
from mastermind.outbox.circuit import (
    circuit,
    close_circuit,
    describe,
    is_about_the_message,
    is_permanent,
    open_circuit,
)
from mastermind.outbox.claims import CLAIM_BATCH_SIZE, Expired, builder_for, enqueue
from mastermind.outbox.kinds import complete
from mastermind.outbox.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 16
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 30 * 60
BACKOFF_JITTER = 0.25  # a delay is drawn from [max(base, 0.75 × ceiling), ceiling]
# A queued row not sent after this long is published again (a message the broker lost).
STUCK_AFTER = timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
HEARTBEAT_KEY = "outbox:requeue-heartbeat"


def backoff_ceiling(attempt: int) -> float:
    """The longest wait after the ``attempt``-th failed attempt (1-based)."""
    return min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))


def backoff_floor(attempt: int) -> float:
    return max(BACKOFF_BASE_SECONDS, (1 - BACKOFF_JITTER) * backoff_ceiling(attempt))


def backoff_seconds(attempt: int, *, rng: random.Random | None = None) -> float:
    """Capped exponential backoff with jitter, in [backoff_floor, backoff_ceiling]."""
    rng = rng or random.SystemRandom()
    return rng.uniform(backoff_floor(attempt), backoff_ceiling(attempt))


# From the first attempt to the last: the sum of the waits between them.
RETRY_SPAN_MIN = timedelta(seconds=sum(backoff_floor(a) for a in range(1, MAX_ATTEMPTS)))
RETRY_SPAN_MAX = timedelta(seconds=sum(backoff_ceiling(a) for a in range(1, MAX_ATTEMPTS)))


def message_id(notification: Notification) -> str:
    """The Message-ID of a row's email: the same on every attempt, unique per row (the
    key and creation time are in it, so a restored or reset database never reuses one)."""
    created = notification.created_at.isoformat() if notification.created_at else ""
    digest = hashlib.sha256(f"{notification.dedup_key}|{created}".encode()).hexdigest()[:16]
    return f"<outbox.{notification.pk}.{digest}@{settings.SITE_DOMAIN}>"


class Outcome:
    SENT = "sent"
    RETRY = "retry"  # not sent now; the row says when it is tried again (due_at)
    DONE = "done"  # nothing to do: not pending, skipped, expired or failed for good


def build_message(notification: Notification, *, others: list[Notification] | None = None):
    """The kind's email for this row, with its footer and headers; None if not wanted.

    A row of a batch is built with ``others``, the rest of its batch (by default the rows
    it would gather now, unlocked: the admin's preview; a merged row shows its lead's).
    """
    batch_builder = batches.batch_builder_for(notification.kind)
    if batch_builder is None:
        email, counts_as = builder_for(notification.kind)(notification), notification
    else:
        if others is None:
            if notification.merged_into_id:
                notification = notification.merged_into
            others = batches.gather(notification, lock=False)
        built = batch_builder(batches.oldest_first([notification, *others]))
        email, counts_as = built if built is not None else (None, None)
    if email is None:
        return None
    complete(email, counts_as)
    return render_email(email)


def lease_seconds() -> int:
    return settings.OUTBOX_LEASE_SECONDS


def deliver(notification_id: int, *, now: datetime | None = None, connection=None) -> tuple:
    """Send one notification if it is still pending, due and wanted.

    Returns (outcome, delay): delay is how long until the row is looked at again. The
    SMTP conversation runs outside any transaction (see 3. in the module docstring).
    ``connection`` is an open mail backend to reuse (a batch shares one).
    """
    now = now or timezone.now()
    leased = _lease(notification_id, now)
    if not isinstance(leased, Notification):
        return leased
    notification, message = leased, leased._message
    if connection is not None:
        message.connection = connection
    try:
        message.send(fail_silently=False)
    except Exception as error:  # noqa: BLE001 - classified in _after_failure
        return _after_failure(notification, error, now=now)
    return _after_success(notification, now=now)


def deliver_many(ids: Iterable[int]) -> dict[str, int]:
    """Deliver a batch over one mail connection; returns how many ended how."""
    counts: dict[str, int] = {}
    connection = get_connection()
    try:
        for pk in ids:
            outcome, _delay = deliver(pk, connection=connection)
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome == Outcome.RETRY and circuit() is not None:
                _close_quietly(connection)  # a broken connection is not reused
    finally:
        _close_quietly(connection)
    return counts


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:
        logger.debug("closing the mail connection failed", exc_info=True)


def _lease(notification_id: int, now: datetime):
    """Transaction 1: check, build, render and lease. A Notification (with ``_message``)
    to send, or the (outcome, delay) to return without sending."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None:
            return Outcome.DONE, 0.0
        if notification.status == NotificationStatus.SENDING:
            if notification.due_at > now:
                return Outcome.DONE, 0.0  # another worker holds the lease
            # The lease expired: the sender stopped mid-conversation (killed, time limit).
            # The mail may have left; count the attempt and send again, same Message-ID.
            notification.last_error = (
                "lease expired: the previous attempt stopped while sending "
                "(worker lost or hard time limit)"
            )
            logger.warning("notification %s: lease expired", notification.pk)
            if notification.attempts >= MAX_ATTEMPTS:
                return _record_failure(notification, now=now, status=NotificationStatus.FAILED)
        elif notification.status != NotificationStatus.PENDING:
            return Outcome.DONE, 0.0
        elif notification.due_at > now:
            # Redelivered, released early during its backoff, or in its batch's window.
            return Outcome.RETRY, (notification.due_at - now).total_seconds()
        state = circuit()
        if state is not None and state["until"] > now.timestamp():
            # The server is failing: wait for the circuit's next trial, no attempt counted.
            until = state["until"] + random.SystemRandom().uniform(0, 15)
            notification.status = NotificationStatus.PENDING
            notification.due_at = datetime.fromtimestamp(until, tz=now.tzinfo)
            notification.save(update_fields=["status", "due_at", "last_error", "updated_at"])
            return Outcome.RETRY, until - now.timestamp()
        others = batches.gather(notification, lock=True)  # see mastermind.outbox.batches
        try:
            # A savepoint: a query failing in a builder must not abort the transaction
            # that holds the row lock and records the outcome.
            with transaction.atomic():
                message = build_message(notification, others=others)
        except Expired:
            batches.settle(notification, others, NotificationStatus.EXPIRED)
            return _finish(notification, NotificationStatus.EXPIRED)
        except Exception as error:  # see "Failures" in the module docstring
            logger.exception("notification %s could not be built", notification.pk)
            notification.attempts += 1
            notification.last_error = describe(error)
            return _record_failure(notification, now=now)
        if message is None:
            batches.settle(notification, others, NotificationStatus.SKIPPED)
            return _finish(notification, NotificationStatus.SKIPPED)
        batches.settle(notification, others, NotificationStatus.MERGED)
        message.extra_headers["Message-ID"] = message_id(notification)
        notification.attempts += 1
        notification.status = NotificationStatus.SENDING
        notification.due_at = now + timedelta(seconds=lease_seconds())
        notification.save(
            update_fields=["status", "attempts", "due_at", "last_error", "updated_at"]
        )
    notification._message = message
    return notification


def _finish(notification: Notification, status: str) -> tuple[str, float]:
    notification.status = status
    notification.save(update_fields=["status", "attempts", "last_error", "updated_at"])
    logger.info("notification %s %s", notification.pk, status)
    return Outcome.DONE, 0.0


def _ours(notification: Notification):
    """The row, only while our lease holds (status sending, our attempt)."""
    return Notification.objects.filter(
        pk=notification.pk, status=NotificationStatus.SENDING, attempts=notification.attempts
    )


def _after_success(notification: Notification, *, now: datetime) -> tuple[str, float]:
    """Transaction 2 after a send: mark it sent; close the circuit if it was open."""
    stamp = timezone.now()
    updated = _ours(notification).update(
        status=NotificationStatus.SENT, sent_at=stamp, last_error="", due_at=now, updated_at=stamp
    )
    if not updated:
        logger.warning("notification %s sent after its lease was taken over", notification.pk)
    logger.info("notification %s sent", notification.pk)
    close_circuit(now)
    return Outcome.SENT, 0.0


def _after_failure(notification: Notification, error: Exception, *, now: datetime) -> tuple:
    """Transaction 2 after a failed send: rejected, failed or back to pending with backoff."""
    notification.last_error = describe(error)
    if not is_about_the_message(error):
        open_circuit(now, notification.last_error)
    if is_permanent(error):
        status = NotificationStatus.REJECTED
    elif notification.attempts >= MAX_ATTEMPTS:
        status = NotificationStatus.FAILED
    else:
        status = NotificationStatus.PENDING
    return _record_failure(notification, now=now, status=status, only_if_ours=True)


def _record_failure(
    notification: Notification,
    *,
    now: datetime,
    status: str | None = None,
    only_if_ours: bool = False,
) -> tuple[str, float]:
    if status is None:
        status = (
            NotificationStatus.FAILED
            if notification.attempts >= MAX_ATTEMPTS
            else NotificationStatus.PENDING
        )
    delay = backoff_seconds(notification.attempts) if status == NotificationStatus.PENDING else 0
    fields = {
        "status": status,
        "attempts": notification.attempts,
        "last_error": notification.last_error,
        "due_at": now + timedelta(seconds=delay),
        "updated_at": timezone.now(),
    }
    queryset = (
        _ours(notification) if only_if_ours else Notification.objects.filter(pk=notification.pk)
    )
    queryset.update(**fields)
    for name, value in fields.items():
        setattr(notification, name, value)
    if status == NotificationStatus.PENDING:
        logger.info("notification %s attempt %s failed", notification.pk, notification.attempts)
        return Outcome.RETRY, delay
    logger.warning("notification %s %s: %s", notification.pk, status, notification.last_error)
    return Outcome.DONE, 0.0


def requeue_stuck(*, now: datetime | None = None) -> int:
    """Publish rows that are due and were not queued since: retries after their backoff,
    expired leases, messages the broker lost. Safe to run as often as you like; beat runs
    it once a minute (and this records that it ran: beat's heartbeat for /healthz)."""
    now = now or timezone.now()
    not_queued_since_due = (
        Q(enqueued_at__isnull=True)
        | Q(enqueued_at__lt=F("due_at"))
        | Q(enqueued_at__lte=now - STUCK_AFTER)
    )
    ids = list(
        Notification.objects.filter(
            status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING], due_at__lte=now
        )
        .filter(not_queued_since_due)
        .order_by("due_at")
        .values_list("pk", flat=True)[:CLAIM_BATCH_SIZE]
    )
    with transaction.atomic():
        enqueue(ids)
    try:
        cache.set(HEARTBEAT_KEY, now.timestamp(), timeout=None)
    except Exception:
        logger.warning("beat heartbeat: cache unavailable", exc_info=True)
    return len(ids)


def send_again(notifications: Iterable[Notification]) -> int:
    """The admin's "send again": back to pending with a fresh attempt budget."""
    ids = [n.pk for n in notifications]
    with transaction.atomic():
        updated = Notification.objects.filter(pk__in=ids).update(
            status=NotificationStatus.PENDING,
            attempts=0,
            last_error="",
            due_at=timezone.now(),
            merged_into=None,  # a merged row alone; a lead with the rows merged into it
        )
        enqueue(ids)
    return updated
