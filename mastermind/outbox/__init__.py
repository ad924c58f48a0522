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
    MAX_ATTEMPTS,
    STUCK_AFTER,
    Expired,
    Outcome,
    about,
    about_id,
    backoff_seconds,
    builder_for,
    claim,
    claim_many,
    deliver,
    enqueue,
    register,
    requeue_stuck,
    send_again,
    subject_querysets,
)

__all__ = [
    "BACKOFF_BASE_SECONDS",
    "BACKOFF_CAP_SECONDS",
    "CLAIM_BATCH_SIZE",
    "MAX_ATTEMPTS",
    "STUCK_AFTER",
    "Expired",
    "Outcome",
    "about",
    "about_id",
    "backoff_seconds",
    "builder_for",
    "claim",
    "claim_many",
    "deliver",
    "enqueue",
    "register",
    "requeue_stuck",
    "send_again",
    "subject_querysets",
]
