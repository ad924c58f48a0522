"""Admin for applications: review, filter, decide, export as CSV.

Thin: every change of state goes through ``groups.services.applications``.
"""

import csv
import json

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groups.admin.decisions import send_decisions_after_confirmation
from groups.models import Application, ApplicationStatus, Intake, Membership
from groups.services import applications, retention
from groups.slots import FORM_DAYS, availability_summary
from mastermind.core.admin import SafeAdminMixin
from mastermind.core.timezones import local_text

RESERVED_SLUGS = {"interest", "confirm", "edit", "withdraw", "unsubscribe"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ConfirmedFilter(admin.SimpleListFilter):
    """Defaults to confirmed applications: only those count for review."""

    title = _("email confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Confirmed")), ("no", _("Not confirmed yet")), ("all", _("All"))]

    def choices(self, changelist):
        current = self.value() or "yes"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "yes"
        if value == "yes":
            return queryset.confirmed()
        if value == "no":
            return queryset.filter(confirmed_at__isnull=True)
        return queryset


class TopicFilter(admin.SimpleListFilter):
    """Applications naming a curated topic.

    The list is JSON: SQLite stores it as text with non-ASCII escaped ("\\u00fc"),
    PostgreSQL's jsonb prints it unescaped. Matching the quoted topic in either spelling
    works on both without database-specific operators.
    """

    title = _("topic")
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        intakes = Intake.objects.all()
        if intake_id := request.GET.get("intake__id__exact"):
            # isdecimal, not isdigit: "²" is a digit that int() refuses
            valid = intake_id.isdecimal() and len(intake_id) <= 18
            intakes = intakes.filter(pk=intake_id) if valid else intakes.none()
        topics = {topic for row in intakes.values_list("topics", flat=True) for topic in row or []}
        return [(topic, topic) for topic in sorted(topics, key=str.casefold)]

    def queryset(self, request, queryset):
        topic = self.value()
        if not topic:
            return queryset
        if len(topic) > 200:  # no topic is that long; a huge LIKE pattern only costs
            return queryset.none()
        return queryset.filter(
            Q(topics__icontains=json.dumps(topic))
            | Q(topics__icontains=json.dumps(topic, ensure_ascii=False))
        )


class WeekdayFilter(admin.SimpleListFilter):
    title = _("available on")
    parameter_name = "weekday"

    def lookups(self, request, model_admin):
        return list(FORM_DAYS)

    def queryset(self, request, queryset):
        day = self.value()
        if day not in {"mon", "tue", "wed", "thu", "fri"}:
            return queryset
        return queryset.filter(availability__icontains=f'"{day}-')


