"""The outbox in the admin: what was sent, what failed and why, and "send again"."""

from django.contrib import admin, messages
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mastermind import outbox
from mastermind.core.admin import SafeAdminMixin
from mastermind.outbox.models import Notification


@admin.register(Notification)
class NotificationAdmin(SafeAdminMixin, admin.ModelAdmin):
    list_display = (
        "kind",
        "email",
        "subject",
        "status",
        "attempts",
        "due_at",
        "sent_at",
        "error_short",
    )
    list_filter = ("status", "kind", ("due_at", admin.DateFieldListFilter), "sent_at")
    search_fields = ("email", "dedup_key")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ("send_again",)
    readonly_fields = (
        "kind",
        "dedup_key",
        "user",
        "email",
        "subject_type",
        "subject_id",
        "payload",
        "status",
        "attempts",
        "last_error",
        "due_at",
        "created_at",
        "updated_at",
        "sent_at",
    )
    fields = readonly_fields
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        querysets = [queryset() for _name, queryset in outbox.subject_querysets]
        return super().get_queryset(request).prefetch_related(GenericPrefetch("subject", querysets))

    @admin.display(description=_("about"))
    def subject(self, notification: Notification) -> str:
        return str(notification.subject) if notification.subject is not None else "–"

    @admin.display(description=_("last error"))
    def error_short(self, notification: Notification) -> str:
        return Truncator(notification.last_error).chars(80)

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = outbox.send_again(queryset.select_related(None).only("pk"))
        self.message_user(
            request,
            ngettext(
                "%(count)d email is queued to be sent again.",
                "%(count)d emails are queued to be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # The outbox is the record of what was sent; deleting a row would allow a resend.
        return False
