"""Celery discovers tasks here; they live in modules named for what they do."""

from .tasks_reminders import *  # noqa: F403
from .tasks_schedule import *  # noqa: F403
