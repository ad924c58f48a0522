"""Receivers: re-plan the hot seats when a group's membership changes."""

from django.dispatch import receiver

from groups.events import membership_changed


@receiver(membership_changed, dispatch_uid="meetings.on_membership_changed")
def _membership_changed(sender, *, group_id: int, **kwargs) -> None:
    from meetings.services import on_membership_changed

    on_membership_changed(group_id=group_id)
