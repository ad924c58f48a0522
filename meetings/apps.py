from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # Register the outbox builders of this app's emails and the signal receivers.
        from meetings import change_email, contributions, notifications, receivers  # noqa: F401
        from meetings.calendar import feed_cache
        from meetings.calendar import notifications as calendar_notifications  # noqa: F401
        from meetings.reminders import health_digest, recaps  # noqa: F401
        from meetings.reminders import notifications as reminder_notifications  # noqa: F401

        # The feed cache's receivers for edits outside the services (the admin's forms).
        feed_cache.connect()
