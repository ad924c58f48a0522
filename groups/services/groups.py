"""Writes for groups: create them from a proposal, add, move, leave, end.

History is kept: memberships are closed (``left_at``), never deleted; a move closes one
membership and opens another. Every change sends a domain event (:mod:`groups.events`) after
commit, and every new membership claims one welcome email through the outbox
(``welcome:<membership id>``), so a repeated call never sends a second one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groups import events
from groups.models import Application, Group, GroupStatus, Intake, Membership
from groups.services.proposals import eligible_applications
from groups.terms import add_months
from mastermind import outbox
from mastermind.accounts.models import User
from mastermind.core.text import strip_forbidden
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification

logger = logging.getLogger(__name__)


class GroupsError(Exception):
    """The change cannot be made; the message is shown to the organiser or member."""


def group_letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)


# --------------------------------------------------------------------------- accounts


def ensure_member_account(*, application: Application) -> User:
    """The applicant's account (matched by email, any case), created if needed.

    The email address counts as verified: the application's double opt-in proved it.
    """
    user = User.objects.filter(email__iexact=application.email).first()
    # The name is shown to the group: the text policy applies to it as to the profile form
    # (applications made before the policy may hold bidi or invisible characters).
    name = strip_forbidden(application.name)
    if user is None:
        user = User.objects.create_user(
            email=application.email,
            display_name=name,
            language=application.language,
            time_zone=application.time_zone,
        )
    elif not user.display_name:
        user.display_name = name
        user.save(update_fields=["display_name"])
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=not has_primary
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    if application.user_id != user.pk:
        application.user = user
        application.save(update_fields=["user", "updated_at"])
    return user


def _open_membership(*, group: Group, application: Application, user: User) -> Membership:
    return Membership.objects.create(
        group=group,
        user=user,
        application=application,
        topics=[t for t in (strip_forbidden(t) for t in application.all_topics) if t],
        about=strip_forbidden(application.about, multiline=True),
    )


def _claim_for_members(kind: EmailKind, memberships: list[Membership]) -> None:
    """One email of ``kind`` to each of these members, once per membership."""
    outbox.claim_many(
        Notification(
            kind=kind,
            dedup_key=kind.key(m.pk),
            user=m.user,
            email=m.user.email,
            **outbox.about(m),
        )
        for m in memberships
    )


# --------------------------------------------------------------------------- create


def _description(intake: Intake, planned: dict) -> str:
    # No meeting time here: written once in the organiser's language it goes stale; the
    # group page shows the real schedule in the reader's language instead.
    parts = []
    if planned.get("shared_topics"):
        parts.append(
            _("Shared topics: %(topics)s.") % {"topics": ", ".join(planned["shared_topics"])}
        )
    return " ".join(parts)


def create_groups(*, intake: Intake, by: User | None) -> list[Group]:
    """Create the groups of the intake's stored proposal, once.

    The intake row is locked and ``groups_created_at`` set in the same transaction, so a
    second click, a double submit or a parallel request finds it set and creates nothing.
    """
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake.pk)
        if intake.groups_created_at is not None:
            raise GroupsError(_("The groups of this intake have already been created."))
        planned = (intake.proposal or {}).get("groups") or []
        if not planned:
            raise GroupsError(_("There are no proposed groups to create."))
        ids = [i for g in planned for i in g["members"]]
        apps = {a.pk: a for a in eligible_applications(intake).filter(pk__in=ids)}
        if missing := [i for i in ids if i not in apps]:
            names = Application.objects.filter(pk__in=missing).values_list("name", flat=True)
            raise GroupsError(
                _(
                    "Some people in the proposal are no longer accepted or have withdrawn: "
                    "%(names)s. Move them to the waitlist or propose again."
                )
                % {"names": ", ".join(names) or ", ".join(map(str, missing))}
            )
        groups, memberships = [], []
        today = timezone.localdate(timezone=ZoneInfo(intake.time_zone))
        term_ends_on = add_months(today, intake.term_months) if intake.term_months else None
        with translation.override(settings.LANGUAGE_CODE):
            for index, plan in enumerate(planned):
                group = Group.objects.create(
                    name=(
                        _("Group %(letter)s – %(title)s")
                        % {"letter": group_letter(index), "title": intake.title}
                    )[:120],
                    intake=intake,
                    time_zone=intake.time_zone,
                    description=_description(intake, plan),
                    term_ends_on=term_ends_on,
                )
                groups.append(group)
                for app_id in plan["members"]:
                    app = apps[app_id]
                    user = ensure_member_account(application=app)
                    memberships.append(_open_membership(group=group, application=app, user=user))
        intake.groups_created_at = timezone.now()
        intake.save(update_fields=["groups_created_at", "updated_at"])
        _claim_for_members(EmailKind.WELCOME, memberships)
        for group in groups:
            events.send_on_commit(
                events.membership_opened,
                group_id=group.pk,
                membership_ids=[m.pk for m in memberships if m.group_id == group.pk],
            )
    logger.info("intake %s: %s groups created by %s", intake.pk, len(groups), by)
    return groups


# --------------------------------------------------------------------------- later changes


def group_capacity(group: Group) -> int:
    return group.intake.max_group_size if group.intake_id else 5


def waitlist_candidates(*, group: Group):
    """Confirmed, accepted or waitlisted applications not placed yet: of the group's intake
    and, once its term has moved on (free places after a term), of the later intakes too."""
    intakes = Q(intake_id=group.intake_id) if group.intake_id else Q(pk__in=[])
    if group.term_renewed_at is not None:
        later = group.intake.deadline if group.intake_id else dt.datetime.min.replace(tzinfo=dt.UTC)
        intakes |= Q(intake__deadline__gt=later)
    placed = Membership.objects.current()
    return (
        Application.objects.confirmed()
        .filter(intakes, status__in=("accepted", "waitlisted"))
        .exclude(pk__in=placed.filter(application__isnull=False).values("application_id"))
        .exclude(user__in=placed.filter(group__intake_id=group.intake_id).values("user_id"))
        .exclude(user__in=placed.filter(group=group).values("user_id"))
        .order_by("name")
    )


def _lock_group(group: Group) -> Group:
    locked = Group.objects.select_for_update(of=("self",)).select_related("intake").get(pk=group.pk)
    if locked.status == GroupStatus.ENDED:
        raise GroupsError(_("This group has ended."))
    return locked


def add_member_from_waitlist(
    *, group: Group, application: Application, by: User | None
) -> Membership:
    """Give a waiting applicant a free place in the group (only below the intake's maximum)."""
    with transaction.atomic():
        group = _lock_group(group)
        if not waitlist_candidates(group=group).filter(pk=application.pk).exists():
            raise GroupsError(_("This person is not waiting for a place in this intake."))
        if group.memberships.current().count() >= group_capacity(group):
            raise GroupsError(_("This group is full."))
        user = ensure_member_account(application=application)
        membership = _open_membership(group=group, application=application, user=user)
        _claim_for_members(EmailKind.WELCOME, [membership])
        events.send_on_commit(
            events.membership_opened, group_id=group.pk, membership_ids=[membership.pk]
        )
    logger.info("group %s: %s added from waitlist by %s", group.pk, user.pk, by)
    return membership


def _close(membership: Membership, reason: str) -> None:
    membership.left_at = timezone.now()
    membership.left_reason = reason[:200]
    membership.save(update_fields=["left_at", "left_reason"])


def _lock_current(membership: Membership) -> Membership:
    locked = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=membership.pk)
    )
    if not locked.is_current:
        raise GroupsError(_("This membership has already ended."))
    return locked


