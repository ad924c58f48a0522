"""What meetings does when something happens below it (groups' events, account changes).

Connected once, in ``MeetingsConfig.ready()``.
"""

from django.dispatch import receiver

from groups.events import group_ended, membership_closed, membership_opened
from groups.models import Membership
from mastermind.accounts.signals import user_changed
from meetings import services
from meetings.calendar import feed_cache


@receiver(membership_opened, dispatch_uid="meetings.membership_opened")
@receiver(membership_closed, dispatch_uid="meetings.membership_closed")
def _members_changed(sender, *, group_id: int, membership_ids=(), **kwargs) -> None:
    services.on_membership_changed(group_id=group_id)
    # Who joined or left now sees the group appear or vanish; the others, the new presenters.
    people = Membership.objects.filter(pk__in=membership_ids).values_list("user_id", flat=True)
    feed_cache.changed(users=people, groups=[group_id])


@receiver(group_ended, dispatch_uid="meetings.group_ended")
def _group_ended(sender, *, group_id: int, membership_ids=(), **kwargs) -> None:
    # Cancel first: the re-plan then finds no meeting left to give a hot seat.
    services.cancel_meetings_of_ended_group(group_id=group_id)
    _members_changed(sender, group_id=group_id, membership_ids=membership_ids)


@receiver(user_changed, dispatch_uid="meetings.user_changed")
def _user_changed(sender, *, user_id: int, **kwargs) -> None:
    feed_cache.changed(users=[user_id])  # the feed's texts follow the language
