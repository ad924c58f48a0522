"""Who may do what in the groups app: one predicate per question, used by every view.

A staff user is an organiser and may see and manage every group. A member sees the
groups they currently belong to (:func:`groups.models.current_membership_q`); former
members and members of other groups see nothing (the views answer 404, not 403, so
that ids reveal nothing).
"""

import datetime as dt

from groups.models import Membership
from mastermind.accounts.models import User


def is_current_member(*, user: User | None, group_id: int, at: dt.datetime | None = None) -> bool:
    """Is this person a member of this group at ``at`` (default: now)?"""
    if user is None or not user.is_authenticated:
        return False
    return Membership.objects.current(at).filter(group_id=group_id, user_id=user.pk).exists()


def may_see_group(*, user: User, group_id: int, at: dt.datetime | None = None) -> bool:
    """The group page, its meetings and its members: organisers and current members."""
    return user.is_staff or is_current_member(user=user, group_id=group_id, at=at)


def may_organise(*, user: User) -> bool:
    """The organiser's pages: proposals, managing groups, the overview."""
    return user.is_active and user.is_staff


def may_see_group_of(*, user: User, current_members: list[Membership]) -> bool:
    """:func:`may_see_group`, answered from the group's current memberships already loaded."""
    return user.is_staff or any(m.user_id == user.pk for m in current_members)
