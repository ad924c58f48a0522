"""Free places after a term: offered to the interest list, and to the next intake's proposal.

When a term ends with leavers (:mod:`groups.services.renewal`) and the group continues
below its capacity (:func:`groups.services.groups.group_capacity`: the intake's maximum, 5
without an intake), the places are offered in the two ways a mature product has, and
nothing cleverer:

* **The interest list** hears of them once: each confirmed, subscribed address gets one
  email per group and ended term, the claim
  ``free_places:<group>:<day the term ended>:<sign-up>``, so a repeated sweep or a second
  worker sends nothing twice. Each email is in the language the address signed up in. The
  interest list stores a language but neither a time zone nor evenings, and a group has no
  language of its own (what organisers write is in ``CONTENT_LANGUAGE``), so there is
  nothing to match on: everybody on the list is told, and the email names the group's
  evening with its time zone so each reader can judge whether it fits. Members of the
  group are left out. The email links to an intake open for applications (the soonest
  deadline), else to the list of intakes, and its Reply-To is the organisers, so "I'd like
  that place" reaches a person. At send time the builder counts the places again and sends
  nothing once they are filled.
* **The next intake's proposal** lists the groups with free places
  (:func:`groups.selectors.groups_with_free_places`: a term ended in the last 30 days, below
  capacity) with the number of places and their evening. The organiser tops them up on
  the group's page from its waitlist, which for a group whose term has moved on includes
  the accepted and waitlisted applicants of later intakes
  (:func:`groups.services.groups.waitlist_candidates`); someone placed that way is no
  longer proposed for a new group of their intake.
"""

from __future__ import annotations

import datetime as dt

from groups.models import Group, InterestSignup, Membership
from groups.services.groups import group_capacity
from mastermind import outbox
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification

FREE_PLACES = EmailKind.FREE_PLACES


def free_places(group: Group, now: dt.datetime) -> int:
    return max(0, group_capacity(group) - group.memberships.current(now).count())


def offer_to_interest_list(*, group: Group, term_ended_on: dt.date, now: dt.datetime) -> int:
    """Claim one free-places email per address on the interest list; returns how many new.

    Nothing when the group is full. Call it inside the transaction that ended the term.
    """
    if free_places(group, now) == 0:
        return 0
    members = {
        email.lower()
        for email in Membership.objects.current(now)
        .filter(group=group)
        .values_list("user__email", flat=True)
    }
    signups = InterestSignup.objects.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).values_list("pk", "email")
    rows = [
        Notification(
            kind=FREE_PLACES,
            dedup_key=FREE_PLACES.key(group.pk, term_ended_on.isoformat(), pk),
            email=email,
            **outbox.about(group),
            payload={"signup": pk},
        )
        for pk, email in signups
        if email.lower() not in members
    ]
    claimed = set(
        Notification.objects.filter(
            kind=FREE_PLACES, dedup_key__in=[r.dedup_key for r in rows]
        ).values_list("dedup_key", flat=True)
    )
    outbox.claim_many(rows)
    return len([r for r in rows if r.dedup_key not in claimed])
