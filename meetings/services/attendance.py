"""What members do around a meeting: say they can't come, prepare, record commitments."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mastermind.accounts.models import User
from meetings import rules
from meetings.models import (
    Absence,
    Commitment,
    CommitmentStatus,
    HotSeat,
    Meeting,
    MeetingStatus,
    Preparation,
)
from meetings.services.hot_seat import replan_group


def _require_upcoming(meeting: Meeting, now: dt.datetime) -> None:
    if meeting.starts_at <= now or meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("This meeting is not upcoming any more."))


def _require_member(user: User, meeting: Meeting, now: dt.datetime) -> None:
    if not rules.may_take_part(user=user, meeting=meeting, at=now):
        raise PermissionDenied


def mark_absent(
    *, meeting: Meeting, user: User, note: str = "", now: dt.datetime | None = None
) -> Absence:
    """“I can't come”: record it and re-plan, so a presenter's seat goes to the next in line."""
    now = now or timezone.now()
    _require_member(user, meeting, now)
    _require_upcoming(meeting, now)
    with transaction.atomic():
        absence, _created = Absence.objects.update_or_create(
            meeting=meeting, user=user, defaults={"note": note}
        )
        replan_group(group=meeting.group, now=now)
    return absence


def mark_present(*, meeting: Meeting, user: User, now: dt.datetime | None = None) -> None:
    """“I'll come after all”: remove the absence and re-plan."""
    now = now or timezone.now()
    _require_member(user, meeting, now)
    _require_upcoming(meeting, now)
    with transaction.atomic():
        deleted, _rows = Absence.objects.filter(meeting=meeting, user=user).delete()
        if deleted:
            replan_group(group=meeting.group, now=now)


def is_presenter(*, meeting: Meeting, user: User) -> bool:
    return HotSeat.objects.filter(meeting=meeting, user=user).exists()


def save_preparation(
    *,
    meeting: Meeting,
    user: User,
    story: str,
    value_for_others: str,
    feedback_wanted: str,
    takeaways: str = "",
    now: dt.datetime | None = None,
) -> Preparation:
    """Only a presenter of the meeting prepares it, and only before it starts."""
    now = now or timezone.now()
    _require_member(user, meeting, now)
    if not is_presenter(meeting=meeting, user=user):
        raise PermissionDenied
    _require_upcoming(meeting, now)
    preparation, _created = Preparation.objects.update_or_create(
        meeting=meeting,
        user=user,
        defaults={
            "story": story,
            "value_for_others": value_for_others,
            "feedback_wanted": feedback_wanted,
            "takeaways": takeaways,
        },
    )
    return preparation


def record_commitment(
    *, meeting: Meeting, user: User, text: str, now: dt.datetime | None = None
) -> Commitment:
    """“By next time I will …”: recorded once the meeting has started; editable while open."""
    now = now or timezone.now()
    _require_member(user, meeting, now)
    if meeting.starts_at > now or meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("Commitments are recorded after the meeting has started."))
    commitment, created = Commitment.objects.get_or_create(
        meeting=meeting, user=user, defaults={"text": text}
    )
    if not created:
        commitment.text = text
        commitment.save(update_fields=["text", "updated_at"])
    return commitment


def mark_commitment(
    *, commitment: Commitment, user: User, done: bool, now: dt.datetime | None = None
) -> Commitment:
    """Each member marks only their own commitment done or not done."""
    now = now or timezone.now()
    if commitment.user_id != user.pk:
        raise PermissionDenied
    _require_member(user, commitment.meeting, now)
    commitment.status = CommitmentStatus.DONE if done else CommitmentStatus.NOT_DONE
    commitment.save(update_fields=["status", "updated_at"])
    return commitment
