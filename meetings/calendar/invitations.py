"""Which calendar emails are due now: iMIP invitations, cancellations, short-notice changes.

The reminder sweep calls :func:`collect` every minute and claims the returned unsaved
rows with ``mastermind.outbox.claim_many``. Everything is derived from the database, so
running it twice, or missing a minute, changes nothing. Three queries, whatever the
number of meetings, groups and members: the upcoming meetings, their groups' current
members (with their invitation preference), and the calendar notifications already
claimed for those meetings.

What is due
-----------
* ``calendar_invitation`` (METHOD:REQUEST), for members with ``calendar_invitations`` on,
  for every scheduled meeting within ``CALENDAR_INVITATION_WINDOW_DAYS`` (default 56)
  ahead. The key contains the meeting's SEQUENCE, so every change to what the event says
  (each bumps SEQUENCE, see ``meetings.services.meetings.revise``) is sent again.
* ``calendar_cancel`` (METHOD:CANCEL) when a member's calendar holds the event (the last
  iMIP message *sent* to them for it is a REQUEST) but the meeting is cancelled or skipped,
  or the member is no longer in the group. The key contains the SEQUENCE too, so a meeting
  that flips off, on and off again is cancelled again; the CANCEL's SEQUENCE is above the
  REQUEST's, as RFC 5546 wants (the change bumped it; leaving bumps it as well).
* ``short_notice_change``, to every current member whatever they chose, when a meeting
  within the next 72 hours was moved or cancelled within 72 hours of its (new) start.
  The key names that change (its kind and time), not the SEQUENCE: a later edit of the
  link or the presenter is not a second short-notice change. A move *away* from the next
  72 hours is not detected: the old start is not stored.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Q

from groups.models import Membership
from mastermind import outbox
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification, NotificationStatus
from meetings.models import Meeting, MeetingStatus

KIND_INVITATION = EmailKind.CALENDAR_INVITATION
KIND_CANCEL = EmailKind.CALENDAR_CANCEL
KIND_SHORT_NOTICE = EmailKind.SHORT_NOTICE
KINDS = (KIND_INVITATION, KIND_CANCEL, KIND_SHORT_NOTICE)
SHORT_NOTICE = dt.timedelta(hours=72)
NOT_HELD = (MeetingStatus.CANCELLED, MeetingStatus.SKIPPED)


def invitation_window() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "CALENDAR_INVITATION_WINDOW_DAYS", 56))


def invitation_key(meeting_id: int, user_id: int, sequence: int) -> str:
    return KIND_INVITATION.key(meeting_id, user_id, sequence)


def cancel_key(meeting_id: int, user_id: int, sequence: int) -> str:
    return KIND_CANCEL.key(meeting_id, user_id, sequence)


def _short_notice_change(meeting: dict) -> tuple[str, dt.datetime | None]:
    """The last change a short notice is about: ("off", when) or ("moved", when)."""
    if meeting["status"] in NOT_HELD:
        # Rows cancelled before status_changed_at existed: their cancellation saved the row.
        return "off", meeting["status_changed_at"] or meeting["updated_at"]
    return "moved", meeting["time_changed_at"]


def short_notice_key(meeting: dict, user_id: int) -> str:
    """Names the change: its kind, when it happened and (for a move) the new start."""
    change, changed_at = _short_notice_change(meeting)
    stamp = int(changed_at.timestamp() * 1_000_000) if changed_at else 0
    parts = [change, stamp]
    if change == "moved":
        parts.append(int(meeting["starts_at"].timestamp()))
    return KIND_SHORT_NOTICE.key(meeting["pk"], user_id, *parts)


def is_short_notice(meeting: dict) -> bool:
    """Moved or cancelled at most 72 hours before the meeting's start."""
    _change, changed_at = _short_notice_change(meeting)
    return changed_at is not None and changed_at >= meeting["starts_at"] - SHORT_NOTICE


MEETING_FIELDS = (
    "pk",
    "group_id",
    "status",
    "sequence",
    "starts_at",
    "updated_at",
    "time_changed_at",
    "status_changed_at",
)


