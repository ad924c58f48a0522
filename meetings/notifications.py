"""Outbox builders for hot-seat changes, swaps and meetings cancelled or moved by hand.

Each builder loads fresh state when the email is sent and returns ``None`` when it is no
longer wanted (setting switched off, person left the group, swap already answered) or raises
``Expired`` when the meeting it is about has begun.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from mastermind.core.mail import Email, absolute_url
from mastermind.outbox import Expired, register
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification
from meetings import rules
from meetings.models import HotSeat, MeetingStatus, MemberSettings, SwapRequest, SwapStatus
from meetings.services import preferences


def _email(notification: Notification, template: str, context: dict) -> Email:
    user = notification.user
    return Email(
        template=f"meetings/email/{template}",
        to=notification.email,
        context={"user": user, **context},
        language=user.language,
        time_zone=user.time_zone,
    )


def _still_member(notification: Notification) -> bool:
    meeting = notification.subject
    return rules.is_current_member(user=notification.user, group_id=meeting.group_id)


def _wants_hot_seat_changes(user_id: int) -> bool:
    return not MemberSettings.objects.filter(user_id=user_id, hot_seat_changes=False).exists()


@register(EmailKind.HOT_SEAT_CHANGED)
def build_hot_seat_changed(notification: Notification) -> Email | None:
    meeting = notification.subject
    now = timezone.now()
    if meeting.starts_at <= now:
        raise Expired
    if not (_still_member(notification) and _wants_hot_seat_changes(notification.user_id)):
        return None
    upcoming = [
        seat.meeting
        for seat in HotSeat.objects.filter(
            user_id=notification.user_id,
            meeting__group_id=meeting.group_id,
            meeting__starts_at__gt=now,
            meeting__status=MeetingStatus.SCHEDULED,
        )
        .select_related("meeting")
        .order_by("meeting__starts_at")[:6]
    ]
    # The reader's own next hot seat, else their group: never someone else's meeting.
    target = upcoming[0] if upcoming else meeting.group
    return _email(
        notification,
        "hot_seat_changed",
        {
            "group": meeting.group,
            "meeting": meeting,
            "upcoming": upcoming,
            "url": absolute_url(target.get_absolute_url()),
            "profile_url": preferences.profile_url(),
        },
    )


@register(EmailKind.MEETING_CHANGED)
def build_meeting_changed(notification: Notification) -> Email | None:
    meeting = notification.subject
    if meeting.ends_at <= timezone.now():
        raise Expired
    if not _still_member(notification):
        return None
    old = notification.payload.get("old_starts_at")
    return _email(
        notification,
        "meeting_changed",
        {
            "group": meeting.group,
            "meeting": meeting,
            "cancelled": notification.payload.get("change") == "cancelled",
            "reason": notification.payload.get("reason", ""),
            "old_starts_at": _parse(old) if old else None,
            "url": absolute_url(meeting.get_absolute_url()),
        },
    )


def _parse(value: str):
    return dt.datetime.fromisoformat(value)


def _swap_builder(kind: str, *, only_pending: bool):
    @register(kind)
    def build(notification: Notification) -> Email | None:
        swap = (
            SwapRequest.objects.select_related(
                "requester", "responder", "requester_meeting__group", "responder_meeting"
            )
            .filter(pk=notification.payload.get("swap"))
            .first()
        )
        if swap is None or (only_pending and swap.status != SwapStatus.PENDING):
            return None
        if (
            min(swap.requester_meeting.starts_at, swap.responder_meeting.starts_at)
            <= timezone.now()
        ):
            raise Expired
        return _email(
            notification,
            kind,
            {
                "swap": swap,
                "group": swap.requester_meeting.group,
                "url": absolute_url(reverse("meetings:swaps")),
            },
        )

    return build


build_swap_requested = _swap_builder(EmailKind.SWAP_REQUESTED, only_pending=True)
build_swap_accepted = _swap_builder(EmailKind.SWAP_ACCEPTED, only_pending=False)
build_swap_declined = _swap_builder(EmailKind.SWAP_DECLINED, only_pending=False)
build_swap_withdrawn = _swap_builder(EmailKind.SWAP_WITHDRAWN, only_pending=False)