def move_member(*, membership: Membership, to_group: Group, by: User | None) -> Membership:
    """Close the membership and open one in ``to_group``, keeping topics and about text."""
    with transaction.atomic():
        old = _lock_current(membership)
        if old.group_id == to_group.pk:
            raise GroupsError(_("The member is already in this group."))
        to_group = _lock_group(to_group)
        if to_group.memberships.current().filter(user_id=old.user_id).exists():
            raise GroupsError(_("The member is already in this group."))
        with translation.override(settings.LANGUAGE_CODE):
            _close(old, _("Moved to %(group)s") % {"group": to_group.name})
        new = Membership.objects.create(
            group=to_group,
            user=old.user,
            application=old.application,
            topics=old.topics,
            about=old.about,
        )
        _claim_for_members(EmailKind.WELCOME, [new])
        events.send_on_commit(
            events.membership_closed, group_id=old.group_id, membership_ids=[old.pk]
        )
        events.send_on_commit(
            events.membership_opened, group_id=to_group.pk, membership_ids=[new.pk]
        )
    logger.info("membership %s moved to group %s by %s", old.pk, to_group.pk, by)
    return new


def leave_group(*, membership: Membership, reason: str = "") -> Membership:
    """The member leaves: the group and the organisers are told, the organiser also why.

    The ``membership_closed`` event re-plans the hot seats and takes the group's meetings
    out of the member's feed and calendar (meetings/receivers.py).
    """
    with transaction.atomic():
        membership = _lock_current(membership)
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Left the group themselves")
        _close(membership, f"{text}: {reason.strip()}" if reason.strip() else text)
        _tell_group_a_member_left(membership)
        _tell_organisers_a_member_left(membership)
        events.send_on_commit(
            events.membership_closed, group_id=membership.group_id, membership_ids=[membership.pk]
        )
    return membership


