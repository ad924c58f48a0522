import datetime as dt
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Weekday
from mastermind.core.timezones import local_text, validate_time_zone
from meetings.choices import AgendaKind, HolidayRegion

MAX_HOT_SEATS = 3  # per meeting; each has its own block on the agenda


class Schedule(models.Model):
    """When a group meets, in local wall-clock time of a named zone."""

    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="schedule", verbose_name=_("group")
    )
    every_weeks = models.PositiveSmallIntegerField(
        _("every … weeks"), default=2, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, default=Weekday.TUESDAY
    )
    start_time = models.TimeField(_("local start time"), default=dt.time(19, 0))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=120,
        validators=[MinValueValidator(30), MaxValueValidator(240)],
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    first_date = models.DateField(_("first date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    hot_seats = models.PositiveSmallIntegerField(
        _("hot seats per meeting"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOT_SEATS)],
    )
    rotate_facilitator = models.BooleanField(_("rotate a facilitator"), default=False)
    rotate_timekeeper = models.BooleanField(_("rotate a timekeeper"), default=False)
    holiday_region = models.CharField(
        _("skip public holidays"),
        max_length=8,
        choices=HolidayRegion.choices,
        default=HolidayRegion.NONE,
        blank=True,
    )
    reminder_hours_before = models.PositiveSmallIntegerField(
        _("reminder (hours before)"), default=24, validators=[MaxValueValidator(24 * 7)]
    )
    second_reminder_minutes_before = models.PositiveSmallIntegerField(
        _("second reminder (minutes before)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text=_("Optional, e.g. 60 for one hour before. Leave empty for none."),
    )
    preparation_reminder_days = models.PositiveSmallIntegerField(
        _("preparation reminder (days before)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    commitments_prompt_minutes_after = models.PositiveSmallIntegerField(
        _("commitments prompt (minutes after the end)"),
        default=60,
        validators=[MaxValueValidator(24 * 60)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("first_date")),
                name="schedule_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return str(self.group)


class Pause(models.Model):
    """A named period without meetings, for all groups or for one."""

    name = models.CharField(_("name"), max_length=100)
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pauses",
        verbose_name=_("group"),
        help_text=_("Leave empty for a pause of all groups."),
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="pause_end_after_start"
            )
        ]

    def __str__(self) -> str:
        first, last = (
            date_format(d, "SHORT_DATE_FORMAT") for d in (self.start_date, self.end_date)
        )
        return f"{self.name} ({first} – {last})"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    SKIPPED = "skipped", _("Not held (pause or holiday)")


class Meeting(models.Model):
    """One meeting of a group. The row lives as long as the meeting: its id makes the UID."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("group")
    )
    series_date = models.DateField(
        _("date in the series"),
        null=True,
        blank=True,
        help_text=_("The schedule's local date this meeting belongs to; empty for extra ones."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    skip_reason = models.CharField(_("why not held"), max_length=200, blank=True)
    is_override = models.BooleanField(
        _("changed by hand"),
        default=False,
        help_text=_("Moved or cancelled by the organiser: schedule edits leave it alone."),
    )
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    sequence = models.PositiveIntegerField(_("change counter"), default=0)
    time_changed_at = models.DateTimeField(
        _("time last changed at"),
        null=True,
        blank=True,
        help_text=_("When the start or end last moved; short-notice emails key on it."),
    )
    # When it was last cancelled, skipped or put back on (short-notice emails key on it).
    status_changed_at = models.DateTimeField(_("status last changed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    notifications = GenericRelation(
        "mastermind.Notification",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="meeting",
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "series_date"], name="meeting_one_per_series_date"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["group", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.group} – {local_text(self.starts_at, self.time_zone)}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting_detail", kwargs={"pk": self.pk})


class HotSeat(models.Model):
    """A presenter of a meeting, chosen by the rotation or fixed by a swap."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="hot_seats")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hot_seats"
    )
    pinned = models.BooleanField(_("fixed by a swap"), default=False)

    class Meta:
        verbose_name = _("hot seat")
        verbose_name_plural = _("hot seats")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="hot_seat_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.meeting}"


class Absence(models.Model):
    """A member said “I can't come” to a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="absences")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="absence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ✗ {self.meeting}"


class Preparation(models.Model):
    """What the hot-seat presenter prepared; visible to the group before the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="preparations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preparations"
    )
    story = models.TextField(_("What do I want to tell?"), max_length=4000, blank=True)
    value_for_others = models.TextField(
        _("What do I find valuable for the others?"), max_length=4000, blank=True
    )
    feedback_wanted = models.TextField(
        _("What exactly do I want feedback on?"), max_length=4000, blank=True
    )
    # Sent to the group in the recap email after the meeting (meetings/reminders/recaps.py).
    takeaways = models.TextField(
        _("What I want to share with the group afterwards (optional)"),
        max_length=4000,
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("preparation")
        verbose_name_plural = _("preparations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="preparation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.meeting}"


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


class Commitment(models.Model):
    """“By next time I will …”, recorded after a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="commitments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commitments"
    )
    text = models.CharField(_("By next time I will …"), max_length=500)
    status = models.CharField(
        _("status"), max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="commitment_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class AgendaBlock(models.Model):
    """A timeboxed block, of a group's agenda or of an intake's template."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=16, choices=AgendaKind.choices, default=AgendaKind.OTHER
    )
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(240)]
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.title} ({self.minutes})"


class AgendaItem(AgendaBlock):
    """One part of a group's agenda; the minutes add up to the meeting's length."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="agenda_items")

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["group", "position", "pk"]


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


class MemberSettings(models.Model):
    """A member's calendar feed token and what they want to be emailed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_settings"
    )
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    feed_token_created_at = models.DateTimeField(auto_now_add=True)
    calendar_invitations = models.BooleanField(_("send me calendar invitations"), default=False)
    meeting_reminders = models.BooleanField(_("meeting reminders"), default=True)
    preparation_reminders = models.BooleanField(_("hot-seat preparation reminders"), default=True)
    commitment_prompts = models.BooleanField(_("commitment prompts after meetings"), default=True)
    hot_seat_changes = models.BooleanField(_("hot-seat changes"), default=True)
    organiser_digests = models.BooleanField(_("organiser digests"), default=True)
    recaps = models.BooleanField(_("recaps after meetings"), default=True)

    class Meta:
        verbose_name = _("member settings")
        verbose_name_plural = _("member settings")

    def __str__(self) -> str:
        return str(self.user)


class GroupAgenda(Group):
    """A group seen as its agenda: lets the admin edit AgendaItems inline per group."""

    class Meta:
        proxy = True
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")


# Defined apart to keep this module short; imported here so Django and callers find it.
from meetings.agenda_templates import IntakeAgendaItem  # noqa: E402, F401
from meetings.role_assignment import RoleAssignment  # noqa: E402, F401
from meetings.swap_request import SwapRequest, SwapStatus  # noqa: E402, F401
