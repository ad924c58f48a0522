"""Outbox builders for this part of the app (see mastermind/outbox.py): the welcome email."""

from django.urls import reverse
from django.utils import timezone

from groups.models import GroupStatus, Membership
from groups.views.signin import signin_path
from mastermind import outbox
from mastermind.core.mail import Email, absolute_url
from mastermind.outbox.models import Notification
from meetings.models import Meeting, MeetingStatus


@outbox.register("welcome")
def build_welcome(notification: Notification) -> Email | None:
    """Welcome a new member: the group, the others, the first meeting, links, sign-in link.

    Skipped if the membership ended or the group ended before the email went out.
    """
    membership = (
        Membership.objects.select_related("group", "user")
        .filter(pk=notification.membership_id)
        .first()
    )
    if membership is None or not membership.is_current:
        return None
    group, user = membership.group, membership.user
    if group.status == GroupStatus.ENDED:
        return None
    now = timezone.now()
    others = group.memberships.current(now).exclude(pk=membership.pk).select_related("user")
    next_meeting = (
        Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED, starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    context = {
        "member": user,
        "group": group,
        "others": [{"first_name": m.user.first_name, "topics": m.topics} for m in others],
        "next_meeting": next_meeting,
        "group_url": absolute_url(reverse("groups:group_detail", kwargs={"pk": group.pk})),
        "signin_url": absolute_url(signin_path(user)),
        "code_signin_url": absolute_url(reverse("account_request_login_code")),
    }
    return Email(
        template="groups/email/welcome",
        to=user.email,
        context=context,
        language=user.language,
        time_zone=user.time_zone,
    )
