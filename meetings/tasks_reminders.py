"""Celery tasks of the reminder pipeline."""
