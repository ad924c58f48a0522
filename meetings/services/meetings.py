"""The organiser's cancel and move of single meetings, and membership changes' effect.

Members are told of a cancel or move together with the other changes of the same few
minutes, such as the hot seats it moved (:mod:`meetings.services.changes`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Group, Membership
from mastermind import outbox
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification, NotificationStatus
from meetings.calendar import feed, feed_cache
from meetings.models import Meeting, MeetingStatus
from meetings.services.changes import change_fields
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
    with transaction.atomic():
        if _locked(meeting).status == MeetingStatus.CANCELLED:
            meeting.refresh_from_db()
            return meeting
        revise_meeting(
            meeting=meeting,
            now=now,
            status=MeetingStatus.CANCELLED,
            cancel_reason=reason,
            is_override=True,
        )
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
    if evening_taken(meeting=meeting, starts_at=starts_at):
        raise ValidationError(
            _("The group already has a meeting that day. Move or cancel that one first.")
        )
    with transaction.atomic():
        current = _locked(meeting)
        if starts_at == current.starts_at:
            meeting.refresh_from_db()
            return meeting
        old_start = current.starts_at
        revise_meeting(
            meeting=meeting,
            now=now,
            starts_at=starts_at,
            ends_at=starts_at + (current.ends_at - current.starts_at),
            is_override=True,
            time_changed_at=now,
            cancel_reason=reason,
        )
        replan_group(group=meeting.group, now=now)
        meeting.refresh_from_db()  # the re-plan may have changed its presenters (and SEQUENCE)
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


# -- revisions: every change to what a meeting's calendar event says ---------------------


def _locked(meeting: Meeting) -> Meeting:
    """The meeting's current row, locked until the transaction ends."""
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def revise_meeting(*, meeting: Meeting, now: dt.datetime, **fields) -> Meeting:
    """Write ``fields`` and bump SEQUENCE in the database, then refresh ``meeting``.

    ``F("sequence") + 1`` on the locked row, never ``meeting.sequence += 1``: the instance
    may be older than a re-plan that bumped the row meanwhile, and writing a SEQUENCE that
    was already sent would let the invitation of this change be deduplicated away.
    ``updated_at`` is the time of the write (it is LAST-MODIFIED), ``now`` the time the
    change counts from (``status_changed_at``; the caller's ``time_changed_at``).
    """
    with transaction.atomic():
        current = _locked(meeting)
        if "status" in fields and fields["status"] != current.status:
            fields["status_changed_at"] = now
        Meeting.objects.filter(pk=meeting.pk).update(
            sequence=F("sequence") + 1, updated_at=timezone.now(), **fields
        )
        feed_cache.changed(groups=[current.group_id])
    meeting.refresh_from_db()
    return meeting


def revise(*, meetings: QuerySet[Meeting], now: dt.datetime | None = None, **fields) -> list[int]:
    """The events of ``meetings`` now say something else: write ``fields`` (if any), bump
    their SEQUENCE and updated_at.

    One locking query and one UPDATE, whatever their number; their groups' feeds move.
    A new ``status`` also records ``status_changed_at`` (as :func:`revise_meeting` does).
    Returns the ids that were bumped.
    """
    now = now or timezone.now()
    if "status" in fields:
        fields["status_changed_at"] = now
    with transaction.atomic():
        rows = list(
            Meeting.objects.filter(pk__in=meetings.values("pk"))
            .select_for_update()
            .order_by("pk")
            .values_list("pk", "group_id")
        )
        if rows:
            ids = [pk for pk, _group_id in rows]
            Meeting.objects.filter(pk__in=ids).update(
                sequence=F("sequence") + 1, updated_at=timezone.now(), **fields
            )
            feed_cache.changed(groups={group_id for _pk, group_id in rows})
    return [pk for pk, _group_id in rows]


def revise_group(*, group_id: int, now: dt.datetime | None = None) -> list[int]:
    """The group's name, links or agenda changed: every event of it that a feed shows."""
    now = now or timezone.now()
    return revise(meetings=feed.shown(Meeting.objects.filter(group_id=group_id), now=now), now=now)


def revise_presenter(*, user_id: int, now: dt.datetime | None = None) -> list[int]:
    """The name a presenter or role holder is shown by changed: every shown event they present
    at or hold a role in (the roles are in the description)."""
    now = now or timezone.now()
    presenting = Meeting.objects.filter(Q(hot_seats__user_id=user_id) | Q(roles__user_id=user_id))
    return revise(meetings=feed.shown(presenting, now=now), now=now)


def revise_for_departures(
    *, group_id: int, user_ids: Iterable[int], now: dt.datetime | None = None
) -> list[int]:
    """People left: the meetings they were sent a REQUEST for get a higher SEQUENCE, so the
    CANCEL they are sent supersedes it (RFC 5546 2.1.4; the others get the new version)."""
    now = now or timezone.now()
    invited = Notification.objects.filter(
        kind=EmailKind.CALENDAR_INVITATION,
        status=NotificationStatus.SENT,
        user_id__in=list(user_ids),
        meeting__group_id=group_id,
        meeting__starts_at__gt=now,
        meeting__status=MeetingStatus.SCHEDULED,
    )
    return revise(meetings=Meeting.objects.filter(pk__in=invited.values("subject_id")), now=now)


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
            **change_fields(user_id=m.user_id, group_id=meeting.group_id),
        )
        for m in memberships
    )
