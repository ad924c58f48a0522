"""The one email that tells a member what changed in their group (an outbox batch).

Swaps accepted, meetings cancelled or moved by hand and hot seats moved by a re-plan are
claimed with a window (:mod:`meetings.services.changes`). When the first of them is sent,
the outbox hands every such row of that member and group still pending to
:func:`build_changes` (:mod:`mastermind.outbox.batches`), which builds one email from the
state at that moment, in the reader's language and time zone:

* each accepted swap: who presents at which of the two meetings now;
* each changed meeting once, however often it changed: cancelled, with the last reason
  given, or moved from where it was before the first move to where it is now (a meeting
  that is back where it was is not mentioned);
* the reader's next hot seats, the new ones marked, and the ones no longer theirs with who
  presents instead, if they still want hot-seat changes.

The email counts as its first part's kind in that order: a swap or a meeting change says
why it was sent and has no unsubscribe (it would have been sent anyway); hot-seat changes
alone are the optional kind, with its one-click unsubscribe. Parts that are no longer true
are dropped; if none remains the email is skipped, or expired when every part was about
meetings that have begun.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.urls import reverse
from django.utils import timezone

from mastermind.core.mail import Email, absolute_url
from mastermind.outbox import Expired, register_batch
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification
from meetings import rules
from meetings.models import (
    HotSeat,
    Meeting,
    MeetingStatus,
    MemberSettings,
    SwapRequest,
)
from meetings.services import preferences
from meetings.services.changes import CHANGE_KINDS

# Changed hot seats and next hot seats listed at most (the rest are on the group page).
LISTED = 6


def _pk(row) -> int:
    return row.pk


class _Part:
    """What one kind of change contributes: its items, the rows they came from, and how
    many rows were about meetings that have begun."""

    def __init__(self, rows: list[Notification]) -> None:
        self.rows = rows
        self.items: list = []
        self.told: list[Notification] = []  # the rows behind the items
        self.expired = 0

    def add(self, row: Notification, item) -> None:
        self.items.append(item)
        self.told.append(row)


@register_batch(*CHANGE_KINDS)
def build_changes(rows: Sequence[Notification]) -> tuple[Email, Notification] | None:
    user = rows[0].user
    meetings = Meeting.objects.select_related("group").in_bulk({r.subject_id for r in rows})
    rows = [r for r in rows if r.subject_id in meetings]  # detached rows tell nothing
    if user is None or not rows:
        return None
    group = meetings[rows[0].subject_id].group
    if not rules.is_current_member(user=user, group_id=group.pk):
        return None
    now = timezone.now()
    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    swaps = _swaps(by_kind[EmailKind.SWAP_ACCEPTED], now)
    changed = _meetings(by_kind[EmailKind.MEETING_CHANGED], meetings, now)
    seats = _hot_seats(by_kind[EmailKind.HOT_SEAT_CHANGED], meetings, user, now)
    parts = [swaps, changed, seats]  # in the order of CHANGE_KINDS
    told = [part for part in parts if part.items]
    if not told:
        if all(part.expired == len(part.rows) for part in parts):
            raise Expired
        return None
    context = {
        "user": user,
        "group": group,
        "swaps": swaps.items,
        "meetings": changed.items,
        "hot_seats": seats.items[0] if seats.items else None,
        "more": sum(len(part.items) for part in parts) - 1,
        "swaps_url": absolute_url(reverse("meetings:swaps")),
        "profile_url": preferences.profile_url(),
    }
    email = Email(
        template="meetings/email/changes",
        to=user.email,  # the current address, should it have changed since the claim
        context=context,
        language=user.language,
        time_zone=user.time_zone,
    )
    return email, told[0].told[0]


def _swaps(rows: list[Notification], now: dt.datetime) -> _Part:
    part = _Part(rows)
    by_swap = {row.payload.get("swap"): row for row in rows}
    swaps = SwapRequest.objects.select_related(
        "requester", "responder", "requester_meeting", "responder_meeting"
    ).filter(pk__in=[pk for pk in by_swap if pk])
    for swap in sorted(swaps, key=lambda s: s.pk):
        if min(swap.requester_meeting.starts_at, swap.responder_meeting.starts_at) <= now:
            part.expired += 1
        else:
            part.add(by_swap[swap.pk], swap)
    return part


def _meetings(rows: list[Notification], meetings: dict[int, Meeting], now: dt.datetime) -> _Part:
    """One item per meeting: what is true now, against what it was before the first edit."""
    part = _Part(rows)
    edits: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:  # oldest first (the outbox's order)
        edits[row.subject_id].append(row)
    for meeting_id in sorted(edits, key=lambda pk: (meetings[pk].starts_at, pk)):
        meeting, its_rows = meetings[meeting_id], edits[meeting_id]
        if meeting.ends_at <= now:
            part.expired += len(its_rows)
            continue
        if meeting.status != MeetingStatus.SCHEDULED:
            item = {"cancelled": True, "reason": its_rows[-1].payload.get("reason", "")}
        else:
            moves = [r for r in its_rows if r.payload.get("old_starts_at")]
            old = dt.datetime.fromisoformat(moves[0].payload["old_starts_at"]) if moves else None
            if old is None or old == meeting.starts_at:
                continue  # called off and back, or moved and moved back: nothing to tell
            item = {
                "cancelled": False,
                "old_starts_at": old,
                "reason": moves[-1].payload.get("reason", ""),
            }
        item.update(meeting=meeting, url=absolute_url(meeting.get_absolute_url()))
        part.add(its_rows[0], item)
    return part


def _hot_seats(
    rows: list[Notification], meetings: dict[int, Meeting], user, now: dt.datetime
) -> _Part:
    """The reader's next hot seats (new ones marked) and those given away, with who
    presents instead."""
    part = _Part(rows)
    live = [row for row in rows if meetings[row.subject_id].starts_at > now]
    part.expired = len(rows) - len(live)
    if not live or MemberSettings.objects.filter(user=user, hot_seat_changes=False).exists():
        return part
    group = meetings[live[0].subject_id].group
    changed_ids = {pk for row in live for pk in row.payload.get("meetings", [])}
    changed_ids |= {row.subject_id for row in live}
    given_away = []
    for meeting in (
        Meeting.objects.filter(
            pk__in=changed_ids, starts_at__gt=now, status=MeetingStatus.SCHEDULED
        )
        .exclude(hot_seats__user=user)
        .prefetch_related("hot_seats__user")
        .order_by("starts_at")[:LISTED]
    ):
        names = [seat.user.first_name for seat in sorted(meeting.hot_seats.all(), key=_pk)]
        given_away.append({"meeting": meeting, "others": ", ".join(names), "count": len(names)})
    upcoming = [
        {"meeting": seat.meeting, "new": seat.meeting_id in changed_ids}
        for seat in HotSeat.objects.filter(
            user=user,
            meeting__group=group,
            meeting__starts_at__gt=now,
            meeting__status=MeetingStatus.SCHEDULED,
        )
        .select_related("meeting")
        .order_by("meeting__starts_at")[:LISTED]
    ]
    # The reader's own next hot seat, else their group: never someone else's meeting.
    target = upcoming[0]["meeting"] if upcoming else group
    item = {
        "given_away": given_away,
        "upcoming": upcoming,
        "url": absolute_url(target.get_absolute_url()),
    }
    part.add(live[0], item)
    return part
