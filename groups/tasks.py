"""Thin Celery tasks of the groups app."""

from celery import shared_task

from groups.services import renewal, retention


@shared_task(name="groups.purge_expired_applications")
def purge_expired_applications() -> int:
    return retention.purge_expired_applications()


@shared_task(name="groups.sweep_renewals")
def sweep_renewals() -> dict[str, int]:
    return renewal.sweep()
