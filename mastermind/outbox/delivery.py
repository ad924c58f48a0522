"""The outbox: every email the app sends on its own goes through here.

How it works
------------
1. **Claim.** A service or the reminder sweep inserts a ``Notification`` row. Its unique
   ``dedup_key`` (e.g. ``meeting_reminder:42:7``) is the claim: a second insert of the same
   key, from a second beat, a parallel sweep or a double click, conflicts and does nothing.
2. **Enqueue after commit.** The row's id is queued for ``mastermind.send_notification``
   only once the claiming transaction has committed, so a worker never looks for a row
   that is not there yet. Enqueueing the same id twice is harmless (step 3).
3. **Send.** The task locks the row (``SELECT … FOR UPDATE``), returns at once unless it is
   still pending, asks the kind's builder whether it is still due and wanted (the builder
   returns the email, ``None`` for "no longer wanted", or raises ``Expired`` for "too late
   to be useful"), sends, and marks it sent in the same transaction. A concurrent or
   redelivered task waits on the lock and then finds it sent.
4. **Failures.** An SMTP or provider error is recorded (attempts, error) and retried with
   exponential backoff and full jitter, up to ``MAX_ATTEMPTS``; then the row is failed.
   The admin's "send again" puts it back to pending. An error while building or rendering
   the email (a bug, a missing template, a row the builder cannot handle) counts as a
   failed attempt too: otherwise the task would crash before recording anything, the
   minute sweep would re-queue the row forever, and nobody would see why.
5. **Nothing silently dropped.** No far-future ETA task exists. The minute sweep
   (``requeue_stuck``) re-enqueues pending rows whose message was lost (broker restart,
   worker crash), so a lost queue delays an email by a minute or two, never loses it.

The one window
--------------
If a worker dies after the SMTP server accepted the message and before the database
commit, the transaction rolls back, the row is still pending, and the message is sent
again on redelivery: at-least-once, never at-most-once. The window is kept as small as
possible: rendering and every check happen before the send, and the send is the last
step before one ``UPDATE`` and ``COMMIT``. Without a transactional mail provider nothing
can close it entirely; a duplicate is better than a silently lost reminder.
"""

import logging
import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from mastermind.core.mail import Email, render_email
from mastermind.core.registry import Hooks
from mastermind.outbox.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 30 * 60
STUCK_AFTER = timedelta(minutes=2)
# Rows per INSERT and per key lookup in claim_many: a sweep with up to this many due
# emails takes the same number of queries as one with a single email (SQLite lowers the
# insert batch to its parameter limit by itself).
CLAIM_BATCH_SIZE = 5000

Builder = Callable[[Notification], Email | None]
_builders: dict[str, Builder] = {}


class Expired(Exception):
    """Raised by a builder when the email would arrive too late to be useful."""


def register(kind: str) -> Callable[[Builder], Builder]:
    def decorator(builder: Builder) -> Builder:
        _builders[kind] = builder
        return builder

    return decorator


def builder_for(kind: str) -> Builder:
    return _builders[kind]


def about(subject: models.Model) -> dict:
    """The fields that tie a notification to what it is about (for ``Notification(**...)``)."""
    return about_id(type(subject), subject.pk)


def about_id(model: type[models.Model], pk: int) -> dict:
    """Like :func:`about`, from a model class and a primary key (no instance needed)."""
    return {"subject_type": ContentType.objects.get_for_model(model), "subject_id": pk}


def claim(*, kind: str, dedup_key: str, email: str, **fields) -> Notification | None:
    """Insert one notification and enqueue it after commit; None if already claimed."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind, dedup_key=dedup_key, email=email, **fields
            )
    except IntegrityError:
        return None
    enqueue([notification.pk])
    return notification


def claim_many(notifications: Iterable[Notification]) -> list[int]:
    """Claim many rows in one batch; returns the ids of the pending rows for these keys.

    Rows claimed earlier and still pending are included: enqueueing them again is safe.
    """
    rows = list(notifications)
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=CLAIM_BATCH_SIZE)
    keys = [row.dedup_key for row in rows]
    ids: list[int] = []
    for start in range(0, len(keys), CLAIM_BATCH_SIZE):
        ids.extend(
            Notification.objects.filter(
                dedup_key__in=keys[start : start + CLAIM_BATCH_SIZE],
                status=NotificationStatus.PENDING,
            ).values_list("pk", flat=True)
        )
    enqueue(ids)
    return ids


def enqueue(ids: Iterable[int]) -> None:
    # A real cycle: the task module imports this one to deliver.
    from mastermind.outbox.tasks import send_notification

    ids = list(ids)
    if not ids:
        return

    def publish() -> None:
        for pk in ids:
            send_notification.delay(pk)

    transaction.on_commit(publish)


def backoff_seconds(attempt: int, *, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform in [base, min(cap, base * 2**attempt)]."""
    rng = rng or random.SystemRandom()
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
    return rng.uniform(BACKOFF_BASE_SECONDS, max(BACKOFF_BASE_SECONDS, ceiling))


