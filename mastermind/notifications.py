"""Outbox builders for the site-wide emails."""

from django.utils.translation import gettext_lazy as _  # noqa: F401 - used in templates

from mastermind import outbox
from mastermind.core.mail import Email, absolute_url
from mastermind.outbox.models import Notification


@outbox.register("member_left")
def build_member_left(notification: Notification) -> Email | None:
    recipient = notification.user
    if recipient is None or not recipient.is_active or notification.membership is None:
        return None
    group = notification.membership.group
    return Email(
        template="mastermind/email/member_left",
        to=notification.email,
        language=recipient.language,
        time_zone=recipient.time_zone,
        context={
            "group": group,
            "recipient": recipient,
            "group_url": absolute_url(group.get_absolute_url()),
        },
    )
