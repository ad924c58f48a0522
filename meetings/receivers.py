"""What meetings does when something happens below it (groups' events, account changes).

Connected once, in ``MeetingsConfig.ready()``.
"""

from django.dispatch import receiver

from groups.events import group_ended, membership_closed, membership_opened
from mastermind.accounts.signals import user_changed
from meetings import services
from meetings.calendar import feed_cache


@receiver(membership_opened, dispatch_uid="meetings.membership_opened")
@receiver(membership_closed, dispatch_uid="meetings.membership_closed")
@receiver(group_ended, dispatch_uid="meetings.group_ended")
def _members_changed(sender, *, group_id: int, **kwargs) -> None:
    services.on_membership_changed(group_id=group_id)


@receiver(user_changed, dispatch_uid="meetings.user_changed")
def _user_changed(sender, *, user_id: int, **kwargs) -> None:
    feed_cache.changed(users=[user_id])  # the feed's texts follow the language