def csv_safe(value: object) -> str:
    """A cell a spreadsheet shows as text: no formula starts with our applicants' input."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_rows(queryset):
    yield [
        _("Name"), _("Email"), _("Intake"), _("Status"), _("Topics"), _("Available evenings"),
        _("Time zone"), _("Language"), _("About me"), _("Expectations"), _("Organiser notes"),
        _("Applied at"), _("Confirmed at"),
    ]  # fmt: skip
    for a in queryset.select_related("intake").order_by("intake", "name", "pk").iterator(500):
        yield [
            a.name, a.email, a.intake.title, a.get_status_display(), ", ".join(a.all_topics),
            availability_summary(a.availability), a.time_zone, a.language, a.about,
            a.expectations, a.notes, _local(a.created_at), _local(a.confirmed_at),
        ]  # fmt: skip


@admin.register(Application)
class ApplicationAdmin(SafeAdminMixin, admin.ModelAdmin):
    # Fits 1280 px without scrolling sideways; intake (a filter), email (searchable),
    # dates and retention are on the change page.
    list_display = (
        "name", "topics_display", "availability_display", "status", "decision_display",
        "is_confirmed",
    )  # fmt: skip
    list_select_related = ("intake",)
    list_filter = (ConfirmedFilter, "intake", "status", TopicFilter, WeekdayFilter)
    search_fields = ("name", "email", "about", "expectations", "topics_other", "notes")
    date_hierarchy = None
    list_per_page = 100
    actions = ("accept", "waitlist", "decline", "send_decisions", "export_csv")
    applicant_fields = (
        "name", "email", "intake", "about", "topics_display", "expectations",
        "availability_display", "time_zone", "language",
    )  # fmt: skip
    record_fields = (
        "consent_version", "consented_at", "confirmed_at", "created_at", "updated_at",
        "decision_sent_status", "decision_sent_at", "deletion_display",
    )  # fmt: skip
    fieldsets = (
        (_("Applicant"), {"fields": applicant_fields}),
        (_("Review"), {"fields": ("status", "decision_display", "notes")}),
        (_("Record"), {"fields": record_fields}),
    )

    def get_queryset(self, request: HttpRequest):
        memberships = Membership.objects.filter(application=OuterRef("pk"))
        return super().get_queryset(request).annotate(has_membership=Exists(memberships))

    @admin.display(description=_("deleted on"))
    def deletion_display(self, application: Application) -> str:
        when = retention.deletion_date(application)
        if when is None:
            return _("kept with the membership")
        return local_text(when)

    def get_readonly_fields(self, request, obj=None):
        # The applicant's own words are theirs: organisers read them, never rewrite them.
        readonly = [*self.applicant_fields, "decision_display", *self.record_fields]
        if obj is not None and obj.confirmed_at is None:
            readonly.append("status")  # unconfirmed applications cannot be decided
        return readonly

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applications come in through the public form only

    @admin.display(description=_("email confirmed"), boolean=True, ordering="confirmed_at")
    def is_confirmed(self, application: Application) -> bool:
        return application.confirmed_at is not None

    @admin.display(description=_("main topics"))
    def topics_display(self, application: Application) -> str:
        return ", ".join(application.all_topics) or "—"

    @admin.display(description=_("available evenings"))
    def availability_display(self, application: Application) -> str:
        zone = application.time_zone
        if zone == application.intake.time_zone:
            zone = ""
        return availability_summary(application.availability, zone)

    @admin.display(description=_("decision email"))
    def decision_display(self, application: Application) -> str:
        if application.decision_pending:
            if application.decision_sent_status:
                sent = ApplicationStatus(application.decision_sent_status).label
                return _("Changed since sent (sent: %(status)s)") % {"status": sent}
            return _("Not sent yet")
        if application.decision_sent_at:
            return _("Sent %(date)s") % {"date": _local(application.decision_sent_at)}
        return "—"

    def _set_status(self, request: HttpRequest, queryset, status: str) -> None:
        # Counted before the change: a list filtered by status no longer matches after it.
        selected = queryset.count()
        count = applications.set_status(applications=queryset, status=status)
        label = ApplicationStatus(status).label
        message = ngettext(
            "%(count)d application marked as “%(status)s”.",
            "%(count)d applications marked as “%(status)s”.",
            count,
        )
        self.message_user(request, message % {"count": count, "status": label})
        skipped = selected - count
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d unconfirmed application was left unchanged.",
                    "%(count)d unconfirmed applications were left unchanged.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Accept selected applications"))
    def accept(self, request: HttpRequest, queryset) -> None:
        self._set_status(request, queryset, ApplicationStatus.ACCEPTED)

    @admin.action(description=_("Put selected applications on the waiting list"))
    def waitlist(self, request: HttpRequest, queryset) -> None:
        self._set_status(request, queryset, ApplicationStatus.WAITLISTED)

    @admin.action(description=_("Decline selected applications"))
    def decline(self, request: HttpRequest, queryset) -> None:
        self._set_status(request, queryset, ApplicationStatus.DECLINED)

    @admin.action(description=_("Send decisions (only to those not told yet)"))
    def send_decisions(self, request: HttpRequest, queryset):
        return send_decisions_after_confirmation(self, request, queryset, queryset)

    @admin.action(description=_("Export selected applications as CSV (Excel)"))
    def export_csv(self, request: HttpRequest, queryset) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="applications-{stamp}.csv"'
        response.write("\ufeff")  # the BOM makes Excel read UTF-8 (umlauts) correctly
        writer = csv.writer(response, delimiter=";")
        for row in export_rows(queryset):
            writer.writerow([csv_safe(cell) for cell in row])
        return response
