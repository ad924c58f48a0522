"""Signals other parts of the app listen to.

``membership_changed`` is sent with ``group_id`` after the transaction that changed a
group's members has committed (groups created, someone added, moved, left, group ended).
The meetings app connects a receiver to re-plan the hot-seat rotation of future meetings.
"""

from django.db import transaction
from django.dispatch import Signal

membership_changed = Signal()


def send_membership_changed(*, group_id: int) -> None:
    """Send ``membership_changed`` once the current transaction commits."""

    def send() -> None:
        from groups.models import Group

        membership_changed.send(sender=Group, group_id=group_id)

    transaction.on_commit(send)
