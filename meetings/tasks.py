"""Celery tasks of the meetings app: thin, take ids or nothing, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from meetings import services


@shared_task(name="meetings.sweep_reminders")
def sweep_reminders() -> dict:
    """Every minute from beat: claim and queue whatever is due now."""
    return services.sweep_reminders(timezone.now()).as_dict()


@shared_task(name="meetings.extend_meeting_horizon")
def extend_meeting_horizon() -> int:
    """Daily: create the meetings that came into the horizon and re-plan hot seats.

    Derives everything from the database, so a second run (or a second beat) changes nothing.
    """
    return services.sync_all().created
