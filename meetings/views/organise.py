"""Organiser pages of the meetings app: create an intake's groups with their schedules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from groups import services as group_services
from groups.models import Intake
from mastermind.core.timezones import all_zones
from meetings.forms.round_start import ScheduleFormSet, StartForm
from meetings.services import round_start


@staff_member_required
@require_http_methods(["GET", "POST"])
def create_groups(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows each proposed group's schedule; POST ``apply`` re-dates, ``create`` creates."""
    intake = get_object_or_404(Intake, pk=pk)
    proposal_url = redirect("groups:intake_proposal", intake.pk)
    if intake.groups_created_at is not None:
        messages.info(request, _("The groups of this intake have already been created."))
        return proposal_url
    now = timezone.now()
    today = round_start.local_today(intake, now)
    start = round_start.default_start(intake, now)
    planned = round_start.planned_groups(intake=intake, start=start)
    if not planned:
        messages.error(request, _("There are no proposed groups to create."))
        return proposal_url
    fingerprint = round_start.proposal_fingerprint(intake)
    start_form = StartForm(
        request.POST or None, today=today, initial={"start": start, "fingerprint": fingerprint}
    )
    formset = ScheduleFormSet(
        request.POST or None, today=today, initial=[p.initial for p in planned]
    )
    if request.method == "POST":
        if "create" in request.POST and start_form.is_valid() and formset.is_valid():
            return _create(request, intake, formset, start_form.cleaned_data["fingerprint"])
        if "apply" in request.POST and start_form.is_valid():
            formset = _redated(formset, start_form.cleaned_data["start"], today)
    return render(
        request,
        "meetings/organise/create_groups.html",
        {
            "intake": intake,
            "start_form": start_form,
            "formset": formset,
            "rows": _rows(planned, formset, now),
            "time_zones": sorted(all_zones()),
        },
    )


def _create(request, intake, formset, fingerprint) -> HttpResponse:
    try:
        groups = round_start.create_groups_with_schedules(
            intake=intake,
            by=request.user,
            schedules=[form.cleaned_data for form in formset],
            fingerprint=fingerprint,
        )
    except (round_start.RoundStartError, group_services.GroupsError) as error:
        messages.error(request, str(error))
        return redirect("meetings:create_groups", intake.pk)
    message = ngettext(
        "%(count)s group created with its meetings; every member gets a welcome email.",
        "%(count)s groups created with their meetings; every member gets a welcome email.",
        len(groups),
    )
    messages.success(request, message % {"count": len(groups)})
    return redirect("organiser_index")


def _redated(formset, start, today):
    """The organiser's edits kept, each group's first date moved to its weekday from ``start``."""
    initial = []
    for form in formset:
        data, _ok = _coerced(form, {n: form[n].value() for n in round_start.SCHEDULE_FIELDS})
        weekday = data["weekday"] if isinstance(data["weekday"], int) else start.weekday()
        data["first_date"] = round_start.first_weekday_on_or_after(start, weekday)
        initial.append(data)
    return ScheduleFormSet(today=today, initial=initial)


def _coerced(form, raw: dict) -> tuple[dict, bool]:
    """Each value as its field cleans it (a refused one stays as typed), and whether all were
    accepted."""
    data, ok = {}, True
    for name, value in raw.items():
        try:
            data[name] = form.fields[name].clean(value)
        except ValidationError:
            data[name], ok = value, False
    if str(data.get("weekday", "")).isdigit():
        data["weekday"] = int(data["weekday"])
    return data, ok


def _rows(planned, formset, now) -> list[dict]:
    schedules = [_schedule_data(form) for form in formset]
    dates = round_start.first_meetings_of(schedules, now=now)
    return [
        {
            "letter": group_services.group_letter(plan.index),
            "members": plan.members,
            "form": form,
            "zone": data["time_zone"] if data else "",
            "dates": found,
        }
        for plan, form, data, found in zip(planned, formset, schedules, dates, strict=False)
    ]


def _schedule_data(form) -> dict | None:
    """The schedule the form stands for: its cleaned data if bound and valid, else initial."""
    if form.is_bound:
        return form.cleaned_data if form.is_valid() else None
    data, ok = _coerced(form, {n: form.initial.get(n) for n in round_start.SCHEDULE_FIELDS})
    return data if ok else None


urlpatterns = [
    path("organise/intakes/<int:pk>/groups/create/", create_groups, name="create_groups"),
]
