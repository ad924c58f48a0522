"""A meeting's agenda with names filled in, and what the facilitator needs for each block.

The group's agenda (``AgendaItem``) is a template of timeboxed blocks; for one meeting each
block gets its clock time, the hot-seat blocks their presenter (the i-th hot-seat block is
the i-th seat; a single block takes all presenters), and on the "run the meeting" page each
block what it is about: who is there for the check-in, the commitments due for the review
(recorded at the previous held meeting), the presenter's preparation for a hot seat, the
commitments recorded so far for the next-commitments round, and the next meeting for the
close.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from meetings.choices import AgendaKind
from meetings.models import AgendaItem, Commitment, Meeting, Preparation


@dataclass
class AgendaSlot:
    title: str
    minutes: int
    starts_at: dt.datetime
    kind: str = AgendaKind.OTHER
    presenters: list = field(default_factory=list)
    preparations: list = field(default_factory=list)


def agenda_for(meeting: Meeting, presenters: list | None = None) -> list[AgendaSlot]:
    """The group's agenda for this meeting; ``presenters`` in seat order, if known."""
    items = list(AgendaItem.objects.filter(group_id=meeting.group_id))
    seats = [i for i, item in enumerate(items) if item.kind == AgendaKind.HOT_SEAT]
    slots, start = [], meeting.starts_at
    for index, item in enumerate(items):
        slot = AgendaSlot(item.title, item.minutes, start, item.kind)
        if index in seats and presenters:
            position = seats.index(index)
            slot.presenters = (
                list(presenters) if len(seats) == 1 else presenters[position : position + 1]
            )
        slots.append(slot)
        start += dt.timedelta(minutes=item.minutes)
    return slots


def run_context(*, meeting: Meeting, presenters: list, previous: Meeting | None) -> dict:
    """What the facilitator view shows besides the meeting page's own facts."""
    preparations = {
        p.user_id: p for p in Preparation.objects.filter(meeting=meeting).select_related("user")
    }
    agenda = agenda_for(meeting, presenters)
    for slot in agenda:
        slot.preparations = [preparations[u.pk] for u in slot.presenters if u.pk in preparations]
    due = (
        list(Commitment.objects.filter(meeting=previous).select_related("user").order_by("pk"))
        if previous
        else []
    )
    return {"run_agenda": agenda, "commitments_due": due}
