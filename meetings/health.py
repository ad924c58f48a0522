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


def held_meetings(group_ids: Collection[int], now: dt.datetime):
    """Each group's last held meetings (up to :data:`rules.WINDOW`), as a queryset; the
    facts below select by it as a subquery, so no query carries a long list of ids."""
    return (
        Meeting.objects.filter(
            group_id__in=group_ids, status=MeetingStatus.SCHEDULED, starts_at__lte=now
        )
        .annotate(
            recent=Window(RowNumber(), partition_by=F("group_id"), order_by=F("starts_at").desc())
        )
        .filter(recent__lte=rules.WINDOW)
    )


def _by_meeting(queryset, *fields: str) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    for meeting_id, value in queryset.values_list("meeting_id", *fields):
        found[meeting_id].append(value)
    return found


def memberships_of(group_ids: Collection[int]) -> list[Membership]:
    """Every membership of the groups, former ones too, with the member."""
    return list(
        Membership.objects.filter(group_id__in=group_ids).select_related("user").order_by("pk")
    )


def group_health(
    *,
    group_ids: Collection[int],
    now: dt.datetime | None = None,
    memberships: list[Membership] | None = None,
) -> dict[int, GroupHealth]:
    """Each group's health over its last held meetings: six queries in all, five when the
    caller has the groups' :func:`memberships_of` already."""
    now = now or timezone.now()
    members_of: dict[int, list[Membership]] = defaultdict(list)
    for membership in memberships_of(group_ids) if memberships is None else memberships:
        members_of[membership.group_id].append(membership)
    held = held_facts(group_ids, now, members_of)
    result = {}
    for group_id in group_ids:
        members = members_of[group_id]
        current = {m.user_id for m in members if member_at(m, now)}
        assessed = rules.assess(held[group_id], current)
        names = {m.user_id: str(m.user) for m in members}
        result[group_id] = GroupHealth(assessed, tuple(reasons(assessed.signals, names)))
    return result


def held_facts(
    group_ids: Collection[int], now: dt.datetime, members_of: Mapping[int, list[Membership]]
) -> dict[int, list[rules.HeldMeeting]]:
    """The facts of each group's last held meetings (five queries)."""
    held_qs = held_meetings(group_ids, now)
    ids = held_qs.values("pk")
    absent = _by_meeting(Absence.objects.filter(meeting_id__in=ids), "user_id")
    prepared = _by_meeting(Preparation.objects.filter(meeting_id__in=ids), "user_id")
    presenters = _by_meeting(HotSeat.objects.filter(meeting_id__in=ids).order_by("pk"), "user_id")
    commitments = _by_meeting(Commitment.objects.filter(meeting_id__in=ids), "status")
    held: dict[int, list[rules.HeldMeeting]] = defaultdict(list)
    for pk, group_id, starts_at in held_qs.values_list("pk", "group_id", "starts_at"):
        members = members_of.get(group_id, ())
        held[group_id].append(
            rules.HeldMeeting(
                starts_at=starts_at,
                expected=frozenset(m.user_id for m in members if member_at(m, starts_at)),
                absent=frozenset(absent[pk]),
                presenters=tuple(presenters[pk]),
                prepared=frozenset(prepared[pk]),
                commitments=tuple(commitments[pk]),
            )
        )
    return held


def member_at(membership: Membership, moment: dt.datetime) -> bool:
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
