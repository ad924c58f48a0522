from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # Register the outbox builders of this app's emails and the signal receivers.
        from meetings import (  # noqa: F401
            notifications_calendar,
            notifications_meetings,
            notifications_reminders,
            signals,
        )
        from meetings.calendar_cache import connect_deletions

        connect_deletions()
