"""Which emails tell a member what changed in their group, and how they wait to go as one.

A swap accepted (``swap_accepted``), a meeting cancelled or moved by hand
(``meeting_changed``) and hot seats moved by a re-plan (``hot_seat_changed``) are claimed as
one outbox batch per member and group (:mod:`mastermind.outbox.batches`): each row waits
``CHANGE_EMAIL_WINDOW_SECONDS`` (default five minutes), and the first one sent tells every
change of that member and group still pending, built from the state at that moment
(:mod:`meetings.change_email`). Calendar invitations are not batched: a calendar needs one
REQUEST or CANCEL per change, and they go out at the next minute's sweep.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from mastermind import outbox
from mastermind.outbox.kinds import EmailKind

# In the order of what an email counts as when it tells several: the swap, a meeting that
# changed (both say why they were sent), the optional hot-seat change last.
CHANGE_KINDS = (EmailKind.SWAP_ACCEPTED, EmailKind.MEETING_CHANGED, EmailKind.HOT_SEAT_CHANGED)


def window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CHANGE_EMAIL_WINDOW_SECONDS)


def change_fields(*, user_id: int, group_id: int) -> dict:
    """The outbox fields of a change email to this member about this group: its batch and
    window, counted from now on the wall clock (when the worker may send it)."""
    return outbox.batched(f"changes:{user_id}:{group_id}", window=window())
