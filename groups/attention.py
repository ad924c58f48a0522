"""What of the intakes and groups needs the organiser now, for the admin index's list.

One query for all recent intakes (:func:`groups.selectors.intakes_to_act_on`): applications
waiting for a decision (urgent once the deadline has passed) and decisions that were made
but not emailed yet. One query for the
groups whose term ended lately with free places (members who did not continue): the
organiser fills them from the waitlist on the group's page.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import ngettext

from groups import selectors
from groups.models import Intake
from mastermind.ops.attention import Attention, attention_hooks


@attention_hooks.register("intakes")
def intake_attention(now: dt.datetime) -> list[Attention]:
    intakes = selectors.intakes_to_act_on(now=now)
    items = []
    for intake in intakes:
        if intake.n_undecided:
            items.append(_to_review(intake, now))
        if intake.n_unsent:
            items.append(_to_send(intake))
    return items


def _to_review(intake: Intake, now: dt.datetime) -> Attention:
    url = reverse("admin:groups_application_changelist")
    text = ngettext(
        "%(count)s application to “%(intake)s” waits for your decision.",
        "%(count)s applications to “%(intake)s” wait for your decision.",
        intake.n_undecided,
    ) % {"count": intake.n_undecided, "intake": intake.title}
    return Attention(
        text=text,
        url=f"{url}?intake__id__exact={intake.pk}&status__exact=new",
        urgent=intake.deadline <= now,
    )


def _to_send(intake: Intake) -> Attention:
    text = ngettext(
        "%(count)s decision for “%(intake)s” is not emailed yet.",
        "%(count)s decisions for “%(intake)s” are not emailed yet.",
        intake.n_unsent,
    ) % {"count": intake.n_unsent, "intake": intake.title}
    return Attention(text=text, url=reverse("admin:groups_intake_changelist"))


@attention_hooks.register("free places after a term")
def free_places_attention(now: dt.datetime) -> list[Attention]:
    items = []
    for group in selectors.groups_with_free_places(now=now):
        free = group.n_free
        text = ngettext(
            "“%(group)s” has %(count)s free place after its term.",
            "“%(group)s” has %(count)s free places after its term.",
            free,
        ) % {"group": group.name, "count": free}
        items.append(Attention(text=text, url=reverse("groups:group_manage", args=[group.pk])))
    return items
