"""Hot-seat glue: load the group's state, ask :mod:`meetings.domain.rotation`, store the difference.

Only future meetings are (re)planned; past hot seats are the history the rotation builds on.
HotSeat rows are changed with minimal churn (unchanged presenters keep their rows), a
meeting's ``sequence`` goes up when its presenters change (it is the iCalendar SEQUENCE), and
everyone whose hot seat moved is told once per re-plan (see :func:`notify_moved`), in one
email with the other changes of the same few minutes (:mod:`meetings.services.changes`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from groups.models import Group, Membership
from mastermind import outbox
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification
from meetings.calendar import feed_cache
from meetings.domain.rotation import (
    RotationMeeting,
    RotationMember,
    changed_presenters,
    plan_rotation,
)
from meetings.models import Absence, HotSeat, Meeting, MeetingStatus, MemberSettings, Schedule
from meetings.services.changes import change_fields
from meetings.services.roles import replan_roles

HOT_SEAT_CHANGED = EmailKind.HOT_SEAT_CHANGED


def rotation_members(*, group: Group) -> list[RotationMember]:
    """Everyone who was, is or will be in the group; a re-joined member keeps the last window."""
    latest: dict[int, Membership] = {}
    for m in Membership.objects.filter(group=group).order_by("joined_at", "pk"):
        latest[m.user_id] = m
    return [RotationMember(uid, m.joined_at, m.left_at) for uid, m in latest.items()]


def seats_for(group: Group) -> int:
    schedule = Schedule.objects.filter(group=group).only("hot_seats").first()
    return schedule.hot_seats if schedule else 1


def replan_group(
    *, group: Group, now: dt.datetime | None = None, notify: bool = True
) -> dict[int, set[int]]:
    """Re-plan the hot seats and roles of the group's future meetings.

    Returns meeting -> users whose hot seat moved (role changes bump the meeting's sequence too).
    """
    now = now or timezone.now()
    with transaction.atomic():
        meetings = list(Meeting.objects.select_for_update().filter(group=group, starts_at__gt=now))
        held = [m for m in meetings if m.status == MeetingStatus.SCHEDULED]
        seats = list(HotSeat.objects.filter(meeting__in=meetings).order_by("pk"))
        old: dict[int, tuple[int, ...]] = defaultdict(tuple)
        pins: dict[int, tuple[int, ...]] = defaultdict(tuple)
        for seat in seats:
            old[seat.meeting_id] += (seat.user_id,)
            if seat.pinned:
                pins[seat.meeting_id] += (seat.user_id,)
        absent: dict[int, set[int]] = defaultdict(set)
        for meeting_id, user_id in Absence.objects.filter(meeting__in=held).values_list(
            "meeting_id", "user_id"
        ):
            absent[meeting_id].add(user_id)
        history = list(
            HotSeat.objects.filter(
                meeting__group=group,
                meeting__starts_at__lte=now,
                meeting__status=MeetingStatus.SCHEDULED,
            ).values_list("meeting__starts_at", "user_id")
        )
        count = seats_for(group)
        members = rotation_members(group=group)
        planned = [
            RotationMeeting(m.pk, m.starts_at, count, frozenset(absent[m.pk]), pins[m.pk])
            for m in held
        ]
        plan = plan_rotation(members=members, history=history, meetings=planned, now=now)
        changes = changed_presenters(dict(old), plan)
        _write(changes, old, plan, pins)
        roles_changed = replan_roles(
            group=group, members=members, meetings=meetings, held=planned, presenters=plan, now=now
        )
        bumped = [m.pk for m in held if m.pk in changes and old[m.pk]]
        revised = [m.pk for m in held if m.pk in changes or m.pk in roles_changed]
        Meeting.objects.filter(pk__in=revised).update(sequence=F("sequence") + 1, updated_at=now)
        if notify:
            notify_moved(group=group, changes={pk: changes[pk] for pk in bumped})
        if changes or roles_changed:
            feed_cache.changed(groups=[group.pk])
    return changes


def _write(
    changes: dict[int, set[int]],
    old: dict[int, tuple[int, ...]],
    plan: dict[int, tuple[int, ...]],
    pins: dict[int, tuple[int, ...]],
) -> None:
    """Delete seats that went away and create the new ones; unchanged rows stay untouched."""
    for meeting_id in changes:
        new = set(plan.get(meeting_id, ()))
        gone = set(old[meeting_id]) - new
        if gone:
            HotSeat.objects.filter(meeting_id=meeting_id, user_id__in=gone).delete()
        HotSeat.objects.bulk_create(
            HotSeat(meeting_id=meeting_id, user_id=uid, pinned=uid in pins[meeting_id])
            for uid in new - set(old[meeting_id])
        )


def notify_moved(*, group: Group, changes: dict[int, set[int]]) -> list[int]:
    """One "hot seat changed" email per affected person, keyed on their first changed meeting.

    A re-plan can shift many later meetings at once; one email listing the person's new hot
    seats beats a dozen. The key holds the meeting and its new sequence, so the same change
    is never told twice, and a later change is told again.
    """
    first: dict[int, int] = {}
    meetings = Meeting.objects.in_bulk(list(changes))
    for meeting_id in sorted(changes, key=lambda pk: (meetings[pk].starts_at, pk)):
        for user_id in changes[meeting_id]:
            first.setdefault(user_id, meeting_id)
    if not first:
        return []
    muted = set(
        MemberSettings.objects.filter(user_id__in=first, hot_seat_changes=False).values_list(
            "user_id", flat=True
        )
    )
    users = {
        m.user_id: m.user
        for m in Membership.objects.current()
        .filter(group=group, user_id__in=first)
        .select_related("user")
    }
    rows = []
    for user_id, meeting_id in first.items():
        if user_id in muted or user_id not in users:
            continue
        meeting = meetings[meeting_id]
        rows.append(
            Notification(
                kind=HOT_SEAT_CHANGED,
                dedup_key=HOT_SEAT_CHANGED.key(meeting.pk, meeting.sequence, user_id),
                user=users[user_id],
                email=users[user_id].email,
                **outbox.about(meeting),
                payload={
                    "meetings": sorted(pk for pk, moved in changes.items() if user_id in moved)
                },
                **change_fields(user_id=user_id, group_id=group.pk),
            )
        )
    return outbox.claim_many(rows)
