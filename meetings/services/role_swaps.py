"""Role swaps: two members trade their turns as facilitator or timekeeper.

The request, answer and emails are those of the hot-seat swap (:mod:`meetings.services.swaps`,
``SwapRequest.role`` set). Here are what differs: the checks, and the exchange itself, which
pins both assignments (``RoleAssignment.pinned``) so that re-plans keep them while each holder
is free to take the role (see :func:`meetings.domain.rotation.plan_roles`).

A swap is refused, saving nothing, when either no longer holds the role at their meeting, the
group does not rotate it, one of them can't come to the other meeting, or one of them would be
presenter and role holder at once (or hold both roles) while the group has people enough to
keep them apart: the same separation the rotation keeps.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from groups.models import Membership
from mastermind.accounts.models import User
from meetings.choices import MeetingRole
from meetings.models import Absence, HotSeat, Meeting, RoleAssignment, SwapRequest
from meetings.services.roles import enabled_roles


def check_role_pair(
    *,
    role: str,
    requester: User,
    requester_meeting: Meeting,
    responder: User,
    responder_meeting: Meeting,
) -> None:
    """Raise ``ValidationError`` unless the two may trade ``role`` (upcoming meetings of one
    group and a current responder are checked by the caller)."""
    label = {"role": MeetingRole(role).label if role in MeetingRole.values else role}
    group = requester_meeting.group
    roles = enabled_roles(group)
    if role not in roles:
        raise ValidationError(_("This group does not rotate the role “%(role)s”.") % label)
    held = {
        (row.meeting_id, row.role): row.user_id
        for row in RoleAssignment.objects.filter(meeting__in=[requester_meeting, responder_meeting])
    }
    if held.get((requester_meeting.pk, role)) != requester.pk:
        raise ValidationError(_("You no longer hold the role “%(role)s” at that meeting.") % label)
    if held.get((responder_meeting.pk, role)) != responder.pk:
        raise ValidationError(
            _("The other person no longer holds the role “%(role)s” at that meeting.") % label
        )
    absent = Absence.objects.filter(
        meeting=requester_meeting, user=responder
    ) | Absence.objects.filter(meeting=responder_meeting, user=requester)
    if absent.exists():
        raise ValidationError(_("One of you can't come to the other meeting."))
    for meeting, incoming in ((responder_meeting, requester), (requester_meeting, responder)):
        _check_separation(meeting, incoming, role, held, roles, you=incoming == requester)


def _check_separation(
    meeting: Meeting,
    incoming: User,
    role: str,
    held: dict[tuple[int, str], int],
    roles: tuple[str, ...],
    *,
    you: bool,
) -> None:
    """``incoming`` would take ``role`` at ``meeting``: not on top of the hot seat or the
    other role there, unless the group is too small at that meeting to keep them apart."""
    label = {"role": MeetingRole(role).label, "name": incoming.first_name}
    presenting = set(HotSeat.objects.filter(meeting=meeting).values_list("user_id", flat=True))
    absent = Absence.objects.filter(meeting=meeting).values("user_id")
    free = (
        Membership.objects.current(meeting.starts_at)
        .filter(group_id=meeting.group_id)
        .exclude(user_id__in=absent)
        .values("user_id")
        .distinct()
        .count()
    )
    if incoming.pk in presenting and free > len(presenting):
        if you:
            message = _(
                "You are on the hot seat at the other meeting, "
                "so you can't take the role “%(role)s” there too."
            )
        else:
            message = _(
                "%(name)s is on the hot seat at your meeting, "
                "so they can't take the role “%(role)s” there too."
            )
        raise ValidationError(message % label)
    others = [r for r in roles if r != role and held.get((meeting.pk, r)) == incoming.pk]
    if others and free >= len(presenting) + len(roles):
        message = (
            _("You already hold another role at the other meeting.")
            if you
            else _("%(name)s already holds another role at your meeting.")
        )
        raise ValidationError(message % label)


def exchange_roles(swap: SwapRequest) -> None:
    """Hand each one the other's turn and pin both (the caller re-plans the group)."""
    for meeting_id, was, now_held_by in (
        (swap.requester_meeting_id, swap.requester_id, swap.responder_id),
        (swap.responder_meeting_id, swap.responder_id, swap.requester_id),
    ):
        RoleAssignment.objects.filter(meeting_id=meeting_id, role=swap.role, user_id=was).update(
            user_id=now_held_by, pinned=True
        )
