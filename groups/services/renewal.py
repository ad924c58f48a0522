"""A group's term: the renewal question before it ends, and what happens when it ends.

One sweep (:func:`sweep`, task ``groups.sweep_renewals`` every few minutes from beat)
derives both from the database, so a lost or repeated tick costs nothing:

* From ``RENEWAL_QUESTION_DAYS`` before ``Group.term_ends_on`` (a day in the group's time
  zone) until that day, each current member is asked once per term: the claim
  ``renewal_question:<membership id>:<term end>``. Members added later in that window are
  asked at the next tick.
* From the day the term ends: members who answered "leave" leave through
  :func:`~groups.services.groups.leave_group` (its ``membership_closed`` event cancels
  their meetings' invitations and re-plans the hot seats). **Members who did not answer
  stay** (documented choice: silence is not a resignation; the organiser sees who did not
  answer on the group's page). A group where nobody continues (every current member
  answered "leave") ends through :func:`~groups.services.groups.end_group`, which stops
  its meetings; otherwise its term moves on by the intake's ``term_months`` (no further
  term without one) and the answers are cleared for the next question.
* Meetings are created only for the current term (:mod:`meetings.services.schedule`); when
  the term moves on, ``group_changed(fields=["term_ends_on"])`` has meetings create the
  next term's. Free places left by leavers are offered to the interest list and shown on
  the next intake's proposal (:mod:`groups.services.free_places`).

An answer can be changed as often as wanted until the term ends; the signed link names
the membership and the term, so last term's link stops working once the term moved on.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groups import events, signing
from groups.models import Group, GroupStatus, Membership, RenewalAnswer
from groups.services.free_places import offer_to_interest_list
from groups.services.groups import end_group, leave_group
from groups.terms import add_months
from mastermind import outbox
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification

logger = logging.getLogger(__name__)


def local_today(group: Group, now: dt.datetime) -> dt.date:
    return timezone.localdate(now, timezone=ZoneInfo(group.time_zone))


def question_opens_on(group: Group) -> dt.date | None:
    if group.term_ends_on is None:
        return None
    return group.term_ends_on - dt.timedelta(days=settings.RENEWAL_QUESTION_DAYS)


def answer_link_token(membership: Membership) -> str:
    return signing.make_renewal(
        pk=membership.pk, email=membership.user.email, term_ends_on=membership.group.term_ends_on
    )


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Ask the members of groups whose term ends soon; end the terms that are over."""
    now = now or timezone.now()
    # Every time zone's today is within a day of UTC's: a bounded first cut, then exact.
    horizon = now.date() + dt.timedelta(days=settings.RENEWAL_QUESTION_DAYS + 1)
    candidates = Group.objects.filter(
        status=GroupStatus.ACTIVE, term_ends_on__isnull=False, term_ends_on__lte=horizon
    )
    asking, ending = [], []
    for group in candidates:
        today = local_today(group, now)
        if today >= group.term_ends_on:
            ending.append(group.pk)
        elif today >= question_opens_on(group):
            asking.append(group)
    asked = _ask(asking, now)
    for group_id in ending:
        _end_term(group_id, now)
    return {"asked": asked, "terms_ended": len(ending)}


def _ask(groups: list[Group], now: dt.datetime) -> int:
    if not groups:
        return 0
    by_pk = {g.pk: g for g in groups}
    kind = EmailKind.RENEWAL_QUESTION
    members = Membership.objects.current(now).filter(group_id__in=by_pk).select_related("user")
    rows = [
        Notification(
            kind=kind,
            dedup_key=kind.key(m.pk, by_pk[m.group_id].term_ends_on.isoformat()),
            user=m.user,
            email=m.user.email,
            **outbox.about(m),
        )
        for m in members
        if m.user.is_active
    ]
    return len(outbox.claim_many(rows))


def _end_term(group_id: int, now: dt.datetime) -> None:
    with transaction.atomic():
        group = Group.objects.select_for_update(of=("self",)).select_related("intake")
        group = group.get(pk=group_id)
        if group.status != GroupStatus.ACTIVE or group.term_ends_on is None:
            return
        if local_today(group, now) < group.term_ends_on:
            return  # another run got here first
        current = list(group.memberships.current(now).select_related("user"))
        leavers = [m for m in current if m.renewal_answer == RenewalAnswer.LEAVE]
        if len(leavers) == len(current):
            end_group(group=group)
            logger.info("group %s: nobody continues, the group ended with its term", group.pk)
            return
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("did not continue after the term")
        for membership in leavers:
            leave_group(membership=membership, reason=reason)
        months = group.intake.term_months if group.intake_id else None
        ended_on = group.term_ends_on
        group.term_ends_on = add_months(group.term_ends_on, months) if months else None
        group.term_renewed_at = now
        group.save(update_fields=["term_ends_on", "term_renewed_at"])
        Membership.objects.filter(pk__in=[m.pk for m in current if m not in leavers]).update(
            renewal_answer="", renewal_answered_at=None
        )
        # The leavers' left_at is the clock's now, which may be past the sweep's ``now``.
        if leavers:
            offer_to_interest_list(group=group, term_ended_on=ended_on, now=timezone.now())
        # Meetings creates the next term's meetings (meetings/receivers.py).
        events.send_changed_on_commit(group_id=group.pk, fields=["term_ends_on"])
        logger.info("group %s: term ended, %s left, next term ends on %s", group.pk,
                    len(leavers), group.term_ends_on)  # fmt: skip


# --------------------------------------------------------------------------- answers


def membership_for_token(token: str, now: dt.datetime | None = None) -> Membership:
    """The membership a renewal link is for, while its term is open; else BadToken."""
    claim = signing.read_renewal(token)
    membership = Membership.objects.select_related("group", "user").filter(pk=claim.pk).first()
    now = now or timezone.now()
    if membership is None or membership.user.email.lower() != claim.email:
        raise signing.BadToken
    group = membership.group
    if (
        not membership.is_current
        or group.status != GroupStatus.ACTIVE
        or group.term_ends_on != claim.term_ends_on
        or local_today(group, now) >= group.term_ends_on
    ):
        raise signing.BadToken(expired=True)
    return membership


def answer(*, token: str, answer: str, now: dt.datetime | None = None) -> Membership:
    """Store (or change) the member's answer for the current term."""
    if answer not in RenewalAnswer.values:
        raise signing.BadToken
    now = now or timezone.now()
    membership = membership_for_token(token, now)
    Membership.objects.filter(pk=membership.pk).update(
        renewal_answer=answer, renewal_answered_at=now
    )
    membership.renewal_answer, membership.renewal_answered_at = answer, now
    return membership
