"""What the meetings app contributes to the layers below it (registered in ``ready()``).

* the group page's meetings section and the welcome email's first meeting (groups);
* the organiser's home: every group's members, next meeting, schedule and health (ops);
* its part of the personal-data export and of account deletion (privacy).
"""

import datetime as dt

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import ngettext

from groups.extensions import (
    group_evening,
    group_evenings,
    group_page_sections,
    welcome_email_context,
)
from groups.models import Group, Membership
from groups.slots import slot_key
from mastermind import outbox
from mastermind.accounts.models import User
from mastermind.ops.attention import Attention, attention_hooks
from mastermind.ops.dashboard import dashboard_hooks
from mastermind.outbox.kinds import EmailKind, unsubscribe_headers
from mastermind.privacy import erasers, exporters
from mastermind.privacy.services import iso
from meetings import selectors
from meetings.calendar import feed_cache
from meetings.dashboard.groups import dashboard_context
from meetings.models import (
    Absence,
    Commitment,
    HotSeat,
    Meeting,
    MeetingStatus,
    MemberSettings,
    Preparation,
    Schedule,
    SwapRequest,
    SwapStatus,
)
from meetings.services import preferences
from meetings.services.meetings import revise

# The optional emails and the preference that turns each off (see services.preferences).
PREFERENCE_OF_KIND = {
    EmailKind.MEETING_REMINDER: "meeting_reminders",
    EmailKind.SECOND_REMINDER: "meeting_reminders",
    EmailKind.PREPARATION_REMINDER: "preparation_reminders",
    EmailKind.COMMITMENTS_PROMPT: "commitment_prompts",
    EmailKind.HOT_SEAT_CHANGED: "hot_seat_changes",
    EmailKind.CALENDAR_INVITATION: "calendar_invitations",
    EmailKind.INTAKE_DIGEST: "organiser_digests",
    EmailKind.RECAP: "recaps",
    EmailKind.HEALTH_DIGEST: "organiser_digests",
}


@unsubscribe_headers.register("meetings")
def meetings_unsubscribe_headers(notification) -> dict[str, str]:
    preference = PREFERENCE_OF_KIND.get(notification.kind)
    if preference is None or notification.user_id is None:
        return {}
    return preferences.unsubscribe_headers(user_id=notification.user_id, preference=preference)


@outbox.subject_querysets.register("meetings.meeting")
def notification_meetings():
    return Meeting.objects.select_related("group")


@group_page_sections.register("meetings")
def group_page_meetings(*, group: Group, user: User, now: dt.datetime) -> tuple[str, dict]:
    context = selectors.group_page_context(group=group, user=user, now=now)
    return "meetings/_group_meetings.html", context


@dashboard_hooks.register("groups")
def dashboard_groups(*, request, now: dt.datetime) -> tuple[str, dict]:
    return "meetings/dashboard/_groups.html", dashboard_context(now=now)


WELCOME_DATES = 3


@welcome_email_context.register("first meetings")
def welcome_first_meetings(*, membership: Membership, now: dt.datetime) -> dict:
    """The first dates with their hot seats, and the order the hot seat goes round in."""
    members = membership.group.memberships.current(now).count()
    upcoming = list(
        Meeting.objects.filter(
            group_id=membership.group_id, status=MeetingStatus.SCHEDULED, starts_at__gt=now
        )
        .prefetch_related(Prefetch("hot_seats", HotSeat.objects.select_related("user")))
        .order_by("starts_at")[: max(WELCOME_DATES, members)]
    )
    order: list[str] = []
    for meeting in upcoming:
        order.extend(s.user.first_name for s in meeting.hot_seats.all())
    return {
        "next_meeting": upcoming[0] if upcoming else None,
        "first_meetings": [
            {
                "starts_at": m.starts_at,
                "presenters": [s.user.first_name for s in m.hot_seats.all()],
                "is_yours": any(s.user_id == membership.user_id for s in m.hot_seats.all()),
            }
            for m in upcoming[:WELCOME_DATES]
        ],
        "hot_seat_order": list(dict.fromkeys(order)),
    }


@group_evening.register("schedule")
def schedule_evening(*, group: Group) -> tuple[str, str] | None:
    schedule = Schedule.objects.filter(group=group).first()
    if schedule is None:
        return None
    start = schedule.start_time
    return slot_key(schedule.weekday, start.hour, start.minute), schedule.time_zone


@group_evenings.register("schedule")
def schedule_evenings(*, group_ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = Schedule.objects.filter(group_id__in=group_ids)
    return {
        s.group_id: (slot_key(s.weekday, s.start_time.hour, s.start_time.minute), s.time_zone)
        for s in rows
    }


SWAP_WAITING = dt.timedelta(days=2)


@attention_hooks.register("meetings")
def meetings_attention(now: dt.datetime) -> list[Attention]:
    """Swaps nobody answered for two days (groups without a schedule are flagged on the
    home's groups section, right below)."""
    items = []
    waiting = SwapRequest.objects.filter(
        status=SwapStatus.PENDING,
        created_at__lte=now - SWAP_WAITING,
        requester_meeting__starts_at__gt=now,
    ).count()
    if waiting:
        text = ngettext(
            "%(count)s swap request has waited more than two days for an answer.",
            "%(count)s swap requests have waited more than two days for an answer.",
            waiting,
        )
        items.append(Attention(text=text % {"count": waiting}, url=reverse("meetings:overview")))
    return items


@exporters.register("meetings")
def export_meetings_data(*, user: User) -> dict:
    return {
        "settings": list(
            MemberSettings.objects.filter(user=user).values(
                "calendar_invitations",
                "meeting_reminders",
                "preparation_reminders",
                "commitment_prompts",
                "recaps",
                "hot_seat_changes",
                "organiser_digests",
            )
        ),
        "hot_seats": [
            {"group": h.meeting.group.name, "meeting_starts_at": iso(h.meeting.starts_at)}
            for h in HotSeat.objects.filter(user=user).select_related("meeting__group")
        ],
        "absences": [
            {"meeting_starts_at": iso(a.meeting.starts_at), "note": a.note}
            for a in Absence.objects.filter(user=user).select_related("meeting")
        ],
        "preparations": [
            {
                "meeting_starts_at": iso(p.meeting.starts_at),
                "story": p.story,
                "value_for_others": p.value_for_others,
                "feedback_wanted": p.feedback_wanted,
                "takeaways": p.takeaways,
            }
            for p in Preparation.objects.filter(user=user).select_related("meeting")
        ],
        "commitments": [
            {"meeting_starts_at": iso(c.meeting.starts_at), "text": c.text, "status": c.status}
            for c in Commitment.objects.filter(user=user).select_related("meeting")
        ],
    }


@erasers.register("meetings")
def erase_meetings_data(*, user: User, now: dt.datetime) -> None:
    Preparation.objects.filter(user=user).delete()
    Commitment.objects.filter(user=user).delete()
    Absence.objects.filter(user=user).delete()
    SwapRequest.objects.filter(requester=user).delete()
    SwapRequest.objects.filter(responder=user).delete()
    seats = HotSeat.objects.filter(user=user, meeting__starts_at__gt=now)
    presented = list(seats.values_list("meeting_id", flat=True))
    seats.delete()
    # Their events named the presenter: the new SUMMARY needs a new SEQUENCE.
    revise(meetings=Meeting.objects.filter(pk__in=presented), now=now)
    MemberSettings.objects.filter(user=user).delete()
    feed_cache.changed(users=[user.pk], groups=feed_cache.groups_of(user.pk))  # stops at once