def update_group(*, group: Group, **fields) -> list[str]:
    """Change the group's own fields (name, description, video link); returns what changed.

    Meetings re-issues the calendar events that show them (``events.group_changed``).
    """
    changed = [name for name, value in fields.items() if getattr(group, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(group, name, fields[name])
    group.full_clean(exclude=[f.name for f in Group._meta.fields if f.name not in changed])
    with transaction.atomic():
        group.save(update_fields=changed)
        events.send_changed_on_commit(group_id=group.pk, fields=changed)
    return changed


def end_group(*, group: Group) -> Group:
    """Mark the group ended, close every current membership and tell each member once.

    The ``group_ended`` event cancels the group's future meetings and stops its series
    (meetings/receivers.py); members get this one email, not one per meeting.
    """
    with transaction.atomic():
        group = _lock_group(group)
        now = timezone.now()
        group.status = GroupStatus.ENDED
        group.ended_at = now
        group.save(update_fields=["status", "ended_at"])
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("The group ended")
        closing = list(group.memberships.current(now).select_related("user"))
        Membership.objects.filter(pk__in=[m.pk for m in closing]).update(
            left_at=now, left_reason=reason
        )
        _claim_for_members(EmailKind.GROUP_ENDED, closing)
        events.send_on_commit(
            events.group_ended, group_id=group.pk, membership_ids=[m.pk for m in closing]
        )
    return group


def close_memberships_of_deleted_account(*, user: User, now) -> None:
    """Account deletion: close the person's memberships and tell each group, anonymously."""
    open_memberships = list(
        Membership.objects.select_for_update().filter(user=user, left_at__isnull=True)
    )
    for membership in open_memberships:
        membership.left_at = now
        membership.left_reason = "account deleted"
        membership.save(update_fields=["left_at", "left_reason"])
    Membership.objects.filter(user=user).update(topics=[], about="")
    for membership in open_memberships:
        _tell_group_a_member_left(membership)
        _tell_organisers_a_member_left(membership)
        events.send_on_commit(
            events.membership_closed, group_id=membership.group_id, membership_ids=[membership.pk]
        )


def _tell_group_a_member_left(membership: Membership) -> None:
    others = Membership.objects.current().filter(group_id=membership.group_id)
    for other in others.select_related("user"):
        outbox.claim(
            kind=EmailKind.MEMBER_LEFT,
            dedup_key=EmailKind.MEMBER_LEFT.key(membership.pk, other.user_id),
            email=other.user.email,
            user=other.user,
            **outbox.about(membership),
        )


def organiser_recipients() -> list[tuple[User | None, str]]:
    """Who hears about changes in the groups: ``ORGANISER_EMAILS``, else the active staff."""
    if settings.ORGANISER_EMAILS:
        return [(None, email) for email in settings.ORGANISER_EMAILS]
    staff = User.objects.filter(is_staff=True, is_active=True).order_by("pk")
    return [(user, user.email) for user in staff]


def _address_token(email: str) -> str:
    """An address in a dedup key: short and fixed length, whatever the address."""
    return "e" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def _tell_organisers_a_member_left(membership: Membership) -> None:
    kind = EmailKind.MEMBER_LEFT_ORGANISER
    outbox.claim_many(
        Notification(
            kind=kind,
            dedup_key=kind.key(membership.pk, user.pk if user else _address_token(email)),
            user=user,
            email=email,
            **outbox.about(membership),
        )
        for user, email in organiser_recipients()
    )