class Outcome:
    SENT = "sent"
    RETRY = "retry"
    DONE = "done"  # nothing to do: not pending, skipped, expired or failed for good


def deliver(notification_id: int, *, now: datetime | None = None) -> tuple[str, float]:
    """Send one notification if it is still pending and wanted. Returns (outcome, delay)."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status != NotificationStatus.PENDING:
            return Outcome.DONE, 0.0
        now = now or timezone.now()
        if notification.attempts and notification.due_at > now:
            # A duplicate or redelivered message arrived during the backoff: wait it out.
            return Outcome.RETRY, (notification.due_at - now).total_seconds()
        try:
            # A savepoint: a query failing in a builder must not abort the transaction
            # that holds the row lock and records the outcome.
            with transaction.atomic():
                email = builder_for(notification.kind)(notification)
                message = None if email is None else render_email(email)
        except Expired:
            _finish(notification, NotificationStatus.EXPIRED)
            return Outcome.DONE, 0.0
        except Exception as error:  # see "Failures" in the module docstring
            logger.exception("notification %s could not be built", notification.pk)
            notification.attempts += 1
            return _record_failure(notification, error, now=now)
        if message is None:
            _finish(notification, NotificationStatus.SKIPPED)
            return Outcome.DONE, 0.0
        notification.attempts += 1
        try:
            message.send(fail_silently=False)
        except Exception as error:  # noqa: BLE001 - every provider error is retried
            return _record_failure(notification, error, now=now)
        _finish(notification, NotificationStatus.SENT)
        return Outcome.SENT, 0.0


def _finish(notification: Notification, status: str) -> None:
    notification.status = status
    if status == NotificationStatus.SENT:
        notification.sent_at = timezone.now()
        notification.last_error = ""
    notification.save(update_fields=["status", "sent_at", "attempts", "last_error", "updated_at"])
    logger.info("notification %s %s", notification.pk, status)


def _record_failure(
    notification: Notification, error: Exception, *, now: datetime | None
) -> tuple[str, float]:
    notification.last_error = f"{type(error).__name__}: {error}"[:2000]
    if notification.attempts >= MAX_ATTEMPTS:
        notification.status = NotificationStatus.FAILED
        notification.save(update_fields=["status", "attempts", "last_error", "updated_at"])
        logger.warning("notification %s failed for good", notification.pk)
        return Outcome.DONE, 0.0
    delay = backoff_seconds(notification.attempts)
    notification.due_at = (now or timezone.now()) + timedelta(seconds=delay)
    notification.save(update_fields=["attempts", "last_error", "due_at", "updated_at"])
    logger.info("notification %s attempt %s failed", notification.pk, notification.attempts)
    return Outcome.RETRY, delay


def requeue_stuck(*, now: datetime | None = None) -> int:
    """Re-enqueue pending rows whose task was lost. Safe to run as often as you like."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            status=NotificationStatus.PENDING, due_at__lte=now - STUCK_AFTER
        )
        .filter(updated_at__lte=now - STUCK_AFTER)
        .values_list("pk", flat=True)[:5000]
    )
    enqueue(ids)
    return len(ids)


def send_again(notifications: Iterable[Notification]) -> int:
    """The admin's "send again": back to pending with a fresh attempt budget."""
    ids = [n.pk for n in notifications]
    updated = Notification.objects.filter(pk__in=ids).update(
        status=NotificationStatus.PENDING, attempts=0, last_error="", due_at=timezone.now()
    )
    enqueue(ids)
    return updated


# Each app registers how to load its subjects for lists of notifications (the admin's
# log), e.g. a meeting with its group: ``hook()`` returns a queryset of one model.
subject_querysets = Hooks("querysets that load notification subjects")
