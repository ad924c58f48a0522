"""Celery tasks of the reminder pipeline: thin, safe to run twice (see reminders.py)."""

from celery import shared_task
from django.utils import timezone

from meetings import reminders

__all__ = ["sweep_reminders"]


@shared_task(name="meetings.sweep_reminders")
def sweep_reminders() -> dict:
    """Every minute from beat: claim and queue whatever is due now."""
    return reminders.sweep(timezone.now()).as_dict()
