"""The notifications log filtered by group: every email about the group, its memberships,
its meetings or their swaps (the outbox knows only each email's subject)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Membership
from mastermind.outbox.admin import list_filter_hooks
from meetings.models import Meeting, SwapRequest


class GroupFilter(admin.SimpleListFilter):
    title = _("group")
    parameter_name = "group"

    def lookups(self, request, model_admin):
        return list(Group.objects.order_by("name").values_list("pk", "name"))

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not value.isdecimal():
            return queryset
        group_id = int(value)
        types = ContentType.objects.get_for_models(Group, Membership, Meeting, SwapRequest)
        subjects = {
            Group: Group.objects.filter(pk=group_id).values("pk"),
            Membership: Membership.objects.filter(group_id=group_id).values("pk"),
            Meeting: Meeting.objects.filter(group_id=group_id).values("pk"),
            SwapRequest: SwapRequest.objects.filter(requester_meeting__group_id=group_id).values(
                "pk"
            ),
        }
        about = Q()
        for model, ids in subjects.items():
            about |= Q(subject_type=types[model], subject_id__in=ids)
        return queryset.filter(about)


@list_filter_hooks.register("group")
def group_filter() -> list:
    return [GroupFilter]
