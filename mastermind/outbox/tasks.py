"""Thin Celery tasks: take ids, call a service, safe to run twice."""

from celery import shared_task

from mastermind import outbox


@shared_task(bind=True, name="mastermind.send_notification", max_retries=outbox.MAX_ATTEMPTS)
def send_notification(self, notification_id: int) -> str:
    outcome, delay = outbox.deliver(notification_id)
    if outcome == outbox.Outcome.RETRY:
        # A short backoff, not a far-future ETA; the minute sweep is the backstop if
        # this message is lost.
        raise self.retry(countdown=delay, max_retries=None)
    return outcome


@shared_task(name="mastermind.requeue_stuck_notifications")
def requeue_stuck_notifications() -> int:
    return outbox.requeue_stuck()
