"""Swaps between two members of a group: request, accept, decline, withdraw.

A swap trades hot seats (``role`` blank) or turns in a rotating role (``role`` set; the
checks and the exchange are in :mod:`meetings.services.role_swaps`). Accepting a hot-seat
swap exchanges the two presenters and pins both seats, so later re-plans keep the swap
(unless one of them becomes absent, when the rotation fills the seat as usual), and moves
each presenter's preparation with their hot seat; a role swap pins both role assignments
the same way. Its email waits for the hot seats the re-plan moves and tells both in one
(:mod:`meetings.services.changes`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mastermind import outbox
from mastermind.accounts.models import User
from mastermind.outbox.kinds import EmailKind
from meetings.models import (
    Absence,
    HotSeat,
    Meeting,
    MeetingStatus,
    Preparation,
    SwapRequest,
    SwapStatus,
)
from meetings.rules import is_current_member
from meetings.services.changes import CHANGE_KINDS, change_fields
from meetings.services.hot_seat import replan_group
from meetings.services.meetings import revise
from meetings.services.role_swaps import check_role_pair, exchange_roles


def _check_pair(
    *,
    requester: User,
    requester_meeting: Meeting,
    responder: User,
    responder_meeting: Meeting,
    now: dt.datetime,
    role: str = "",
) -> None:
    if requester.pk == responder.pk or requester_meeting.pk == responder_meeting.pk:
        if role:
            raise ValidationError(_("Choose another member's turn at another meeting."))
        raise ValidationError(_("Choose another member's hot seat at another meeting."))
    if requester_meeting.group_id != responder_meeting.group_id:
        raise ValidationError(_("Both meetings must belong to the same group."))
    for meeting in (requester_meeting, responder_meeting):
        if meeting.starts_at <= now or meeting.status != MeetingStatus.SCHEDULED:
            raise ValidationError(_("Only upcoming meetings can be swapped."))
    group_id = requester_meeting.group_id
    if not is_current_member(user=responder, group_id=group_id, at=now):
        raise ValidationError(_("The other person is not a member of this group."))
    if role:
        check_role_pair(
            role=role,
            requester=requester,
            requester_meeting=requester_meeting,
            responder=responder,
            responder_meeting=responder_meeting,
        )
        return
    seats = set(
        HotSeat.objects.filter(meeting__in=[requester_meeting, responder_meeting]).values_list(
            "meeting_id", "user_id"
        )
    )
    if (requester_meeting.pk, requester.pk) not in seats:
        raise ValidationError(_("You are not on the hot seat at that meeting any more."))
    if (responder_meeting.pk, responder.pk) not in seats:
        raise ValidationError(_("The other person is not on the hot seat at that meeting."))
    if (requester_meeting.pk, responder.pk) in seats or (
        responder_meeting.pk,
        requester.pk,
    ) in seats:
        raise ValidationError(_("One of you already presents at both meetings."))
    absent = Absence.objects.filter(
        meeting=requester_meeting, user=responder
    ) | Absence.objects.filter(meeting=responder_meeting, user=requester)
    if absent.exists():
        raise ValidationError(_("One of you can't come to the other meeting."))


def request_swap(
    *,
    requester: User,
    requester_meeting: Meeting,
    responder: User,
    responder_meeting: Meeting,
    role: str = "",
    now: dt.datetime | None = None,
) -> SwapRequest:
    """Ask ``responder`` to trade their turn at ``responder_meeting`` for the requester's at
    ``requester_meeting``: the hot seat, or ``role`` (a :class:`MeetingRole` value)."""
    now = now or timezone.now()
    if not is_current_member(user=requester, group_id=requester_meeting.group_id, at=now):
        raise PermissionDenied
    _check_pair(
        requester=requester,
        requester_meeting=requester_meeting,
        responder=responder,
        responder_meeting=responder_meeting,
        now=now,
        role=role,
    )
    if SwapRequest.objects.filter(
        requester=requester,
        requester_meeting=requester_meeting,
        responder=responder,
        responder_meeting=responder_meeting,
        role=role,
        status=SwapStatus.PENDING,
    ).exists():
        raise ValidationError(_("You have already asked for this swap."))
    with transaction.atomic():
        swap = SwapRequest.objects.create(
            requester=requester,
            requester_meeting=requester_meeting,
            responder=responder,
            responder_meeting=responder_meeting,
            role=role,
        )
        _tell(swap, EmailKind.SWAP_REQUESTED, [responder])
    return swap


def accept_swap(*, swap: SwapRequest, by: User, now: dt.datetime | None = None) -> SwapRequest:
    """The responder accepts: presenters (or role holders) exchanged, both pinned, both told."""
    now = now or timezone.now()
    if by.pk != swap.responder_id:
        raise PermissionDenied
    with transaction.atomic():
        swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
        if swap.status != SwapStatus.PENDING:
            raise ValidationError(_("This swap request has already been answered."))
        _check_pair(
            requester=swap.requester,
            requester_meeting=swap.requester_meeting,
            responder=swap.responder,
            responder_meeting=swap.responder_meeting,
            now=now,
            role=swap.role,
        )
        if swap.role:
            exchange_roles(swap)
        else:
            _exchange_hot_seats(swap)
        revise(
            meetings=Meeting.objects.filter(
                pk__in=[swap.requester_meeting_id, swap.responder_meeting_id]
            ),
            now=now,
        )
        swap.status, swap.decided_at = SwapStatus.ACCEPTED, now
        swap.save(update_fields=["status", "decided_at"])
        _tell(swap, EmailKind.SWAP_ACCEPTED, [swap.requester, swap.responder])
        replan_group(group=swap.requester_meeting.group, now=now)
    return swap


def _exchange_hot_seats(swap: SwapRequest) -> None:
    HotSeat.objects.filter(meeting=swap.requester_meeting, user=swap.requester).delete()
    HotSeat.objects.filter(meeting=swap.responder_meeting, user=swap.responder).delete()
    HotSeat.objects.create(meeting=swap.requester_meeting, user=swap.responder, pinned=True)
    HotSeat.objects.create(meeting=swap.responder_meeting, user=swap.requester, pinned=True)
    _move_preparations(swap)


def _move_preparations(swap: SwapRequest) -> None:
    """Each presenter's preparation follows their hot seat to the other meeting.

    A stale preparation already at the destination (from a hot seat given away earlier)
    gives way to the one being moved, which is what the presenter worked on last.
    """
    moves = (
        (swap.requester_id, swap.requester_meeting_id, swap.responder_meeting_id),
        (swap.responder_id, swap.responder_meeting_id, swap.requester_meeting_id),
    )
    moving = {
        (p.user_id, p.meeting_id): p
        for p in Preparation.objects.select_for_update().filter(
            Q(user_id=swap.requester_id, meeting_id=swap.requester_meeting_id)
            | Q(user_id=swap.responder_id, meeting_id=swap.responder_meeting_id)
        )
    }
    for user_id, source, target in moves:
        if (user_id, source) in moving:
            Preparation.objects.filter(user_id=user_id, meeting_id=target).delete()
    for user_id, source, target in moves:
        if preparation := moving.get((user_id, source)):
            preparation.meeting_id = target
            preparation.save(update_fields=["meeting", "updated_at"])


def decline_swap(*, swap: SwapRequest, by: User, now: dt.datetime | None = None) -> SwapRequest:
    return _close(swap, by=by, expected=swap.responder_id, status=SwapStatus.DECLINED, now=now)


def withdraw_swap(*, swap: SwapRequest, by: User, now: dt.datetime | None = None) -> SwapRequest:
    return _close(swap, by=by, expected=swap.requester_id, status=SwapStatus.WITHDRAWN, now=now)


def _close(
    swap: SwapRequest, *, by: User, expected: int, status: str, now: dt.datetime | None
) -> SwapRequest:
    if by.pk != expected:
        raise PermissionDenied
    with transaction.atomic():
        swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
        if swap.status != SwapStatus.PENDING:
            raise ValidationError(_("This swap request has already been answered."))
        swap.status, swap.decided_at = status, now or timezone.now()
        swap.save(update_fields=["status", "decided_at"])
        other = swap.requester if status == SwapStatus.DECLINED else swap.responder
        _tell(swap, EmailKind(f"swap_{status}"), [other])
    return swap


def _tell(swap: SwapRequest, kind: EmailKind, users: list[User]) -> None:
    """An accepted swap is a change: told together with the hot seats it moved."""
    group_id = swap.requester_meeting.group_id
    for user in users:
        batch = change_fields(user_id=user.pk, group_id=group_id) if kind in CHANGE_KINDS else {}
        outbox.claim(
            kind=kind,
            dedup_key=kind.key(swap.pk, user.pk),
            email=user.email,
            user=user,
            **outbox.about(swap.requester_meeting),
            payload={"swap": swap.pk},
            **batch,
        )
