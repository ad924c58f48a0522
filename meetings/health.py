"""Groups' health from the database, and its signals in words (rules: meetings.domain.health).

:func:`group_health` loads the facts of many groups' last held meetings in a fixed number
of queries (six, whatever the number of groups and meetings) and assesses each group;
:func:`reasons` says in the active language why a group needs attention. The organiser's
home uses both; a weekly digest can call them the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import ngettext

from groups.models import Membership
from meetings.domain import health as rules
from meetings.models import Absence, Commitment, HotSeat, Meeting, MeetingStatus, Preparation


@dataclass(frozen=True)
class GroupHealth:
    health: rules.Health
    reasons: tuple[str, ...]

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)


def held_meetings(
    group_ids: Collection[int], now: dt.datetime
) -> list[tuple[int, int, dt.datetime]]:
    """``(meeting id, group id, starts_at)`` of each group's last held meetings, one query."""
    return list(
        Meeting.objects.filter(
            group_id__in=group_ids, status=MeetingStatus.SCHEDULED, starts_at__lte=now
        )
        .annotate(
            recent=Window(RowNumber(), partition_by=F("group_id"), order_by=F("starts_at").desc())
        )
        .filter(recent__lte=rules.WINDOW)
        .values_list("pk", "group_id", "starts_at")
    )


def _pairs(model, meeting_ids) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for meeting_id, user_id in model.objects.filter(meeting_id__in=meeting_ids).values_list(
        "meeting_id", "user_id"
    ):
        found[meeting_id].add(user_id)
    return found


def _presenters(meeting_ids) -> dict[int, list[int]]:
    seats: dict[int, list[int]] = defaultdict(list)
    for meeting_id, user_id in (
        HotSeat.objects.filter(meeting_id__in=meeting_ids)
        .order_by("pk")
        .values_list("meeting_id", "user_id")
    ):
        seats[meeting_id].append(user_id)
    return seats


def _commitments(meeting_ids) -> dict[int, list[str]]:
    statuses: dict[int, list[str]] = defaultdict(list)
    for meeting_id, status in Commitment.objects.filter(meeting_id__in=meeting_ids).values_list(
        "meeting_id", "status"
    ):
        statuses[meeting_id].append(status)
    return statuses


def group_health(
    *, group_ids: Collection[int], now: dt.datetime | None = None
) -> dict[int, GroupHealth]:
    """Each group's health over its last held meetings (six queries in all)."""
    now = now or timezone.now()
    meetings = held_meetings(group_ids, now)
    ids = [pk for pk, _group, _starts in meetings]
    memberships = list(
        Membership.objects.filter(group_id__in=group_ids).select_related("user").order_by("pk")
    )
    absent, prepared = _pairs(Absence, ids), _pairs(Preparation, ids)
    presenters, commitments = _presenters(ids), _commitments(ids)
    members_of: dict[int, list[Membership]] = defaultdict(list)
    for membership in memberships:
        members_of[membership.group_id].append(membership)
    held: dict[int, list[rules.HeldMeeting]] = defaultdict(list)
    for pk, group_id, starts_at in meetings:
        expected = frozenset(m.user_id for m in members_of[group_id] if _member_at(m, starts_at))
        held[group_id].append(
            rules.HeldMeeting(
                starts_at=starts_at,
                expected=expected,
                absent=frozenset(absent[pk]),
                presenters=tuple(presenters[pk]),
                prepared=frozenset(prepared[pk]),
                commitments=tuple(commitments[pk]),
            )
        )
    result = {}
    for group_id in group_ids:
        members = members_of[group_id]
        current = {m.user_id for m in members if _member_at(m, now)}
        assessed = rules.assess(held[group_id], current)
        names = {m.user_id: str(m.user) for m in members}
        result[group_id] = GroupHealth(assessed, tuple(reasons(assessed.signals, names)))
    return result


def _member_at(membership: Membership, moment: dt.datetime) -> bool:
    return membership.joined_at <= moment and (
        membership.left_at is None or moment < membership.left_at
    )


def reasons(signals, names: Mapping[int, str]) -> list[str]:
    """Why a group needs attention, one sentence per signal, in the active language."""
    return [_reason(signal, names) for signal in signals]


def _reason(signal: rules.Signal, names: Mapping[int, str]) -> str:
    if signal.kind == rules.LOW_ATTENDANCE:
        return ngettext(
            "Attendance under %(percent)s %% in %(count)s of the last %(of)s meeting.",
            "Attendance under %(percent)s %% in %(count)s of the last %(of)s meetings.",
            signal.of,
        ) % {"percent": rules.LOW_ATTENDANCE_PERCENT, "count": signal.count, "of": signal.of}
    if signal.kind == rules.UNPREPARED_HOT_SEATS:
        return ngettext(
            "The last hot seat was not prepared.",
            "The last %(count)s hot seats in a row were not prepared.",
            signal.count,
        ) % {"count": signal.count}
    return ngettext(
        "%(name)s missed the last meeting.",
        "%(name)s missed the last %(count)s meetings in a row.",
        signal.count,
    ) % {"name": names.get(signal.user_id, "?"), "count": signal.count}
