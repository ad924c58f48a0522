"""Celery tasks that keep schedules and meetings up to date."""
