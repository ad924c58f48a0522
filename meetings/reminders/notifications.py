"""Outbox builders for reminders, prompts and digests (see meetings/reminders.py).

Each builder runs in the sending task with the notification row locked. It loads fresh
state and re-checks everything the sweep checked: it returns the email, ``None`` when
the email is no longer wanted (recorded as skipped), or raises ``outbox.Expired`` when
it would arrive too late to be useful (recorded as expired).
"""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from groups.models import Application, ApplicationStatus, Intake
from mastermind import outbox
from mastermind.core.mail import Email, absolute_url
from mastermind.outbox.models import Notification
from meetings import rules
from meetings.calendar import events as calendar_events
from meetings.calendar import feed
from meetings.calendar.notifications import meeting_attachment
from meetings.models import Absence, HotSeat, Meeting, MeetingStatus, Preparation
from meetings.reminders.sweep import (
    COMMITMENTS_PROMPT_STALE_AFTER,
    INTAKE_DIGEST,
    KINDS_BY_NAME,
    SECOND_REMINDER,
    MeetingKind,
    stamp,
)
from meetings.role_assignment import role_holders
from meetings.services import preferences

TEMPLATES = {
    "meeting_reminder": "meetings/email/meeting_reminder",
    "meeting_reminder_second": "meetings/email/meeting_reminder",
    "preparation_reminder": "meetings/email/preparation_reminder",
    "commitments_prompt": "meetings/email/commitments_prompt",
}


def intake_review_url(intake_id: int) -> str:
    path = reverse("admin:groups_application_changelist")
    return absolute_url(f"{path}?intake__id__exact={intake_id}")


def still_wanted(notification: Notification, meeting: Meeting, kind: MeetingKind) -> bool:
    """Everything the sweep checked, again, on fresh rows."""
    user = notification.user
    if user is None or not user.is_active or meeting.status != MeetingStatus.SCHEDULED:
        return False
    if stamp(getattr(meeting, kind.anchor_field)) != notification.payload.get("anchor"):
        return False  # the meeting moved: its new time has its own claim
    if not preferences.wants(user_id=user.pk, preference=kind.preference):
        return False
    member = rules.is_current_member(user=user, group_id=meeting.group_id)
    if not member or Absence.objects.filter(meeting=meeting, user=user).exists():
        return False
    return not kind.presenters_only or HotSeat.objects.filter(meeting=meeting, user=user).exists()


def check_not_stale(meeting: Meeting, kind: MeetingKind) -> None:
    now = timezone.now()
    if kind.after_end:
        schedule = getattr(meeting.group, "schedule", None)
        send_at = kind.send_time(meeting, schedule) or meeting.ends_at
        if now >= send_at + COMMITMENTS_PROMPT_STALE_AFTER:
            raise outbox.Expired
    elif now >= meeting.starts_at:
        raise outbox.Expired


def build_meeting_email(notification: Notification) -> Email | None:
    kind = KINDS_BY_NAME[notification.kind]
    meeting = (
        Meeting.objects.select_related("group", "group__schedule")
        .prefetch_related(feed.with_presenters(), feed.with_roles())
        .filter(pk=notification.subject_id)
        .first()
    )
    if meeting is None or not still_wanted(notification, meeting, kind):
        return None
    check_not_stale(meeting, kind)
    user = notification.user
    presenters = [user.first_name for user in calendar_events.presenters(meeting)]
    context = {
        "kind": kind.name,
        "is_second": kind.name == SECOND_REMINDER,
        "recipient_name": user.first_name,
        "meeting": meeting,
        "group": meeting.group,
        "time_zone": user.time_zone,
        "presenters": presenters,
        "roles": [(name, person.first_name) for name, person in role_holders(meeting)],
        "meeting_url": calendar_events.meeting_url(meeting),
        "profile_url": preferences.profile_url(),
        "unsubscribe_url": preferences.unsubscribe_url(user_id=user.pk, preference=kind.preference),
    }
    if kind.presenters_only:
        context["questions"] = [
            Preparation._meta.get_field(name).verbose_name
            for name in ("story", "value_for_others", "feedback_wanted")
        ]
    return Email(
        template=TEMPLATES[kind.name],
        to=user.email,  # the current address, should it have changed since the claim
        context=context,
        language=user.language,
        time_zone=user.time_zone,
        attachments=[meeting_attachment(meeting=meeting, user=user)],
        headers=preferences.unsubscribe_headers(user_id=user.pk, preference=kind.preference),
    )


for _kind in KINDS_BY_NAME:
    outbox.register(_kind)(build_meeting_email)


@outbox.register(INTAKE_DIGEST)
def build_intake_digest(notification: Notification) -> Email | None:
    intake = Intake.objects.filter(pk=notification.subject_id).first()
    if intake is None or stamp(intake.deadline) != notification.payload.get("anchor"):
        return None  # deleted, or the deadline moved: the new deadline has its own claim
    address = preferences.organiser_address(notification)
    if address is None:
        return None
    user, (language, time_zone, to, headers) = notification.user, address
    counts = dict(
        Application.objects.filter(intake=intake)
        .confirmed()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    rows = [(status.label, counts.get(status.value, 0)) for status in ApplicationStatus]
    return Email(
        template="meetings/email/intake_digest",
        to=to,
        context={
            "intake": intake,
            "rows": rows,
            "total": sum(counts.values()),
            "review_url": intake_review_url(intake.pk),
            "profile_url": preferences.profile_url() if user else "",
            "unsubscribe_url": headers.get("List-Unsubscribe", "").strip("<>"),
        },
        language=language,
        time_zone=time_zone,
        headers=headers,
    )
