"""Admin for groups, memberships and matching pins.

Membership changes go through groups.services (via the staff page each group links to, or
the "end group" action), so history is kept and welcome emails and signals go out; the
admin itself shows memberships read-only and never deletes them.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groups import events, services
from groups.admin.intake import TopicsField
from groups.extensions import group_admin_inlines
from groups.models import Group, MatchingPin, Membership, current_membership_q
from mastermind.core.admin import SafeAdminMixin


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "joined_at", "left_at", "left_reason", "renewal_display", "topics_display")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("joined_at", "pk")
    show_change_link = True
    verbose_name_plural = _("membership history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "group")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("after the term"))
    def renewal_display(self, obj: Membership) -> str:
        if obj.renewal_answer:
            return obj.get_renewal_answer_display()
        if obj.group.term_ends_on and obj.is_current:
            return _("Not answered yet")
        return "—"

    @admin.display(description=_("topics"))
    def topics_display(self, obj: Membership) -> str:
        return ", ".join(obj.topics or [])


@admin.register(Group)
class GroupAdmin(SafeAdminMixin, admin.ModelAdmin):
    list_display = ("name", "intake", "status", "member_count", "created_at")
    list_filter = ("status", "intake")
    list_select_related = ("intake",)
    search_fields = ("name",)
    readonly_fields = ("manage_link", "created_at", "ended_at", "status")
    inlines = (MembershipInline,)
    actions = ("end_groups",)

    def get_inlines(self, request, obj):
        extra = [inline for _name, hook in group_admin_inlines for inline in hook()]
        return [*self.inlines, *extra] if obj is not None else list(self.inlines)

    def get_queryset(self, request):
        now = timezone.now()
        current = current_membership_q(now, prefix="memberships__")
        return (
            super()
            .get_queryset(request)
            .annotate(_member_count=Count("memberships", filter=current, distinct=True))
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:  # what the group's calendar events show may have changed (groups/events.py)
            events.send_changed_on_commit(group_id=obj.pk, fields=form.changed_data)

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj: Group) -> int:
        return obj._member_count

    @admin.display(description=_("members"))
    def manage_link(self, obj: Group) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("groups:group_manage", kwargs={"pk": obj.pk}),
            _("Add from waitlist, move a member, end the group"),
        )

    @admin.action(description=_("End the selected groups"))
    def end_groups(self, request, queryset):
        ended = 0
        for group in queryset.exclude(status="ended"):
            services.end_group(group=group)
            ended += 1
        self.message_user(
            request,
            ngettext("%(count)d group ended.", "%(count)d groups ended.", ended) % {"count": ended},
            messages.SUCCESS,
        )

    def has_delete_permission(self, request, obj=None):
        return False


class CurrentFilter(admin.SimpleListFilter):
    title = _("membership")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return (("yes", _("Current")), ("no", _("Former")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.current()
        if self.value() == "no":
            return queryset.filter(left_at__lte=timezone.now())
        return queryset


class MembershipAdminForm(forms.ModelForm):
    topics = TopicsField(label=_("topics"), required=False, help_text=_("One topic per line."))

    class Meta:
        model = Membership
        fields = ("topics", "about")


@admin.register(Membership)
class MembershipAdmin(SafeAdminMixin, admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ("group", "user", "joined_at", "left_at", "left_reason")
    list_filter = (CurrentFilter, "group")
    list_select_related = ("group", "user")
    search_fields = ("user__email", "user__display_name", "group__name")
    readonly_fields = ("group", "user", "application", "joined_at", "left_at", "left_reason")
    fields = (*readonly_fields, "topics", "about")
    date_hierarchy = "joined_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MatchingPinForm(forms.ModelForm):
    class Meta:
        model = MatchingPin
        fields = ("intake", "kind", "first", "second")

    def clean(self):
        data = super().clean()
        first, second, intake = data.get("first"), data.get("second"), data.get("intake")
        if first and second:
            if first == second:
                raise forms.ValidationError(_("Choose two different people."))
            if intake and {first.intake_id, second.intake_id} != {intake.pk}:
                raise forms.ValidationError(_("Both people must have applied to this intake."))
            # The table stores each pair once, smaller id first.
            if first.pk > second.pk:
                data["first"], data["second"] = second, first
        return data


@admin.register(MatchingPin)
class MatchingPinAdmin(SafeAdminMixin, admin.ModelAdmin):
    form = MatchingPinForm
    list_display = ("intake", "kind", "first", "second")
    list_filter = ("kind", "intake")
    list_select_related = ("intake", "first", "second")
    raw_id_fields = ("first", "second")
