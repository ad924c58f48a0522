"""Thin Celery tasks of the groups app."""

from celery import shared_task

from groups.services import retention


@shared_task(name="groups.purge_expired_applications")
def purge_expired_applications() -> int:
    return retention.purge_expired_applications()
