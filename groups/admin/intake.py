"""Admin for intakes and the interest list. Changes of state go through groups.services."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groups.admin.decisions import send_decisions_after_confirmation
from groups.extensions import intake_admin_inlines
from groups.models import Application, ApplicationStatus, Intake, InterestSignup
from groups.services import applications
from mastermind.core.admin import SafeAdminMixin
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
            "term_months",
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


GROUP_FIELDS = ("min_group_size", "max_group_size", "topics", "topic_preference", "term_months")
MEETING_FIELDS = (
    "meeting_every_weeks", "meeting_weekday", "meeting_start_time", "meeting_duration_minutes",
    "time_zone",
)  # fmt: skip


@admin.register(Intake)
class IntakeAdmin(SafeAdminMixin, admin.ModelAdmin):
    form = IntakeAdminForm
    # The funnel at a glance, fitting 1280 px; the other counts are on the change page.
    list_display = (
        "title", "deadline", "open_now", "confirmed_count", "new_count",
        "accepted_count", "waitlisted_count",
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

    def get_inlines(self, request: HttpRequest, obj):
        # What the apps above contribute (the agenda template), once the intake exists.
        extra = [inline for _name, hook in intake_admin_inlines for inline in hook()]
        return [*self.inlines, *extra] if obj is not None else list(self.inlines)

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
    def send_intake_decisions(self, request: HttpRequest, queryset):
        candidates = Application.objects.filter(intake__in=queryset)
        return send_decisions_after_confirmation(self, request, queryset, candidates)


@admin.register(InterestSignup)
class InterestSignupAdmin(SafeAdminMixin, admin.ModelAdmin):
    list_display = ("email", "language", "confirmed_at", "unsubscribed_at", "created_at")
    list_filter = ("language", ("confirmed_at", admin.EmptyFieldListFilter), "unsubscribed_at")
    search_fields = ("email",)
    readonly_fields = ("email", "language", "confirmed_at", "unsubscribed_at", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # double opt-in: addresses join through the public form only
