"""Outbox builders for swap requests and their answers.

Each builder loads fresh state when the email is sent and returns ``None`` when it is no
longer wanted (swap already answered) or raises ``Expired`` when a meeting it is about has
begun. An accepted swap, hot-seat changes and meetings cancelled or moved by hand are told
together in one email: :mod:`meetings.change_email`.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from mastermind.core.mail import Email, absolute_url
from mastermind.outbox import Expired, register
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification
from meetings.models import SwapRequest, SwapStatus


def _email(notification: Notification, template: str, context: dict) -> Email:
    user = notification.user
    return Email(
        template=f"meetings/email/{template}",
        to=notification.email,
        context={"user": user, **context},
        language=user.language,
        time_zone=user.time_zone,
    )


def _swap_builder(kind: str, *, only_pending: bool):
    @register(kind)
    def build(notification: Notification) -> Email | None:
        swap = (
            SwapRequest.objects.select_related(
                "requester", "responder", "requester_meeting__group", "responder_meeting"
            )
            .filter(pk=notification.payload.get("swap"))
            .first()
        )
        if swap is None or (only_pending and swap.status != SwapStatus.PENDING):
            return None
        if (
            min(swap.requester_meeting.starts_at, swap.responder_meeting.starts_at)
            <= timezone.now()
        ):
            raise Expired
        return _email(
            notification,
            kind,
            {
                "swap": swap,
                "group": swap.requester_meeting.group,
                "url": absolute_url(reverse("meetings:swaps")),
            },
        )

    return build


build_swap_requested = _swap_builder(EmailKind.SWAP_REQUESTED, only_pending=True)
build_swap_declined = _swap_builder(EmailKind.SWAP_DECLINED, only_pending=False)
build_swap_withdrawn = _swap_builder(EmailKind.SWAP_WITHDRAWN, only_pending=False)
