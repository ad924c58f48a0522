"""Swap requests between two members (a model of :mod:`meetings.models`, kept apart for size).

A request trades the hot seat (``role`` blank) or a rotating role (``role`` a
:class:`~meetings.choices.MeetingRole`): the requester's turn at ``requester_meeting`` for the
responder's at ``responder_meeting`` (:mod:`meetings.services.swaps`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meetings.choices import MeetingRole
from meetings.models import Meeting


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SwapRequest(models.Model):
    """A presenter or role holder asks another member to trade turns."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="swap_requests_made"
    )
    requester_meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="swap_requests_received"
    )
    responder_meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=MeetingRole.choices,
        blank=True,
        default="",
        help_text=_("Empty: the hot seat."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SwapStatus.choices, default=SwapStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "meetings"
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")

    def __str__(self) -> str:
        return f"{self.requester} ⇄ {self.responder}"
