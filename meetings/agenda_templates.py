"""An intake's agenda template (a model of :mod:`meetings.models`).

The organiser sets it on the intake's admin page; every group formed from the intake gets a
copy scaled to its own meeting length when its schedule is first saved
(:func:`meetings.services.schedule.ensure_agenda`). The copy is the group's own: editing
it leaves the template alone, and editing the template leaves existing groups alone. An
intake without rows uses the default agenda (:data:`meetings.services.agenda.DEFAULT_AGENDA`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from groups.models import Intake
from meetings.models import AgendaBlock


class IntakeAgendaItem(AgendaBlock):
    """One block of an intake's agenda template."""

    intake = models.ForeignKey(
        Intake, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("intake")
    )

    class Meta:
        app_label = "meetings"
        verbose_name = _("agenda template block")
        verbose_name_plural = _("agenda template")
        ordering = ["intake", "position", "pk"]
