"""Claiming emails: the builder registry, the rows' subjects, claim and publish.

Steps 1 and 2 of :mod:`mastermind.outbox.delivery`: a row is inserted under its unique
``dedup_key`` (the claim) and its id is published to the ``mail`` queue only after the
claiming transaction has committed.
"""

from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from mastermind.core.mail import Email
from mastermind.core.registry import Hooks
from mastermind.outbox.batches import batch_builder_for
from mastermind.outbox.models import Notification, NotificationStatus

# Rows per INSERT and per key lookup in claim_many: a sweep with up to this many due
# emails takes the same number of queries as one with a single email (SQLite lowers the
# insert batch to its parameter limit by itself).
CLAIM_BATCH_SIZE = 5000
# Ids per send task: 5,000 due reminders are 50 broker messages (publishing costs per
# message, not per id), and a worker sends a batch over one SMTP connection. Small enough
# that a backlog spreads over all worker processes and that a batch to a slow server stays
# well inside the send task's soft time limit (the circuit cuts a batch to a dead one short).
SEND_BATCH_SIZE = 100

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
    """The kind's builder; for a kind told in batches, its batch builder on one row."""
    if kind in _builders:
        return _builders[kind]
    batch_builder = batch_builder_for(kind)
    if batch_builder is None:
        raise KeyError(kind)

    def build_one(notification: Notification) -> Email | None:
        built = batch_builder([notification])
        return built[0] if built is not None else None

    return build_one


def about(subject: models.Model) -> dict:
    """The fields that tie a notification to what it is about (for ``Notification(**...)``)."""
    return about_id(type(subject), subject.pk)


def about_id(model: type[models.Model], pk: int) -> dict:
    """Like :func:`about`, from a model class and a primary key (no instance needed)."""
    return {"subject_type": ContentType.objects.get_for_model(model), "subject_id": pk}


def claim(*, kind: str, dedup_key: str, email: str, **fields) -> Notification | None:
    """Insert one notification and enqueue it after commit; None if already claimed.

    A row due later (a batch's window) is published by the re-queue once it is due.
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind, dedup_key=dedup_key, email=email, **fields
            )
    except IntegrityError:
        return None
    if notification.due_at <= timezone.now():
        enqueue([notification.pk])
    return notification


def claim_many(notifications: Iterable[Notification]) -> list[int]:
    """Claim many rows in one batch; returns the ids of the pending rows for these keys.

    Rows claimed earlier and still pending are included: enqueueing them again is safe.
    Rows due later (a batch's window) are published by the re-queue once they are due.
    """
    rows = list(notifications)
    if not rows:
        return []
    now = timezone.now()
    for row in rows:
        row.enqueued_at = now if row.due_at <= now else None  # published on commit, below
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=CLAIM_BATCH_SIZE)
    keys = [row.dedup_key for row in rows]
    ids: list[int] = []
    due: list[int] = []
    for start in range(0, len(keys), CLAIM_BATCH_SIZE):
        for pk, due_at in Notification.objects.filter(
            dedup_key__in=keys[start : start + CLAIM_BATCH_SIZE],
            status=NotificationStatus.PENDING,
        ).values_list("pk", "due_at"):
            ids.append(pk)
            if due_at <= now:
                due.append(pk)
    publish_on_commit(due)
    return ids


def enqueue(ids: Iterable[int]) -> None:
    """Record that these rows are queued now and publish them after commit."""
    ids = list(ids)
    if not ids:
        return
    now = timezone.now()
    for start in range(0, len(ids), CLAIM_BATCH_SIZE):
        Notification.objects.filter(pk__in=ids[start : start + CLAIM_BATCH_SIZE]).update(
            enqueued_at=now
        )
    publish_on_commit(ids)


def publish_on_commit(ids: list[int]) -> None:
    if ids:
        # robust: a broker that is down must not fail the caller's committed work; the row
        # is in the database and requeue_stuck publishes it again.
        transaction.on_commit(lambda: publish(ids), robust=True)


def publish(ids: list[int]) -> None:
    """Publish ids in batches over one producer (one broker connection)."""
    # Imported here: tasks imports delivery, which imports this module (a real cycle).
    from celery import current_app

    from mastermind.outbox.tasks import send_notifications

    with current_app.producer_or_acquire() as producer:
        for start in range(0, len(ids), SEND_BATCH_SIZE):
            send_notifications.apply_async(
                (ids[start : start + SEND_BATCH_SIZE],), producer=producer
            )


# Each app registers how to load its subjects for lists of notifications (the admin's
# log), e.g. a meeting with its group: ``hook()`` returns a queryset of one model.
subject_querysets = Hooks("querysets that load notification subjects")
