from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Intakes and groups")

    def ready(self) -> None:
        # The outbox builders of this app's emails, and its hooks into the infrastructure.
        from groups import attention, contributions  # noqa: F401
        from groups.notifications import free_places, groups, intake, renewal  # noqa: F401
