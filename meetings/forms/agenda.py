"""The intake's agenda template as an admin inline: pre-filled with the default, checked whole.

An intake without a template of its own shows the default agenda (scaled to its meeting
length) as pre-filled rows. Left alone they save nothing and the intake keeps using the
default; once any row is touched, all of them are saved together as the intake's own
template, so an edit never stores half an agenda. The whole template is checked by
:func:`meetings.services.agenda.validate_agenda` against the intake's meeting length as it
is being saved; any error saves nothing, neither the rows nor the intake.
"""

from __future__ import annotations

from django import forms

from mastermind.core.text import TextPolicyFormMixin
from meetings.models import IntakeAgendaItem
from meetings.services.agenda import default_blocks, validate_agenda


def kept_blocks(formset: forms.BaseInlineFormSet) -> list[tuple]:
    """The (title, kind, minutes) an agenda formset keeps, in position order."""
    kept = sorted(
        (
            form.cleaned_data
            for form in formset.forms
            if form.cleaned_data and not formset._should_delete_form(form)
        ),
        key=lambda data: data.get("position") or 0,
    )
    return [(d["title"], d["kind"], d["minutes"]) for d in kept]


class IntakeAgendaItemForm(TextPolicyFormMixin, forms.ModelForm):
    force_changed = False  # a pre-filled default row saved along with an edited one

    class Meta:
        model = IntakeAgendaItem
        fields = ["position", "title", "kind", "minutes"]

    def has_changed(self) -> bool:
        return self.force_changed or super().has_changed()


class IntakeAgendaFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query, cached for the forms: does the intake have a template of its own?
        self.prefilled = not self.get_queryset()
        if self.prefilled:
            self.initial_extra = [
                {"position": i, "title": title, "kind": kind, "minutes": minutes}
                for i, (title, kind, minutes) in enumerate(
                    default_blocks(duration_minutes=self._rendered_duration())
                )
            ]
            self.extra = max(self.extra, len(self.initial_extra))

    def _rendered_duration(self) -> int:
        """The meeting length the pre-filled rows were shown for: the stored one.

        On a POST the intake may already carry the submitted length (the admin builds
        its inlines before it validates the form, others may not); the rows must be compared
        with what the page showed, or an untouched default would count as edited.
        """
        intake = self.instance
        if self.is_bound and intake.pk is not None:
            stored = type(intake).objects.filter(pk=intake.pk)
            return stored.values_list("meeting_duration_minutes", flat=True).first() or 0
        return intake.meeting_duration_minutes

    def full_clean(self) -> None:
        if self.is_bound and self.prefilled and any(f.has_changed() for f in self.forms):
            first = self.initial_form_count()
            for form in self.forms[first : first + len(self.initial_extra or [])]:
                form.force_changed, form.empty_permitted = True, False
        super().full_clean()

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        blocks = kept_blocks(self)
        if not blocks:
            return  # no template of its own: the default applies
        validate_agenda(blocks, duration_minutes=self.instance.meeting_duration_minutes)
