"""Thin Celery tasks: take ids, call a service, safe to run twice."""

from celery import shared_task

from mastermind import outbox

# Time limits of a send task (a batch of up to outbox.SEND_BATCH_SIZE ids over one SMTP
# connection). Every network operation already times out after EMAIL_TIMEOUT (15 s), and the
# first server-level failure opens the circuit, after which the rest of the batch is
# deferred without a conversation; so a batch to a healthy server takes about a second and
# one to a hung server about 2 × EMAIL_TIMEOUT. At the soft limit (90 s) the send in
# progress fails with "SoftTimeLimitExceeded: the send took longer than the task's soft time
# limit", recorded on its row and retried; the hard limit (120 s) kills the process, and the
# row's lease (OUTBOX_LEASE_SECONDS, 180 s, longer than the hard limit) expires and is
# recorded as "lease expired" when the row is taken up again. (Soft limits need the prefork
# pool, the production default; the hard limit and the lease hold for every pool.)
SEND_SOFT_TIME_LIMIT = 90
SEND_TIME_LIMIT = 120


@shared_task(
    name="mastermind.send_notifications",
    soft_time_limit=SEND_SOFT_TIME_LIMIT,
    time_limit=SEND_TIME_LIMIT,
)
def send_notifications(notification_ids: list[int]) -> dict[str, int]:
    """Send a batch of notifications (the outbox publishes ids in batches)."""
    return outbox.deliver_many(notification_ids)


@shared_task(
    name="mastermind.send_notification",
    soft_time_limit=SEND_SOFT_TIME_LIMIT,
    time_limit=SEND_TIME_LIMIT,
)
def send_notification(notification_id: int) -> str:
    """Send one notification (kept for messages published before batches existed)."""
    outcome, _delay = outbox.deliver(notification_id)
    return outcome


@shared_task(name="mastermind.requeue_stuck_notifications")
def requeue_stuck_notifications() -> int:
    """Once a minute from beat: publish due rows that are not queued (see the outbox)."""
    return outbox.requeue_stuck()


@shared_task(name="mastermind.probe_mail_server", soft_time_limit=30, time_limit=45)
def probe_mail_server() -> str:
    """Every 15 s from beat: while the mail circuit is open, ask the server."""
    return outbox.probe()
