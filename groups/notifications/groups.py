"""Outbox builders for group membership (see mastermind/outbox): welcome, a member left
(to the group and to the organisers), the group ended."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from groups.extensions import welcome_email_context
from groups.models import GroupStatus, Membership
from groups.views.signin import signin_path
from mastermind import outbox
from mastermind.core.mail import Email, absolute_url
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification


@outbox.register(EmailKind.WELCOME)
def build_welcome(notification: Notification) -> Email | None:
    """Welcome a new member: the group, the others, the first meeting, links, sign-in link.

    Skipped if the membership ended or the group ended before the email went out.
    """
    membership = (
        Membership.objects.select_related("group", "user")
        .filter(pk=notification.subject_id)
        .first()
    )
    if membership is None or not membership.is_current:
        return None
    group, user = membership.group, membership.user
    if group.status == GroupStatus.ENDED:
        return None
    now = timezone.now()
    others = group.memberships.current(now).exclude(pk=membership.pk).select_related("user")
    context = {
        "member": user,
        "group": group,
        "others": [{"first_name": m.user.first_name, "topics": m.topics} for m in others],
        "group_url": absolute_url(reverse("groups:group_detail", kwargs={"pk": group.pk})),
        "signin_url": absolute_url(signin_path(user)),
        "code_signin_url": absolute_url(reverse("account_request_login_code")),
    }
    for _name, contribute in welcome_email_context:
        context.update(contribute(membership=membership, now=now))
    return Email(
        template="groups/email/welcome",
        to=user.email,
        context=context,
        language=user.language,
        time_zone=user.time_zone,
    )


def recipient_and_membership(notification: Notification):
    """The active recipient and the membership the email is about; (None, None) if gone."""
    recipient = notification.user
    if recipient is None or not recipient.is_active:
        return None, None
    membership = Membership.objects.select_related("group").filter(pk=notification.subject_id)
    return recipient, membership.first()


@outbox.register(EmailKind.MEMBER_LEFT)
def build_member_left(notification: Notification) -> Email | None:
    recipient, membership = recipient_and_membership(notification)
    if membership is None:
        return None
    group = membership.group
    return Email(
        template="groups/email/member_left",
        to=notification.email,
        language=recipient.language,
        time_zone=recipient.time_zone,
        context={
            "group": group,
            "recipient": recipient,
            "group_url": absolute_url(group.get_absolute_url()),
        },
    )


@outbox.register(EmailKind.MEMBER_LEFT_ORGANISER)
def build_member_left_organiser(notification: Notification) -> Email | None:
    """Tell an organiser who left which group, and why (as they told us)."""
    membership = (
        Membership.objects.select_related("group", "user")
        .filter(pk=notification.subject_id)
        .first()
    )
    if membership is None or membership.left_at is None:
        return None
    recipient = notification.user
    language, time_zone = settings.LANGUAGE_CODE, settings.TIME_ZONE
    if recipient is not None:
        if not (recipient.is_active and recipient.is_staff):
            return None
        language, time_zone = recipient.language, recipient.time_zone
    group = membership.group
    return Email(
        template="groups/email/member_left_organiser",
        to=notification.email,
        language=language,
        time_zone=time_zone,
        context={
            "group": group,
            "member": membership.user,
            "membership": membership,
            "current_count": group.memberships.current().count(),
            "manage_url": absolute_url(reverse("groups:group_manage", kwargs={"pk": group.pk})),
        },
    )


@outbox.register(EmailKind.GROUP_ENDED)
def build_group_ended(notification: Notification) -> Email | None:
    """Tell a member, once, that their group has ended and its meetings are off."""
    recipient, membership = recipient_and_membership(notification)
    if membership is None:
        return None
    return Email(
        template="groups/email/group_ended",
        to=notification.email,
        language=recipient.language,
        time_zone=recipient.time_zone,
        context={"group": membership.group, "recipient": recipient},
    )
