"""The schedule and the group's own pauses, edited on the group's admin page.

The groups app's admin shows what :data:`groups.extensions.group_admin_inlines` offers; the
formsets here save through the services, so the meetings follow every change (the same
preview and confirmation as on the schedule's own page).
"""

from __future__ import annotations

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from groups.extensions import group_admin_inlines
from meetings import services
from meetings.forms.meetings import PauseAdminForm, ScheduleAdminForm
from meetings.models import Pause, Schedule


class ScheduleFormSet(BaseInlineFormSet):
    def save(self, commit=True):
        # The admin's change message reads what a model formset's save records.
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        for form in self.forms:
            if not form.has_changed():
                continue
            schedule = form.save(commit=False)
            created = schedule.pk is None
            services.save_schedule(schedule=schedule)
            if created:
                self.new_objects.append(schedule)
            else:
                self.changed_objects.append((schedule, form.changed_data))
        return [*self.new_objects, *(obj for obj, _fields in self.changed_objects)]


class PauseFormSet(BaseInlineFormSet):
    def save(self, commit=True):
        saved = super().save(commit=commit)
        if self.has_changed():
            services.sync_after_pause_change(group=self.instance)
        return saved


class ScheduleInline(admin.StackedInline):
    model = Schedule
    form = ScheduleAdminForm
    formset = ScheduleFormSet
    fields = (
        ("every_weeks", "weekday"),
        ("start_time", "duration_minutes"),
        "time_zone",
        ("first_date", "end_date"),
        "hot_seats",
        ("rotate_facilitator", "rotate_timekeeper"),
        "holiday_region",
        "confirm_changes",
    )
    can_delete = False
    max_num = 1
    verbose_name_plural = _("schedule")


class GroupPauseInline(admin.TabularInline):
    model = Pause
    form = PauseAdminForm
    formset = PauseFormSet
    fields = ("name", "start_date", "end_date")
    extra = 0
    verbose_name_plural = _("pauses of this group (pauses for all groups are under Pauses)")


@group_admin_inlines.register("schedule and pauses")
def schedule_and_pauses() -> list:
    return [ScheduleInline, GroupPauseInline]
