"""What meetings does when something happens below it (groups' events, account changes).

Connected once, in ``MeetingsConfig.ready()``.
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from groups.events import group_changed, group_ended, membership_closed, membership_opened
from groups.models import Membership
from mastermind.accounts.models import User
from mastermind.accounts.signals import user_changed
from meetings import services
from meetings.calendar import feed_cache
from meetings.calendar.events import GROUP_FIELDS

# What a presenter is shown by (User.first_name) is made of these.
NAME_FIELDS = frozenset({"display_name", "email"})


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


@receiver(membership_closed, dispatch_uid="meetings.membership_closed.revise")
@receiver(group_ended, dispatch_uid="meetings.group_ended.revise")
def _members_left(sender, *, group_id: int, membership_ids=(), **kwargs) -> None:
    # Their CANCELs must carry a higher SEQUENCE than the REQUESTs they were sent.
    people = Membership.objects.filter(pk__in=membership_ids).values_list("user_id", flat=True)
    services.revise_for_departures(group_id=group_id, user_ids=people)


@receiver(group_changed, dispatch_uid="meetings.group_changed")
def _group_changed(sender, *, group_id: int, fields=(), **kwargs) -> None:
    if GROUP_FIELDS & set(fields):
        services.revise_group(group_id=group_id)
    if "term_ends_on" in fields:  # a term moved on (or was edited): its series follows
        services.sync_all(groups=[group_id])


@receiver(user_changed, dispatch_uid="meetings.user_changed")
def _user_changed(sender, *, user_id: int, **kwargs) -> None:
    feed_cache.changed(users=[user_id])  # the feed's texts follow the language


# A presenter's name is in the SUMMARY of the events they present at, wherever it is saved
# (profile page, the user admin, account deletion): compare it before and after the save.
@receiver(pre_save, sender=User, dispatch_uid="meetings.user_name_before")
def _name_before(sender, instance: User, raw=False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and not NAME_FIELDS & set(update_fields):
        return
    before = User.objects.filter(pk=instance.pk).values_list("display_name", "email").first()
    if before is not None:
        display_name, email = before
        instance._name_before = User(display_name=display_name, email=email).first_name


@receiver(post_save, sender=User, dispatch_uid="meetings.user_name_after")
def _name_after(sender, instance: User, raw=False, **kwargs) -> None:
    before = instance.__dict__.pop("_name_before", None)
    if not raw and before is not None and before != instance.first_name:
        services.revise_presenter(user_id=instance.pk)
