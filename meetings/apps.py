from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # Register the outbox builders of this app's emails and the signal receivers.
        from meetings import contributions, notifications, receivers  # noqa: F401
        from meetings.calendar import notifications as calendar_notifications  # noqa: F401
        from meetings.calendar.feed_cache import connect_deletions
        from meetings.reminders import notifications as reminder_notifications  # noqa: F401

        connect_deletions()
