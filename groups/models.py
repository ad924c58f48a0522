import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.slots import Weekday
from mastermind.core.timezones import validate_time_zone

__all__ = ["Weekday"]  # re-exported: the schedule models use it


class TopicPreference(models.TextChoices):
    SIMILAR = "similar", _("Similar topics")
    COMPLEMENTARY = "complementary", _("Complementary topics")


class Intake(models.Model):
    """A call for applications for a new round of groups, open until a deadline."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    pitch = models.TextField(
        _("pitch"),
        help_text=_("What the groups are about, for whom, and how they run. Markdown allowed."),
    )
    opens_at = models.DateTimeField(_("opens at"))
    deadline = models.DateTimeField(_("deadline"))
    min_group_size = models.PositiveSmallIntegerField(
        _("minimum group size"), default=4, validators=[MinValueValidator(2)]
    )
    max_group_size = models.PositiveSmallIntegerField(
        _("maximum group size"), default=5, validators=[MaxValueValidator(12)]
    )
    meeting_every_weeks = models.PositiveSmallIntegerField(
        _("meet every … weeks"), default=2, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    meeting_weekday = models.PositiveSmallIntegerField(
        _("default weekday"), choices=Weekday.choices, default=Weekday.TUESDAY
    )
    meeting_start_time = models.TimeField(_("local start time"), default=dt.time(19, 0))
    meeting_duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=120,
        validators=[MinValueValidator(30), MaxValueValidator(240)],
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    topics = models.JSONField(
        _("topics"),
        default=list,
        blank=True,
        help_text=_("The curated topics applicants choose from; they can add their own."),
    )
    topic_preference = models.CharField(
        _("group by"),
        max_length=16,
        choices=TopicPreference.choices,
        default=TopicPreference.SIMILAR,
    )
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("How long the groups run before members are asked whether they continue."),
    )
    proposal = models.JSONField(_("current group proposal"), null=True, blank=True, editable=False)
    groups_created_at = models.DateTimeField(_("groups created at"), null=True, blank=True)
    announced_at = models.DateTimeField(_("announced to interest list at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    notifications = GenericRelation(
        "mastermind.Notification",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="intake",
    )

    class Meta:
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        ordering = ["-deadline"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("opens_at")), name="intake_deadline_after_open"
            ),
            models.CheckConstraint(
                condition=Q(max_group_size__gte=models.F("min_group_size")),
                name="intake_group_size_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("groups:apply", kwargs={"slug": self.slug})

    def is_open(self, now: dt.datetime | None = None) -> bool:
        """Open from opens_at (inclusive) until the deadline (exclusive), to the microsecond."""
        now = now or timezone.now()
        return self.opens_at <= now < self.deadline


class ApplicationStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    DECLINED = "declined", _("Declined")


class ApplicationQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False, withdrawn_at__isnull=True)


class Application(models.Model):
    """One person's application to one intake. Counts once the email is confirmed."""

    intake = models.ForeignKey(
        Intake, on_delete=models.CASCADE, related_name="applications", verbose_name=_("intake")
    )
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email address"), max_length=254)
    about = models.TextField(_("about me"), max_length=2000)
    topics = models.JSONField(_("main topics"), default=list, blank=True)
    topics_other = models.CharField(_("other topics"), max_length=200, blank=True)
    expectations = models.TextField(_("expectations of the group"), max_length=2000)
    availability = models.JSONField(
        _("available evenings"),
        default=list,
        help_text=_("Weekday and start hour in the applicant's time zone, e.g. “tue-19”."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="de"
    )
    consent_version = models.CharField(_("privacy notice version"), max_length=32)
    consented_at = models.DateTimeField(_("consented at"))
    confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.NEW
    )
    notes = models.TextField(_("organiser notes"), blank=True)
    decision_sent_status = models.CharField(
        _("decision sent"), max_length=16, choices=ApplicationStatus.choices, blank=True
    )
    decision_sent_at = models.DateTimeField(_("decision sent at"), null=True, blank=True)
    decision_revision = models.PositiveIntegerField(default=0, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("member account"),
    )
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    notifications = GenericRelation(
        "mastermind.Notification",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="application",
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "intake", Lower("email"), name="application_one_per_intake_and_email"
            ),
        ]
        indexes = [models.Index(fields=["intake", "status"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name

    @property
    def all_topics(self) -> list[str]:
        extra = [t.strip() for t in self.topics_other.split(",") if t.strip()]
        return [*self.topics, *extra]

    @property
    def decision_pending(self) -> bool:
        decided = self.status != ApplicationStatus.NEW
        return decided and self.decision_sent_status != self.status


class InterestSignup(models.Model):
    """Someone who wants to hear about the next intake (double opt-in)."""

    email = models.EmailField(_("email address"), max_length=254)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="de"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)

    class Meta:
        verbose_name = _("interest sign-up")
        verbose_name_plural = _("interest sign-ups")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(Lower("email"), name="interest_email_ci_unique")]

    def __str__(self) -> str:
        return self.email


class PinKind(models.TextChoices):
    KEEP_APART = "apart", _("Keep apart")
    KEEP_TOGETHER = "together", _("Keep together")


class MatchingPin(models.Model):
    """The organiser's wish that two applicants never (or always) share a group."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="pins")
    kind = models.CharField(_("kind"), max_length=16, choices=PinKind.choices)
    first = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("matching pin")
        verbose_name_plural = _("matching pins")
        constraints = [
            models.UniqueConstraint(fields=["intake", "first", "second"], name="pin_unique_pair"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="pin_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.first_id} / {self.second_id}"


class GroupStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Group(models.Model):
    name = models.CharField(_("name"), max_length=120)
    intake = models.ForeignKey(
        Intake,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("intake"),
    )
    description = models.TextField(_("description"), blank=True)
    video_url = models.URLField(
        _("video call link"), blank=True, help_text=_("Zoom, Jitsi, Skype, …")
    )
    chat_url = models.URLField(
        _("chat link"), blank=True, help_text=_("WhatsApp, Signal, Slack, …")
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=GroupStatus.choices, default=GroupStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    term_ends_on = models.DateField(
        _("term ends on"),
        null=True,
        blank=True,
        help_text=_("Members are asked before this day whether they continue; empty: no term."),
    )
    term_renewed_at = models.DateTimeField(_("last term ended at"), null=True, editable=False)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:group_detail", kwargs={"pk": self.pk})


def current_membership_q(at: dt.datetime | None = None, *, prefix: str = "") -> Q:
    """The one definition of "a current membership" at ``at`` (default: now).

    ``prefix`` is the path to the membership in a related lookup (``"memberships__"``),
    for annotations such as "current members per group".
    """
    at = at or timezone.now()
    return Q(**{f"{prefix}joined_at__lte": at}) & (
        Q(**{f"{prefix}left_at__isnull": True}) | Q(**{f"{prefix}left_at__gt": at})
    )


class MembershipQuerySet(models.QuerySet):
    def current(self, at: dt.datetime | None = None):
        return self.filter(current_membership_q(at))


class RenewalAnswer(models.TextChoices):
    CONTINUE = "continue", _("Continues")
    LEAVE = "leave", _("Leaves at the end of the term")


class Membership(models.Model):
    """A person's time in a group. Rows are never deleted: leaving sets left_at."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("group")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("member"),
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("application"),
    )
    topics = models.JSONField(_("topics"), default=list, blank=True)
    about = models.TextField(_("about"), blank=True)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    # The answer to the renewal question for the group's current term (cleared when a
    # term moves on); blank: not answered.
    renewal_answer = models.CharField(
        _("renewal answer"), max_length=16, choices=RenewalAnswer.choices, blank=True
    )
    renewal_answered_at = models.DateTimeField(_("renewal answered at"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    notifications = GenericRelation(
        "mastermind.Notification",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="membership",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(left_at__isnull=True),
                name="membership_one_open_per_group_and_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.group}"

    @property
    def is_current(self) -> bool:
        return self.left_at is None or self.left_at > timezone.now()
