"""The confirmation page that creates an intake's groups with their schedules."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mastermind.core.timezones import validate_sane_date
from meetings.models import Schedule
from meetings.services.round_start import SCHEDULE_FIELDS

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})  # type=date needs ISO


class StartForm(forms.Form):
    start = forms.DateField(
        label=_("First meetings from"),
        widget=_DATE,
        validators=[validate_sane_date],
        help_text=_("Each group starts on the first of its weekdays on or after this date."),
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_start(self) -> dt.date:
        start = self.cleaned_data["start"]
        if start < self.today:
            raise ValidationError(_("Choose a date that is not in the past."))
        return start


class GroupScheduleForm(forms.ModelForm):
    class Meta:
        model = Schedule
        fields = SCHEDULE_FIELDS
        widgets = {
            "first_date": _DATE,
            "start_time": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        }

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_permitted = False  # every group needs its schedule, even if unchanged
        self.today = today
        self.fields["time_zone"].widget.attrs["list"] = "time-zones"

    def clean_first_date(self) -> dt.date:
        first = self.cleaned_data["first_date"]
        validate_sane_date(first)
        if first < self.today:
            raise ValidationError(_("Choose a date that is not in the past."))
        return first

    def clean(self):
        cleaned = super().clean()
        first, weekday = cleaned.get("first_date"), cleaned.get("weekday")
        if first and weekday is not None and first.weekday() != int(weekday):
            self.add_error("first_date", _("The first date must fall on the chosen weekday."))
        return cleaned


class BaseScheduleFormSet(forms.BaseFormSet):
    def __init__(self, *args, today: dt.date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "today": self.today}


ScheduleFormSet = forms.formset_factory(GroupScheduleForm, formset=BaseScheduleFormSet, extra=0)
