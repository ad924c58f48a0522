"""Organiser admin for schedules, pauses, meetings and agendas. Saves go through services."""

from __future__ import annotations

import zoneinfo

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Sum
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groups.models import Group
from mastermind.core.admin import SafeAdminMixin
from meetings import services
from meetings.forms.meetings import (
    AgendaFormSet,
    MoveMeetingForm,
    PauseAdminForm,
    ReasonForm,
    ScheduleAdminForm,
)
from meetings.models import (
    AgendaItem,
    GroupAgenda,
    HotSeat,
    Meeting,
    MeetingStatus,
    Pause,
    Schedule,
)


@admin.register(Schedule)
class ScheduleAdmin(SafeAdminMixin, admin.ModelAdmin):
    form = ScheduleAdminForm
    list_display = (
        "group",
        "weekday",
        "start_time",
        "every_weeks",
        "duration_minutes",
        "time_zone",
        "first_date",
        "end_date",
        "hot_seats",
    )
    list_select_related = ("group",)
    search_fields = ("group__name",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "group",
                    ("every_weeks", "weekday"),
                    ("start_time", "duration_minutes"),
                    "time_zone",
                    ("first_date", "end_date"),
                    "hot_seats",
                    "holiday_region",
                    "confirm_changes",
                )
            },
        ),
        (
            _("Reminders"),
            {
                "fields": (
                    "reminder_hours_before",
                    "second_reminder_minutes_before",
                    "preparation_reminder_days",
                    "commitments_prompt_minutes_after",
                )
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        result = services.save_schedule(schedule=obj)
        self.message_user(
            request,
            _("Meetings updated: %(created)s new, %(updated)s changed, %(cancelled)s cancelled.")
            % {"created": result.created, "updated": result.updated, "cancelled": result.cancelled},
        )

    def delete_model(self, request, obj):
        group = obj.group
        super().delete_model(request, obj)
        services.cancel_series(group=group)

    def delete_queryset(self, request, queryset):
        for schedule in queryset.select_related("group"):
            self.delete_model(request, schedule)


@admin.register(Pause)
class PauseAdmin(SafeAdminMixin, admin.ModelAdmin):
    form = PauseAdminForm
    list_display = ("name", "group", "start_date", "end_date")
    list_filter = ("group",)
    list_select_related = ("group",)

    def save_model(self, request, obj, form, change):
        old_group = Pause.objects.filter(pk=obj.pk).values_list("group_id", flat=True).first()
        super().save_model(request, obj, form, change)
        _sync_pause_groups(obj.group_id, old_group if change else obj.group_id)

    def delete_model(self, request, obj):
        group_id = obj.group_id
        super().delete_model(request, obj)
        _sync_pause_groups(group_id, group_id)

    def delete_queryset(self, request, queryset):
        group_ids = set(queryset.values_list("group_id", flat=True))
        super().delete_queryset(request, queryset)
        for group_id in group_ids:
            _sync_pause_groups(group_id, group_id)


def _sync_pause_groups(new_group_id: int | None, old_group_id: int | None) -> None:
    if new_group_id is None or old_group_id is None:
        services.sync_after_pause_change(group=None)
        return
    for group in Group.objects.filter(pk__in={new_group_id, old_group_id}):
        services.sync_after_pause_change(group=group)


class HotSeatInline(admin.TabularInline):
    model = HotSeat
    extra = 0
    fields = ("user", "pinned")
    readonly_fields = ("user", "pinned")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(SafeAdminMixin, admin.ModelAdmin):
    list_display = ("starts_at", "group", "status", "presenters", "is_override", "sequence")
    list_filter = ("group", "status", "is_override", ("starts_at", admin.DateFieldListFilter))
    date_hierarchy = "starts_at"
    list_select_related = ("group",)
    search_fields = ("group__name",)
    actions = ("cancel_meetings", "move_meeting")
    inlines = (HotSeatInline,)
    readonly_fields = (
        "group",
        "series_date",
        "starts_at",
        "ends_at",
        "time_zone",
        "status",
        "skip_reason",
        "is_override",
        "cancel_reason",
        "sequence",
        "time_changed_at",
    )

    def get_queryset(self, request):
        seats = HotSeat.objects.select_related("user").order_by("pk")
        return super().get_queryset(request).prefetch_related(Prefetch("hot_seats", seats))

    def has_add_permission(self, request):
        return False  # meetings come from schedules; a moved one keeps its row

    def has_delete_permission(self, request, obj=None):
        return False  # members may have it in their calendar: cancel instead

    @admin.display(description=_("hot seat"))
    def presenters(self, obj: Meeting) -> str:
        return ", ".join(str(seat.user) for seat in obj.hot_seats.all()) or "–"

    @admin.action(description=_("Cancel selected meetings (asks for a reason)"))
    def cancel_meetings(self, request: HttpRequest, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for meeting in queryset.exclude(status=MeetingStatus.CANCELLED):
                try:
                    services.cancel_meeting(meeting=meeting, reason=form.cleaned_data["reason"])
                    done += 1
                except ValidationError as error:
                    self.message_user(request, f"{meeting}: {error.messages[0]}", messages.ERROR)
            self.message_user(
                request,
                ngettext(
                    "%(n)s meeting cancelled; the members are told.",
                    "%(n)s meetings cancelled; the members are told.",
                    done,
                )
                % {"n": done},
            )
            return None
        return self._intermediate(request, queryset, form, _("Cancel meetings"), "cancel_meetings")

    @admin.action(description=_("Move the selected meeting (asks for the new time)"))
    def move_meeting(self, request: HttpRequest, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one meeting to move."), messages.ERROR)
            return None
        meeting = queryset.get()
        data = request.POST if "apply" in request.POST else None
        local = timezone.localtime(meeting.starts_at, timezone=_zone(meeting.time_zone))
        form = MoveMeetingForm(
            data, meeting=meeting, initial={"date": local.date(), "time": local.time()}
        )
        if form.is_bound and form.is_valid():
            try:
                services.move_meeting(
                    meeting=meeting,
                    starts_at=form.cleaned_data["starts_at"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
            else:
                self.message_user(request, _("Meeting moved; the members are told."))
            return None
        return self._intermediate(request, queryset, form, _("Move meeting"), "move_meeting")

    def _intermediate(self, request, queryset, form, title, action):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "meetings": queryset,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "meetings/meeting_action_form.html", context)


def _zone(name: str):
    return zoneinfo.ZoneInfo(name)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    formset = AgendaFormSet
    fields = ("position", "title", "kind", "minutes")
    extra = 1


@admin.register(GroupAgenda)
class GroupAgendaAdmin(SafeAdminMixin, admin.ModelAdmin):
    """Each group's agenda; its minutes must add up to the length of the group's meetings."""

    list_display = ("name", "agenda_minutes", "meeting_minutes")
    search_fields = ("name",)
    fields = ("name",)
    readonly_fields = ("name",)
    inlines = (AgendaItemInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("schedule")
            .annotate(agenda_total=Sum("agenda_items__minutes"))
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            services.revise_group(group_id=form.instance.pk)  # the events list the agenda

    @admin.display(description=_("agenda minutes"))
    def agenda_minutes(self, obj) -> int:
        return obj.agenda_total or 0

    @admin.display(description=_("meeting minutes"))
    def meeting_minutes(self, obj) -> int | str:
        schedule = getattr(obj, "schedule", None)
        return schedule.duration_minutes if schedule else "–"
