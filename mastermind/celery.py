"""The Celery app and its one beat schedule.

Configured from Django settings (CELERY_*). Without REDIS_URL the broker is kombu's
filesystem transport, so `make run` runs a real worker and beat on a fresh machine.
"""

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mastermind.settings")

app = Celery("mastermind")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Infrastructure packages are not apps of their own; their tasks are listed here.
app.autodiscover_tasks(["mastermind.outbox", "mastermind.ops"])

# Every periodic job is a sweep that derives its work from the database, so a lost
# beat tick or a second beat costs nothing.
app.conf.beat_schedule = {
    "requeue-stuck-notifications": {
        "task": "mastermind.requeue_stuck_notifications",
        "schedule": 60.0,
    },
    "sweep-reminders": {"task": "meetings.sweep_reminders", "schedule": 60.0},
    "extend-meeting-horizon": {
        "task": "meetings.extend_meeting_horizon",
        "schedule": crontab(hour=3, minute=17),
    },
    "purge-expired-applications": {
        "task": "groups.purge_expired_applications",
        "schedule": crontab(hour=4, minute=7),
    },
}


@app.on_after_configure.connect
def _ensure_broker_folders(sender: Celery, **kwargs) -> None:
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


__all__ = ["app", "crontab"]
