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
# beat tick or a second beat costs nothing. The minute jobs run on the "sweeps" queue
# (settings.CELERY_TASK_ROUTES), never behind a backlog of sends. Each is scheduled once
# here and nowhere else (the reminder sweep does not re-queue; requeue-stuck does).
app.conf.beat_schedule = {
    "requeue-stuck-notifications": {
        "task": "mastermind.requeue_stuck_notifications",
        "schedule": 60.0,
    },
    "sweep-reminders": {"task": "meetings.sweep_reminders", "schedule": 60.0},
    # Cheap when the mail server is fine (one cache read); while it is failing, asks it
    # every 15 s and releases the backlog as soon as it answers.
    "probe-mail-server": {"task": "mastermind.probe_mail_server", "schedule": 15.0},
    "extend-meeting-horizon": {
        "task": "meetings.extend_meeting_horizon",
        "schedule": crontab(hour=3, minute=17),
    },
    # Renewal questions and term ends (groups/services/renewal.py): a term ends on a day
    # in the group's time zone, so a quarter-hour tick is soon enough.
    "sweep-renewals": {"task": "groups.sweep_renewals", "schedule": 15 * 60.0},
    "purge-expired-applications": {
        "task": "groups.purge_expired_applications",
        "schedule": crontab(hour=4, minute=7),
    },
}


@app.on_after_configure.connect
def _ensure_folders(sender: Celery, **kwargs) -> None:
    """Create the folders the broker and beat write to, so every process starts from a
    fresh checkout (beat's schedule file lives in var/ unless the environment moves it)."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    schedule = sender.conf.beat_schedule_filename
    if schedule:
        Path(schedule).parent.mkdir(parents=True, exist_ok=True)


__all__ = ["app", "crontab"]
