"""Outbox builder of the free-places offer to the interest list (groups.services.free_places).

Decided at send time: nothing for an address that left the list, a group that ended, or
places that were filled since the term ended.
"""

from django.urls import reverse
from django.utils import timezone, translation

from groups import selectors, signing
from groups.models import Group, GroupStatus, InterestSignup
from groups.services.evenings import evening_label, evening_of
from groups.services.free_places import FREE_PLACES, free_places
from groups.services.groups import organiser_recipients
from mastermind import outbox
from mastermind.core.mail import Email, absolute_url
from mastermind.outbox.models import Notification


@outbox.register(FREE_PLACES)
def build_free_places(notification: Notification) -> Email | None:
    signup = InterestSignup.objects.filter(pk=notification.payload.get("signup")).first()
    if signup is None or signup.confirmed_at is None or signup.unsubscribed_at is not None:
        return None
    group = Group.objects.select_related("intake").filter(pk=notification.subject_id).first()
    if group is None or group.status != GroupStatus.ACTIVE:
        return None
    now = timezone.now()
    count = free_places(group, now)
    if count == 0:
        return None
    with translation.override(signup.language):
        evening_text = evening_label(evening_of(group))
    intake = selectors.open_intakes(now=now).first()
    apply_url = absolute_url(intake.get_absolute_url() if intake else reverse("groups:intake_list"))
    token = signing.make(signing.INTEREST_UNSUBSCRIBE, pk=signup.pk, email=signup.email)
    unsubscribe_url = absolute_url(reverse("groups:interest_unsubscribe", args=[token]))
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if organisers := [email for _user, email in organiser_recipients()]:
        headers["Reply-To"] = ", ".join(organisers)
    return Email(
        template="groups/email/free_places",
        to=signup.email,
        context={
            "group": group,
            "count": count,
            "evening": evening_text,
            "intake": intake,
            "apply_url": apply_url,
        },
        language=signup.language,
        headers=headers,
    )
