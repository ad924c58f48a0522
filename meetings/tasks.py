"""Celery discovers tasks here; they live in modules named for what they do."""

from meetings.tasks_reminders import *  # noqa: F403
from meetings.tasks_schedule import *  # noqa: F403
