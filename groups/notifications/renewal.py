"""Outbox builder of the renewal question: does the member continue after the term?"""

from django.urls import reverse

from groups.models import GroupStatus
from groups.notifications.groups import recipient_and_membership
from groups.services import renewal
from mastermind import outbox
from mastermind.core.mail import Email, absolute_url
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification


@outbox.register(EmailKind.RENEWAL_QUESTION)
def build_renewal_question(notification: Notification) -> Email | None:
    """Ask once per term, with one link per answer. Skipped if the member left, the group
    ended or the term this row was claimed for has moved on."""
    recipient, membership = recipient_and_membership(notification)
    if membership is None or not membership.is_current:
        return None
    group = membership.group
    if group.status == GroupStatus.ENDED or group.term_ends_on is None:
        return None
    if not notification.dedup_key.endswith(":" + group.term_ends_on.isoformat()):
        return None
    url = absolute_url(
        reverse("groups:renewal_answer", kwargs={"token": renewal.answer_link_token(membership)})
    )
    return Email(
        template="groups/email/renewal_question",
        to=notification.email,
        language=recipient.language,
        time_zone=recipient.time_zone,
        context={
            "group": group,
            "recipient": recipient,
            "term_ends_on": group.term_ends_on,
            "continue_url": f"{url}?answer=continue",
            "leave_url": f"{url}?answer=leave",
        },
    )
