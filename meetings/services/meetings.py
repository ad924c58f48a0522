"""The organiser's cancel and move of single meetings, and membership changes' effect."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Group, Membership
from mastermind import outbox
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification
from meetings.calendar import feed_cache
from meetings.models import Meeting, MeetingStatus
from meetings.services.hot_seat import replan_group

MEETING_CHANGED = EmailKind.MEETING_CHANGED


def on_membership_changed(*, group_id: int, now: dt.datetime | None = None) -> None:
    """Someone joined or left: re-plan the group's future hot seats."""
    group = Group.objects.filter(pk=group_id).first()
    if group is not None:
        replan_group(group=group, now=now)


def cancel_meeting(*, meeting: Meeting, reason: str, now: dt.datetime | None = None) -> Meeting:
    """Cancel one meeting by hand: the row stays (its UID lives on), members are told."""
    now = now or timezone.now()
    if meeting.starts_at <= now:
        raise ValidationError(_("Meetings that have started can't be cancelled."))
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    with transaction.atomic():
        meeting.status = MeetingStatus.CANCELLED
        meeting.cancel_reason = reason
        meeting.is_override = True
        meeting.sequence += 1
        meeting.save()
        feed_cache.changed(groups=[meeting.group_id])
        replan_group(group=meeting.group, now=now)
        _tell_members(meeting, change="cancelled", reason=reason, now=now)
    return meeting


def move_meeting(
    *, meeting: Meeting, starts_at: dt.datetime, reason: str, now: dt.datetime | None = None
) -> Meeting:
    """Move one meeting to a new start (same length); schedule edits leave it alone after."""
    now = now or timezone.now()
    if meeting.starts_at <= now or starts_at <= now:
        raise ValidationError(_("Only upcoming meetings can be moved, and only to the future."))
    if starts_at == meeting.starts_at:
        return meeting
    if evening_taken(meeting=meeting, starts_at=starts_at):
        raise ValidationError(
            _("The group already has a meeting that day. Move or cancel that one first.")
        )
    old_start = meeting.starts_at
    with transaction.atomic():
        length = meeting.ends_at - meeting.starts_at
        meeting.starts_at, meeting.ends_at = starts_at, starts_at + length
        meeting.is_override = True
        meeting.sequence += 1
        meeting.time_changed_at = now
        meeting.cancel_reason = reason
        meeting.save()
        feed_cache.changed(groups=[meeting.group_id])
        replan_group(group=meeting.group, now=now)
        _tell_members(meeting, change="moved", reason=reason, now=now, old_start=old_start)
    return meeting


def evening_taken(*, meeting: Meeting, starts_at: dt.datetime) -> bool:
    """Would ``meeting``, moved to ``starts_at``, share its local day (or its time) with
    another meeting of the group that takes place? One meeting per group and evening."""
    ends_at = starts_at + (meeting.ends_at - meeting.starts_at)
    zone = zoneinfo.ZoneInfo(meeting.time_zone)
    day = timezone.localtime(starts_at, timezone=zone).date()
    others = Meeting.objects.filter(
        group_id=meeting.group_id,
        status=MeetingStatus.SCHEDULED,
        starts_at__lt=ends_at + dt.timedelta(days=2),
        ends_at__gt=starts_at - dt.timedelta(days=2),
    ).exclude(pk=meeting.pk)
    return any(
        (o.starts_at < ends_at and starts_at < o.ends_at)
        or timezone.localtime(o.starts_at, timezone=zone).date() == day
        for o in others.only("starts_at", "ends_at")
    )


def _tell_members(
    meeting: Meeting,
    *,
    change: str,
    reason: str,
    now: dt.datetime,
    old_start: dt.datetime | None = None,
) -> list[int]:
    memberships = Membership.objects.current(now).filter(group=meeting.group).select_related("user")
    payload = {"change": change, "reason": reason}
    if old_start is not None:
        payload["old_starts_at"] = old_start.isoformat()
    return outbox.claim_many(
        Notification(
            kind=MEETING_CHANGED,
            dedup_key=MEETING_CHANGED.key(meeting.pk, meeting.sequence, m.user_id),
            user=m.user,
            email=m.user.email,
            **outbox.about(meeting),
            payload=payload,
        )
        for m in memberships
    )
