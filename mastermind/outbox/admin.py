"""The outbox in the admin: what was sent to whom, what failed and why, and "send again".

An organiser reads it, so it shows human labels, the organiser's local times (the
request's active time zone), what the email was about and a preview of its text; the
machine fields (dedup key, payload, batch key) stay out of sight. A row told in another
row's email (a batch) names that row ("sent with") and previews its email.
"""

import re

from django.contrib import admin, messages
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mastermind import outbox
from mastermind.core.admin import SafeAdminMixin
from mastermind.core.registry import Hooks
from mastermind.outbox.models import Notification, NotificationStatus

SIGN_IN_LINK = re.compile(r"\S*/signin/\S+")


def preview(notification: Notification):
    """The message as its builder makes it now, or None if it would not be sent.

    Built inside a transaction that is always rolled back: a builder only reads, but a
    preview must never change anything even if one wrote.
    """
    with transaction.atomic():
        try:
            message = outbox.build_message(notification)
        except outbox.Expired:
            message = None
        transaction.set_rollback(True)
    return message


# Apps add list filters of their own (the group an email is about): each hook returns a
# list of ``SimpleListFilter`` classes.
list_filter_hooks = Hooks("list filters of the notifications log")


@admin.register(Notification)
class NotificationAdmin(SafeAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "email", "subject", "status", "error_short")
    list_filter = ("status", "kind", ("created_at", admin.DateFieldListFilter))
    search_fields = ("email", "dedup_key")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ("send_again",)

    def get_list_filter(self, request):
        extra = [f for _name, hook in list_filter_hooks for f in hook()]
        return (*self.list_filter, *extra)

    fieldsets = (
        (
            None,
            {"fields": ("kind", "email", "user", "subject", "status", "merged_into", "last_error")},
        ),
        (_("When"), {"fields": ("created_at", "due_at", "sent_at", "attempts")}),
        (_("The email"), {"fields": ("message_subject", "message_text")}),
    )
    readonly_fields = (
        "kind",
        "email",
        "user",
        "subject",
        "status",
        "merged_into",
        "last_error",
        "created_at",
        "due_at",
        "sent_at",
        "attempts",
        "message_subject",
        "message_text",
    )
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        querysets = [queryset() for _name, queryset in outbox.subject_querysets]
        return super().get_queryset(request).prefetch_related(GenericPrefetch("subject", querysets))

    @admin.display(description=_("about"))
    def subject(self, notification: Notification) -> str:
        if notification.subject is not None:
            return str(notification.subject)
        if notification.payload.get("detached_from"):
            return gettext("(deleted since)")
        return "–"

    @admin.display(description=_("last error"))
    def error_short(self, notification: Notification) -> str:
        return Truncator(notification.last_error).chars(80)

    @admin.display(description=_("subject line"))
    def message_subject(self, notification: Notification) -> str:
        message = preview(notification)
        return message.subject if message is not None else self._not_sent(notification)

    @admin.display(description=_("text"))
    def message_text(self, notification: Notification) -> str:
        message = preview(notification)
        if message is None:
            return self._not_sent(notification)
        # A sign-in link is a credential of its recipient: the preview shows where it is.
        body = SIGN_IN_LINK.sub(gettext("[personal sign-in link]"), message.body)
        return format_html('<pre class="email-preview">{}</pre>', body)

    def _not_sent(self, notification: Notification) -> str:
        if notification.status == NotificationStatus.SENT:
            return gettext("This email was sent; what it was about has changed or gone since.")
        return gettext("This email would not be sent now (no longer wanted or too late).")

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
