"""The mail server's health: the circuit breaker, the probe, and what a failure means.

Step 7 of :mod:`mastermind.outbox.delivery`: a failure of the server itself opens a
circuit (kept in the cache) that defers sends without counting attempts, and the probe
(beat, every 15 s) closes it and releases the backlog once the server answers.
"""

import logging
import smtplib
from datetime import datetime

from django.core.cache import cache
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from mastermind.outbox.claims import CLAIM_BATCH_SIZE, enqueue
from mastermind.outbox.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

# The circuit stays open this long after a failure before the next trial send.
RETRY_AFTER_SECONDS = 60
# The probe's connect/EHLO timeout: short, it runs on the sweeps queue.
PROBE_TIMEOUT_SECONDS = 5
CIRCUIT_KEY = "outbox:mail-circuit"


def circuit() -> dict | None:
    """The open circuit ({"since", "until", "error"} as timestamps), or None if closed."""
    try:
        return cache.get(CIRCUIT_KEY)
    except Exception:
        logger.warning("mail circuit: cache unavailable", exc_info=True)
        return None


def open_circuit(now: datetime, error: str) -> None:
    state = circuit() or {"since": now.timestamp()}
    state.update(until=now.timestamp() + RETRY_AFTER_SECONDS, error=error)
    try:
        cache.set(CIRCUIT_KEY, state, timeout=None)
    except Exception:
        logger.warning("mail circuit: cache unavailable", exc_info=True)
    logger.warning("mail server failing (%s); circuit open", error)


def close_circuit(now: datetime) -> int:
    """Close an open circuit and release the backlog; returns how many rows were released."""
    if circuit() is None:
        return 0
    try:
        cache.delete(CIRCUIT_KEY)
    except Exception:
        logger.warning("mail circuit: cache unavailable", exc_info=True)
    released = release_waiting(now=now)
    logger.info("mail server answers again; circuit closed, %s rows released", released)
    return released


def release_waiting(*, now: datetime | None = None) -> int:
    """Make every pending row that waits in backoff due now, and queue it (never before
    its ``not_before``: a batch's window is kept, see mastermind.outbox.batches)."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(status=NotificationStatus.PENDING, due_at__gt=now)
            .exclude(not_before__gt=now)
            .order_by("due_at")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(ids), CLAIM_BATCH_SIZE):
            Notification.objects.filter(pk__in=ids[start : start + CLAIM_BATCH_SIZE]).update(
                due_at=now
            )
        enqueue(ids)
    return len(ids)


def probe(*, now: datetime | None = None) -> str:
    """While the circuit is open, ask the mail server; release the backlog if it answers."""
    if circuit() is None:
        return "closed"
    now = now or timezone.now()
    try:
        connection = get_connection(timeout=PROBE_TIMEOUT_SECONDS)
        connection.open()
        connection.close()
    except Exception as error:  # noqa: BLE001 - any failure means "still down"
        open_circuit(now, describe(error))
        return "down"
    return f"released {close_circuit(now)}"


# -- classifying failures --------------------------------------------------------------


def is_permanent(error: BaseException) -> bool:
    """A 5xx for the recipient or for this message: sending it again cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def is_about_the_message(error: BaseException) -> bool:
    """A failure of this message or recipient (not of the server): no circuit."""
    return isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)


def describe(error: BaseException) -> str:
    text = str(error) or (
        "the send took longer than the task's soft time limit"
        if type(error).__name__ == "SoftTimeLimitExceeded"
        else repr(error)
    )
    return f"{type(error).__name__}: {text}"[:2000]
