"""The outbox: every email the app sends on its own goes through here.

The public API; the guarantees are described in :mod:`mastermind.outbox.delivery`.
Apps register a builder per email kind (``@outbox.register(kind)``), claim rows with
:func:`claim` or :func:`claim_many`, and tie each row to what it is about with
:func:`about` (a generic relation: the outbox knows no app).
"""

from mastermind.outbox.delivery import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_CAP_SECONDS,
    CLAIM_BATCH_SIZE,
    HEARTBEAT_KEY,
    MAX_ATTEMPTS,
    RETRY_SPAN_MAX,
    RETRY_SPAN_MIN,
    SEND_BATCH_SIZE,
    STUCK_AFTER,
    Expired,
    Outcome,
    about,
    about_id,
    backoff_seconds,
    builder_for,
    circuit,
    claim,
    claim_many,
    deliver,
    deliver_many,
    enqueue,
    is_permanent,
    message_id,
    probe,
    register,
    release_waiting,
    requeue_stuck,
    send_again,
    subject_querysets,
)
from mastermind.outbox.log import detach

__all__ = [
    "BACKOFF_BASE_SECONDS",
    "BACKOFF_CAP_SECONDS",
    "CLAIM_BATCH_SIZE",
    "HEARTBEAT_KEY",
    "MAX_ATTEMPTS",
    "RETRY_SPAN_MAX",
    "RETRY_SPAN_MIN",
    "SEND_BATCH_SIZE",
    "STUCK_AFTER",
    "Expired",
    "Outcome",
    "about",
    "about_id",
    "backoff_seconds",
    "builder_for",
    "circuit",
    "claim",
    "claim_many",
    "deliver",
    "deliver_many",
    "detach",
    "enqueue",
    "is_permanent",
    "message_id",
    "probe",
    "register",
    "release_waiting",
    "requeue_stuck",
    "send_again",
    "subject_querysets",
]
