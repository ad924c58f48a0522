"""The outbox: every email the app sends on its own goes through here.

The public API; the guarantees are described in :mod:`mastermind.outbox.delivery`
(sending, retries), :mod:`~mastermind.outbox.claims` (claiming, publishing),
:mod:`~mastermind.outbox.batches` (several rows of one person told in one email) and
:mod:`~mastermind.outbox.circuit` (the mail server's health).
Apps register a builder per email kind (``@outbox.register(kind)``, or one for several
kinds told together: ``@outbox.register_batch(*kinds)``), claim rows with :func:`claim` or
:func:`claim_many` (with :func:`batched` fields to wait for a window and be told together),
and tie each row to what it is about with :func:`about` (a generic relation: the outbox
knows no app).
"""

from mastermind.outbox.batches import batched, register_batch
from mastermind.outbox.circuit import circuit, is_permanent, probe, release_waiting
from mastermind.outbox.claims import (
    CLAIM_BATCH_SIZE,
    SEND_BATCH_SIZE,
    Expired,
    about,
    about_id,
    builder_for,
    claim,
    claim_many,
    enqueue,
    register,
    subject_querysets,
)
from mastermind.outbox.delivery import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_CAP_SECONDS,
    HEARTBEAT_KEY,
    MAX_ATTEMPTS,
    RETRY_SPAN_MAX,
    RETRY_SPAN_MIN,
    STUCK_AFTER,
    Outcome,
    backoff_seconds,
    build_message,
    deliver,
    deliver_many,
    message_id,
    requeue_stuck,
    send_again,
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
    "batched",
    "build_message",
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
    "register_batch",
    "release_waiting",
    "requeue_stuck",
    "send_again",
    "subject_querysets",
]
