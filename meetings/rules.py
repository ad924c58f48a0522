"""Who may do what around meetings: one predicate per question, used by views and services.

Built on :mod:`groups.rules`: organisers see every meeting; a member sees the meetings of
the groups they currently belong to, and takes part in them (says they can't come,
records commitments, asks for a swap). Only the presenter prepares their hot seat.
"""

import datetime as dt

from groups.rules import is_current_member, may_organise, may_see_group
from mastermind.accounts.models import User
from meetings.models import HotSeat, Meeting, RoleAssignment

__all__ = [
    "holds_role",
    "is_current_member",
    "may_organise",
    "may_see_group",
    "may_see_meeting",
    "may_take_part",
    "presents",
]


def may_see_meeting(*, user: User, meeting: Meeting, at: dt.datetime | None = None) -> bool:
    return may_see_group(user=user, group_id=meeting.group_id, at=at)


def may_take_part(*, user: User, meeting: Meeting, at: dt.datetime | None = None) -> bool:
    """Say "I can't come", record commitments, swap: current members only, not staff."""
    return is_current_member(user=user, group_id=meeting.group_id, at=at)


def presents(*, user: User, meeting: Meeting) -> bool:
    """Is this person on the hot seat of this meeting (and so may prepare it)?"""
    return HotSeat.objects.filter(meeting=meeting, user_id=user.pk).exists()


def holds_role(*, user: User, meeting: Meeting, role: str) -> bool:
    """Does this person hold ``role`` (facilitator, timekeeper) at this meeting?"""
    return RoleAssignment.objects.filter(meeting=meeting, role=role, user_id=user.pk).exists()
