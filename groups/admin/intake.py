"""Admin for intakes, applications and the interest list: review, decide, export.

Thin: every change of state goes through ``groups/applications.py``. The changelists
stay at a fixed number of queries however many rows there are: counts are annotated,
the intake is joined, and the topic filter's choices come from one query.
"""

import csv
import json

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groups.models import Application, ApplicationStatus, Intake, InterestSignup, Membership
from groups.services import applications, retention
from groups.slots import FORM_DAYS, availability_summary
from mastermind.core.timezones import validate_sane_date

RESERVED_SLUGS = {"interest", "confirm", "edit", "withdraw", "unsubscribe"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class TopicsField(forms.CharField):
    """The curated topics as one topic per line (stored as a JSON list)."""

    widget = forms.Textarea(attrs={"rows": 8})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        if any(len(topic) > 100 for topic in value):
            raise forms.ValidationError(_("Keep each topic under 100 characters."))


class IntakeAdminForm(forms.ModelForm):
    topics = TopicsField(
        label=_("topics"),
        required=False,
        help_text=_("One topic per line. Applicants choose from these and can add their own."),
    )

    class Meta:
        model = Intake
        fields = (
            "title", "slug", "pitch", "opens_at", "deadline", "min_group_size",
            "max_group_size", "topics", "topic_preference", "meeting_every_weeks",
            "meeting_weekday", "meeting_start_time", "meeting_duration_minutes", "time_zone",
        )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opens_at", "deadline"):
            self.fields[name].validators.append(validate_sane_date)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This address is reserved. Choose another slug."))
        return slug


def _count(status: str | None = None, *, confirmed: bool = True) -> Count:
    condition = Q(applications__confirmed_at__isnull=not confirmed)
    if status:
        condition &= Q(applications__status=status)
    return Count("applications", filter=condition)


GROUP_FIELDS = ("min_group_size", "max_group_size", "topics", "topic_preference")
MEETING_FIELDS = (
    "meeting_every_weeks", "meeting_weekday", "meeting_start_time", "meeting_duration_minutes",
    "time_zone",
)  # fmt: skip


@admin.register(Intake)
class IntakeAdmin(admin.ModelAdmin):
    form = IntakeAdminForm
    list_display = (
        "title", "opens_at", "deadline", "open_now", "confirmed_count", "new_count",
        "accepted_count", "waitlisted_count", "declined_count", "unconfirmed_count",
        "announced_at",
    )  # fmt: skip
    prepopulated_fields = {"slug": ("title",)}
    search_fields = ("title",)
    readonly_fields = ("announced_at", "groups_created_at")
    actions = ("announce", "send_intake_decisions")
    fieldsets = (
        (None, {"fields": ("title", "slug", "pitch", "opens_at", "deadline")}),
        (_("Groups"), {"fields": GROUP_FIELDS}),
        (_("Meeting defaults"), {"fields": MEETING_FIELDS}),
        (_("History"), {"fields": ("announced_at", "groups_created_at")}),
    )

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_total=_count(),
                new_total=_count(ApplicationStatus.NEW),
                accepted_total=_count(ApplicationStatus.ACCEPTED),
                waitlisted_total=_count(ApplicationStatus.WAITLISTED),
                declined_total=_count(ApplicationStatus.DECLINED),
                unconfirmed_total=_count(confirmed=False),
            )
        )

    @admin.display(boolean=True, description=_("open now"))
    def open_now(self, intake: Intake) -> bool:
        return intake.is_open()

    @admin.display(description=_("confirmed"), ordering="confirmed_total")
    def confirmed_count(self, intake: Intake) -> int:
        return intake.confirmed_total

    @admin.display(description=_("new"), ordering="new_total")
    def new_count(self, intake: Intake) -> int:
        return intake.new_total

    @admin.display(description=_("accepted"), ordering="accepted_total")
    def accepted_count(self, intake: Intake) -> int:
        return intake.accepted_total

    @admin.display(description=_("waitlisted"), ordering="waitlisted_total")
    def waitlisted_count(self, intake: Intake) -> int:
        return intake.waitlisted_total

    @admin.display(description=_("declined"), ordering="declined_total")
    def declined_count(self, intake: Intake) -> int:
        return intake.declined_total

    @admin.display(description=_("not confirmed"), ordering="unconfirmed_total")
    def unconfirmed_count(self, intake: Intake) -> int:
        return intake.unconfirmed_total

    @admin.action(description=_("Announce to the interest list (once per address)"))
    def announce(self, request: HttpRequest, queryset) -> None:
        for intake in queryset:
            try:
                count = applications.announce_intake(intake=intake)
            except applications.IntakeClosed:
                message = _("“%(title)s” is past its deadline; nothing was sent.")
                self.message_user(request, message % {"title": intake.title}, messages.ERROR)
                continue
            message = ngettext(
                "“%(title)s”: %(count)d announcement queued.",
                "“%(title)s”: %(count)d announcements queued.",
                count,
            )
            self.message_user(request, message % {"title": intake.title, "count": count})

    @admin.action(description=_("Send decisions to all decided applicants not yet told"))
    def send_intake_decisions(self, request: HttpRequest, queryset) -> None:
        pending = Application.objects.filter(intake__in=queryset)
        _report_decisions(self, request, applications.send_decisions(applications=pending))


def _report_decisions(modeladmin: admin.ModelAdmin, request: HttpRequest, count: int) -> None:
    message = ngettext(
        "%(count)d decision email queued; everyone else was told already or is undecided.",
        "%(count)d decision emails queued; everyone else was told already or is undecided.",
        count,
    )
    modeladmin.message_user(request, message % {"count": count})


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
class ApplicationAdmin(admin.ModelAdmin):
    list_display = (
        "name", "email", "intake", "topics_display", "availability_display", "status",
        "decision_display", "is_confirmed", "created_at", "deletion_display",
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
        return _local(when)

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
        count = applications.set_status(applications=queryset, status=status)
        label = ApplicationStatus(status).label
        message = ngettext(
            "%(count)d application marked as “%(status)s”.",
            "%(count)d applications marked as “%(status)s”.",
            count,
        )
        self.message_user(request, message % {"count": count, "status": label})
        skipped = queryset.count() - count
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
    def send_decisions(self, request: HttpRequest, queryset) -> None:
        _report_decisions(self, request, applications.send_decisions(applications=queryset))

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


@admin.register(InterestSignup)
class InterestSignupAdmin(admin.ModelAdmin):
    list_display = ("email", "language", "confirmed_at", "unsubscribed_at", "created_at")
    list_filter = ("language", ("confirmed_at", admin.EmptyFieldListFilter), "unsubscribed_at")
    search_fields = ("email",)
    readonly_fields = ("email", "language", "confirmed_at", "unsubscribed_at", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # double opt-in: addresses join through the public form only
