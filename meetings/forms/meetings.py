"""Forms: validate and convert; views and the admin hand cleaned data to the services."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mastermind.core.text import TextPolicyFormMixin, apply_text_policy
from mastermind.core.timezones import validate_sane_date
from meetings.choices import AgendaKind
from meetings.forms.agenda import kept_blocks
from meetings.models import Meeting, Pause, Preparation, Schedule
from meetings.services.agenda import validate_agenda
from meetings.services.schedule import preview_sync


class ScheduleAdminForm(TextPolicyFormMixin, forms.ModelForm):
    """Editing a schedule that has meetings first says what the save will do to them
    (new, moved, cancelled) and asks for ``confirm_changes``."""

    confirm_changes = forms.BooleanField(
        label=_("Yes, change the meetings as described"), required=False
    )

    class Meta:
        model = Schedule
        exclude: list[str] = []  # the admin's fieldsets choose the fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "time_zone" in self.fields:
            self.fields["time_zone"].required = False
            self.fields["time_zone"].help_text = _("Leave empty to use the group's time zone.")
        for name in ("first_date", "end_date"):
            if name in self.fields:
                self.fields[name].validators.append(validate_sane_date)

    def clean_time_zone(self) -> str:
        return self.cleaned_data.get("time_zone") or ""

    def clean(self):
        cleaned = super().clean()
        group = cleaned.get("group") or getattr(self.instance, "group", None)
        if not cleaned.get("time_zone") and group is not None:
            cleaned["time_zone"] = group.time_zone
            self.instance.time_zone = group.time_zone
        first, end = cleaned.get("first_date"), cleaned.get("end_date")
        if first and end and end < first:
            self.add_error("end_date", _("The end date must not lie before the first date."))
        if not self.errors and not cleaned.get("confirm_changes"):
            self._ask_before_changing_meetings(cleaned)
        return cleaned

    def _ask_before_changing_meetings(self, cleaned: dict) -> None:
        if self.instance.pk is None or not set(self.changed_data) & SERIES_FIELDS:
            return
        edited = Schedule.objects.get(pk=self.instance.pk)
        for name in SERIES_FIELDS & set(cleaned):
            setattr(edited, name, cleaned[name])
        result = preview_sync(schedule=edited)
        if not (result.created or result.updated or result.cancelled):
            return
        self.add_error(
            "confirm_changes",
            _(
                "Saving adds %(created)s meetings, moves %(updated)s and cancels "
                "%(cancelled)s; members are told and their calendars follow. Tick the box to "
                "go ahead."
            )
            % {"created": result.created, "updated": result.updated, "cancelled": result.cancelled},
        )


# The fields that decide when the meetings are (editing the reminders moves nothing).
SERIES_FIELDS = {
    "every_weeks",
    "weekday",
    "start_time",
    "duration_minutes",
    "time_zone",
    "first_date",
    "end_date",
    "holiday_region",
}


class PauseAdminForm(TextPolicyFormMixin, forms.ModelForm):
    class Meta:
        model = Pause
        fields = ["name", "group", "start_date", "end_date"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day must not lie before the first day."))
        return cleaned


class AgendaFormSet(forms.BaseInlineFormSet):
    """A group's agenda, checked whole like the intake's template
    (:func:`~meetings.services.agenda.validate_agenda`) against its meetings' length, with
    one hot-seat block for all of the group's presenters or one for each."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        apply_text_policy(form)

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        schedule = Schedule.objects.filter(group_id=self.instance.pk).first()
        if schedule is None:
            return
        blocks = kept_blocks(self)
        validate_agenda(blocks, duration_minutes=schedule.duration_minutes)
        seats = sum(1 for _title, kind, _minutes in blocks if kind == AgendaKind.HOT_SEAT)
        if seats not in (1, schedule.hot_seats):
            raise ValidationError(
                _(
                    "The group has %(count)s hot seats per meeting: give the agenda one "
                    "hot-seat block for all of them, or one for each."
                ),
                code="agenda_seats",
                params={"count": schedule.hot_seats},
            )


class ReasonForm(TextPolicyFormMixin, forms.Form):
    """The admin's intermediate form for cancelling meetings."""

    reason = forms.CharField(
        label=_("Reason (sent to the members)"), max_length=300, widget=forms.Textarea
    )


class MoveMeetingForm(ReasonForm):
    """New local date and start time, in the meeting's own time zone; the length stays."""

    date = forms.DateField(
        label=_("New date"),
        # A date input's value must be ISO (YYYY-MM-DD) in every language, or the browser
        # drops it and the organiser has to type the date again.
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        validators=[validate_sane_date],
    )
    time = forms.TimeField(
        label=_("New start time"),
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        self.meeting = meeting
        super().__init__(*args, **kwargs)
        self.fields["time"].help_text = _("Local time in %(zone)s.") % {"zone": meeting.time_zone}

    def clean(self):
        cleaned = super().clean()
        day, start = cleaned.get("date"), cleaned.get("time")
        if day and start:
            zone = zoneinfo.ZoneInfo(self.meeting.time_zone)
            starts_at = dt.datetime.combine(day, start, tzinfo=zone)
            if starts_at <= timezone.now():
                self.add_error("date", _("Choose a date and time in the future."))
            cleaned["starts_at"] = starts_at
        return cleaned


class AbsenceForm(TextPolicyFormMixin, forms.Form):
    note = forms.CharField(label=_("Note for the group (optional)"), max_length=300, required=False)


class PreparationForm(TextPolicyFormMixin, forms.ModelForm):
    class Meta:
        model = Preparation
        fields = ["story", "value_for_others", "feedback_wanted", "takeaways"]

    QUESTIONS = ("story", "value_for_others", "feedback_wanted")

    def clean(self):
        cleaned = super().clean()
        if not any((cleaned.get(f) or "").strip() for f in self.QUESTIONS):
            raise ValidationError(_("Please fill in at least one of the questions."))
        return cleaned


class CommitmentForm(TextPolicyFormMixin, forms.Form):
    text = forms.CharField(label=_("By next time I will …"), max_length=500)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("Please write down your commitment."))
        return text


class SwapRequestForm(forms.Form):
    """Pick another member's upcoming turn (a hot seat or a role assignment, anything with
    ``user`` and ``meeting``) to trade with the requester's own."""

    target = forms.TypedChoiceField(label=_("Swap with"), coerce=int)

    def __init__(self, *args, options: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = {option.pk: option for option in options}
        self.fields["target"].choices = [
            (
                option.pk,
                f"{option.user.first_name} – "
                f"{timezone.localtime(option.meeting.starts_at):%d.%m.%Y %H:%M}",
            )
            for option in options
        ]

    def clean_target(self):
        return self.options[self.cleaned_data["target"]]
