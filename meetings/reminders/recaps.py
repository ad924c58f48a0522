"""The recap email after each held meeting: what the sweep claims and what the builder sends.

When
----
``settings.RECAP_DELAY_MINUTES`` (default 120) after a meeting's end, once per (meeting,
recipient, end time), to the group's current members who want recaps (``MemberSettings
.recaps``, an optional kind with one-click unsubscribe). Only meetings still "scheduled"
count: a cancelled or skipped meeting gets none. The sweep looks back
:data:`RECAP_LOOKBACK` (two days) past the send time, so an outage is caught up but
old history is never recapped when the feature is switched on or the delay changes.

Like the reminders, the dedup key carries the meeting's end (``meeting_recap:42:7:
20270302T2000Z``): a meeting moved after its recap was claimed gets a recap for its
new time, and the builder skips the old claim.

What
----
Built at send time, in the recipient's language and time zone, from fresh rows: the hot
seat's presenter(s) and the takeaways each chose to share (``Preparation.takeaways``),
the commitments recorded at the meeting, who was there (the members at its start minus
those who said they can't come), and the next meeting with its presenter(s). A
recipient who has recorded no commitment yet is asked for one, with a link to the
meeting page's commitment form.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from groups.models import Membership
from mastermind import outbox
from mastermind.core.mail import Email
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification
from meetings import rules
from meetings.calendar import events as calendar_events
from meetings.calendar import feed
from meetings.models import Absence, Commitment, Meeting, MeetingStatus, Preparation
from meetings.services import preferences
from meetings.services.preferences import wants_q

RECAP = EmailKind.RECAP
PREFERENCE = "recaps"
RECAP_LOOKBACK = timedelta(days=2)


def recap_delay() -> timedelta:
    return timedelta(minutes=settings.RECAP_DELAY_MINUTES)


def _stamp(moment: datetime) -> str:
    from meetings.reminders.sweep import stamp  # the sweep imports this module

    return stamp(moment)


def due_recap_meetings(*, now: datetime):
    """Scheduled meetings whose recap time (end + delay) is in ``(now - LOOKBACK, now]``."""
    last_end = now - recap_delay()
    return Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED,
        ends_at__gt=last_end - RECAP_LOOKBACK,
        ends_at__lte=last_end,
    )


def recap_candidates(*, now: datetime) -> list[Notification]:
    """Unsaved recap notifications due now and not claimed yet (three queries, or one)."""
    due = due_recap_meetings(now=now)
    meetings = list(due.values_list("pk", "group_id", "ends_at"))
    if not meetings:
        return []
    members_by_group: dict[int, list[tuple[int, str]]] = {}
    members = (
        Membership.objects.current(now)
        .filter(group_id__in=due.values("group_id"), user__is_active=True)
        .filter(wants_q(PREFERENCE, prefix="user__"))
        .values_list("group_id", "user_id", "user__email")
    )
    for group_id, user_id, email in members:
        members_by_group.setdefault(group_id, []).append((user_id, email))
    claimed = set(
        Notification.objects.filter(kind=RECAP, subject_id__in=due.values("pk")).values_list(
            "dedup_key", flat=True
        )
    )
    rows = []
    for meeting_id, group_id, ends_at in meetings:
        for user_id, email in members_by_group.get(group_id, ()):
            key = RECAP.key(meeting_id, user_id, _stamp(ends_at))
            if key in claimed:
                continue
            rows.append(
                Notification(
                    kind=RECAP,
                    dedup_key=key,
                    user_id=user_id,
                    email=email,
                    **outbox.about_id(Meeting, meeting_id),
                    payload={"anchor": _stamp(ends_at)},
                    due_at=now,
                )
            )
    return rows


def _still_wanted(notification: Notification, meeting: Meeting | None, now: datetime) -> bool:
    user = notification.user
    if meeting is None or user is None or not user.is_active:
        return False
    if meeting.status != MeetingStatus.SCHEDULED:
        return False
    if _stamp(meeting.ends_at) != notification.payload.get("anchor"):
        return False  # moved: the new time has its own claim
    if now < meeting.ends_at + recap_delay():
        return False
    if not preferences.wants(user_id=user.pk, preference=PREFERENCE):
        return False
    return rules.is_current_member(user=user, group_id=meeting.group_id)


def recap_context(meeting: Meeting, *, user) -> dict:
    """What the recap says about ``meeting`` (for ``user``)."""
    presenters = calendar_events.presenters(meeting)
    takeaways = dict(
        Preparation.objects.filter(meeting=meeting, user__in=presenters)
        .exclude(takeaways="")
        .values_list("user_id", "takeaways")
    )
    commitments = list(
        Commitment.objects.filter(meeting=meeting).select_related("user").order_by("pk")
    )
    absent = Absence.objects.filter(meeting=meeting).values("user_id")
    attendees = (
        Membership.objects.current(meeting.starts_at)
        .filter(group_id=meeting.group_id)
        .exclude(user_id__in=absent)
        .select_related("user")
        .order_by("pk")
    )
    next_meeting = (
        Meeting.objects.filter(
            group_id=meeting.group_id,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=meeting.ends_at,
        )
        .prefetch_related(feed.with_presenters())
        .order_by("starts_at", "pk")
        .first()
    )
    return {
        "recipient_name": user.first_name,
        "meeting": meeting,
        "group": meeting.group,
        "presenters": [
            {"name": p.first_name, "takeaways": takeaways.get(p.pk, "")} for p in presenters
        ],
        "commitments": [{"name": c.user.first_name, "text": c.text} for c in commitments],
        "attendees": [m.user.first_name for m in attendees],
        "next_meeting": next_meeting,
        "next_presenters": (
            [p.first_name for p in calendar_events.presenters(next_meeting)] if next_meeting else []
        ),
        "asks_commitment": not any(c.user_id == user.pk for c in commitments),
        "meeting_url": calendar_events.meeting_url(meeting),
        "next_meeting_url": calendar_events.meeting_url(next_meeting) if next_meeting else "",
    }


@outbox.register(RECAP)
def build_recap(notification: Notification) -> Email | None:
    now = timezone.now()
    meeting = (
        Meeting.objects.select_related("group")
        .prefetch_related(feed.with_presenters())
        .filter(pk=notification.subject_id)
        .first()
    )
    if not _still_wanted(notification, meeting, now):
        return None
    if now >= meeting.ends_at + recap_delay() + RECAP_LOOKBACK:
        raise outbox.Expired
    user = notification.user
    headers = preferences.unsubscribe_headers(user_id=user.pk, preference=PREFERENCE)
    context = {
        **recap_context(meeting, user=user),
        "time_zone": user.time_zone,
        "profile_url": preferences.profile_url(),
        "unsubscribe_url": headers["List-Unsubscribe"].strip("<>"),
    }
    return Email(
        template="meetings/email/recap",
        to=user.email,
        context=context,
        language=user.language,
        time_zone=user.time_zone,
        headers=headers,
    )
