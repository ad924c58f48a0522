"""Celery tasks that keep schedules and meetings up to date."""

from celery import shared_task

from meetings.schedule import sync_all


@shared_task(name="meetings.extend_meeting_horizon")
def extend_meeting_horizon() -> int:
    """Daily: create the meetings that came into the horizon and re-plan hot seats.

    Derives everything from the database, so a second run (or a second beat) changes nothing.
    """
    return sync_all().created


__all__ = ["extend_meeting_horizon"]
