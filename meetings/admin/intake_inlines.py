"""The agenda template on the intake's admin page (through
:data:`groups.extensions.intake_admin_inlines`, so the groups app never imports meetings).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from groups.extensions import intake_admin_inlines
from meetings.forms.agenda import IntakeAgendaFormSet, IntakeAgendaItemForm
from meetings.models import IntakeAgendaItem

OWN = _(
    "Agenda template: every group formed from this intake starts with a copy, scaled to "
    "its meeting length. The minutes add up to the meeting duration above."
)
DEFAULT = _(
    "Agenda template: this intake uses the default agenda, shown below. Leave it as it is, "
    "or change it (order, titles, kinds, minutes adding up to the meeting duration) to give "
    "the intake its own. Every group formed from the intake starts with a copy."
)


class IntakeAgendaInline(admin.TabularInline):
    model = IntakeAgendaItem
    form = IntakeAgendaItemForm
    formset = IntakeAgendaFormSet
    fields = ("position", "title", "kind", "minutes")
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        outer = self

        class Explained(formset):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # The heading says whether the rows are the intake's own or the default.
                outer.verbose_name_plural = DEFAULT if self.prefilled else OWN

        return Explained


@intake_admin_inlines.register("agenda template")
def agenda_template() -> list:
    return [IntakeAgendaInline]
