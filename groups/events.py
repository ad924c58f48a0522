"""Domain events of the groups app: what happened, for the apps above it to act on.

groups never imports meetings; the meetings app receives these (``meetings/receivers.py``)
to re-plan hot seats, cancel invitations and refresh feeds. Every event is sent once the
transaction that caused it has committed, so a receiver sees the new state and a rolled
back change sends nothing. Arguments are ids, never model instances:

``membership_opened(group_id, membership_ids)``
    People joined a group: groups created from a proposal, someone added from the
    waitlist, or moved in from another group.
``membership_closed(group_id, membership_ids)``
    People left a group: they left themselves, were moved out, or deleted their account.
``group_ended(group_id, membership_ids)``
    The organiser ended the group; ``membership_ids`` are the memberships it closed.
``group_changed(group_id, fields)``
    The organiser edited the group's own fields (``fields``: the names of those that
    changed, e.g. ``name``, ``video_url``); meetings re-issues the events that show them.
    ``term_ends_on`` among them (a term moved on, see ``groups.services.renewal``): meetings
    creates the next term's meetings, or cancels those after a shortened term.
"""

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

from groups.models import Group

membership_opened = Signal()
membership_closed = Signal()
group_ended = Signal()
group_changed = Signal()


def send_on_commit(event: Signal, *, group_id: int, membership_ids: Iterable[int]) -> None:
    """Send ``event`` with these ids once the current transaction commits."""
    ids = sorted(set(membership_ids))

    def send() -> None:
        event.send(sender=Group, group_id=group_id, membership_ids=ids)

    transaction.on_commit(send)


def send_changed_on_commit(*, group_id: int, fields: Iterable[str]) -> None:
    """Send ``group_changed`` for these fields once the current transaction commits."""
    names = sorted(set(fields))
    if not names:
        return

    def send() -> None:
        group_changed.send(sender=Group, group_id=group_id, fields=names)

    transaction.on_commit(send)
