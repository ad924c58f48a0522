"""Meeting roles glue: plan facilitator and timekeeper (:func:`plan_roles`), store changes.

Called by :func:`meetings.services.hot_seat.replan_group` right after the hot seats, inside its
transaction, so roles follow every re-plan (schedule edits, absences, membership changes,
swaps). Only future meetings change; past assignments are the history. A role that the
group's schedule turns off loses its future assignments. Roles pinned by an accepted swap
(``RoleAssignment.pinned``) are handed to the planner, which keeps them while their holder is
free to take them; an unchanged row keeps its pin, a replaced one is replaced unpinned.
"""

from __future__ import annotations

import datetime as dt

from groups.models import Group
from meetings.choices import MeetingRole
from meetings.domain.rotation import RotationMeeting, RotationMember, plan_roles
from meetings.models import Meeting, MeetingStatus, RoleAssignment, Schedule


def enabled_roles(group: Group) -> tuple[str, ...]:
    """The roles the group rotates, facilitator first."""
    schedule = (
        Schedule.objects.filter(group=group).only("rotate_facilitator", "rotate_timekeeper").first()
    )
    if schedule is None:
        return ()
    flags = {
        MeetingRole.FACILITATOR: schedule.rotate_facilitator,
        MeetingRole.TIMEKEEPER: schedule.rotate_timekeeper,
    }
    return tuple(str(role) for role, on in flags.items() if on)


def replan_roles(
    *,
    group: Group,
    members: list[RotationMember],
    meetings: list[Meeting],
    held: list[RotationMeeting],
    presenters: dict[int, tuple[int, ...]],
    now: dt.datetime,
) -> set[int]:
    """Re-plan the roles of ``meetings`` (the group's future ones, locked by the caller).

    ``held`` are those still scheduled, with their absences; cancelled ones lose their roles.
    Returns the ids of the meetings whose roles changed.
    """
    roles = enabled_roles(group)
    history = list(
        RoleAssignment.objects.filter(
            meeting__group=group,
            meeting__starts_at__lte=now,
            meeting__status=MeetingStatus.SCHEDULED,
        ).values_list("meeting__starts_at", "role", "user_id")
    )
    old: dict[int, dict[str, RoleAssignment]] = {}
    pins: dict[int, dict[str, int]] = {}
    for row in RoleAssignment.objects.filter(meeting__in=meetings):
        old.setdefault(row.meeting_id, {})[row.role] = row
        if row.pinned:
            pins.setdefault(row.meeting_id, {})[row.role] = row.user_id
    plan = (
        plan_roles(
            members=members,
            history=history,
            meetings=held,
            presenters=presenters,
            roles=roles,
            now=now,
            pinned=pins,
        )
        if roles
        else {}
    )
    changed: set[int] = set()
    stale: list[int] = []
    new_rows: list[RoleAssignment] = []
    for meeting in meetings:
        wanted = plan.get(meeting.pk, {})
        have = old.get(meeting.pk, {})
        for role, row in have.items():
            if wanted.get(role) != row.user_id:
                stale.append(row.pk)
                changed.add(meeting.pk)
        for role, user_id in wanted.items():
            if role not in have or have[role].user_id != user_id:
                # A pin that gave way is gone; the new holder is the rotation's choice.
                new_rows.append(RoleAssignment(meeting=meeting, role=role, user_id=user_id))
                changed.add(meeting.pk)
    RoleAssignment.objects.filter(pk__in=stale).delete()
    RoleAssignment.objects.bulk_create(new_rows)
    return changed