def collect(now: dt.datetime) -> list[Notification]:
    """Unsaved notifications for invitations, cancellations and short-notice changes."""
    invite_until = now + invitation_window()
    until = max(invite_until, now + SHORT_NOTICE)
    # Meetings beyond the window matter only if an invitation already went out: a meeting
    # moved further out must still be updated in the member's calendar.
    invited_later = Notification.objects.filter(
        kind=KIND_INVITATION, meeting__starts_at__gt=until
    ).values("subject_id")
    upcoming = Meeting.objects.filter(starts_at__gt=now).filter(
        Q(starts_at__lte=until) | Q(pk__in=invited_later)
    )
    meetings = list(upcoming.order_by().values(*MEETING_FIELDS))
    if not meetings:
        return []
    members_by_group: dict[int, list[dict]] = defaultdict(list)
    for member in (
        Membership.objects.current(now)
        .filter(group_id__in=upcoming.values("group_id"), user__is_active=True)
        .order_by("pk")
        .values("group_id", "user_id", "user__email", "user__member_settings__calendar_invitations")
    ):
        members_by_group[member["group_id"]].append(member)
    claimed = list(
        Notification.objects.filter(kind__in=KINDS, meeting__in=upcoming).values_list(
            "kind", "dedup_key", "subject_id", "user_id", "email", "status", "payload"
        )
    )
    # Per (meeting, member): the email and SEQUENCE of the last REQUEST sent, and the
    # SEQUENCE of the last CANCEL meant to go out (a skipped one was not needed after all).
    sent: dict[tuple[int, int], tuple[str, int]] = {}
    cancelled: dict[tuple[int, int], int] = {}
    for kind, _key, meeting_id, user_id, email, status, payload in claimed:
        sequence = (payload or {}).get("sequence", 0)
        pair = (meeting_id, user_id)
        if not user_id:
            continue
        if kind == KIND_INVITATION and status == NotificationStatus.SENT:
            if pair not in sent or sent[pair][1] < sequence:
                sent[pair] = (email, sequence)
        elif kind == KIND_CANCEL and status != NotificationStatus.SKIPPED:
            cancelled[pair] = max(cancelled.get(pair, -1), sequence)
    due = _Due(existing={row[1] for row in claimed})
    for meeting in meetings:
        members = members_by_group.get(meeting["group_id"], [])
        pk, sequence = meeting["pk"], meeting["sequence"]
        if meeting["status"] == MeetingStatus.SCHEDULED:
            in_window = meeting["starts_at"] <= invite_until
            for member in members:
                user_id = member["user_id"]
                wanted = member["user__member_settings__calendar_invitations"]
                if wanted and (in_window or (pk, user_id) in sent):
                    key = invitation_key(pk, user_id, sequence)
                    due.add(KIND_INVITATION, key, meeting, user_id, member["user__email"])
        if meeting["starts_at"] <= now + SHORT_NOTICE and is_short_notice(meeting):
            for member in members:
                key = short_notice_key(meeting, member["user_id"])
                due.add(KIND_SHORT_NOTICE, key, meeting, member["user_id"], member["user__email"])
    by_pk = {meeting["pk"]: meeting for meeting in meetings}
    member_ids = {group: {m["user_id"] for m in rows} for group, rows in members_by_group.items()}
    for (meeting_id, user_id), (email, sequence) in sent.items():
        if cancelled.get((meeting_id, user_id), -1) >= sequence:
            continue  # their calendar has the CANCEL already
        meeting = by_pk[meeting_id]
        if meeting["status"] in NOT_HELD or user_id not in member_ids.get(meeting["group_id"], ()):
            key = cancel_key(meeting_id, user_id, meeting["sequence"])
            due.add(KIND_CANCEL, key, meeting, user_id, email)
    return due.rows


class _Due:
    """Collects new rows, skipping keys already claimed (or already collected)."""

    def __init__(self, existing: set[str]):
        self.existing = existing
        self.rows: list[Notification] = []

    def add(self, kind: str, key: str, meeting: dict, user_id: int, email: str) -> None:
        if key in self.existing:
            return
        self.existing.add(key)
        self.rows.append(
            Notification(
                kind=kind,
                dedup_key=key,
                user_id=user_id,
                email=email,
                **outbox.about_id(Meeting, meeting["pk"]),
                payload={"sequence": meeting["sequence"]},
            )
        )
