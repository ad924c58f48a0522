from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Intakes and groups")

    def ready(self) -> None:
        # Register the outbox builders of this app's emails.
        from groups.notifications import groups, intake  # noqa: F401
