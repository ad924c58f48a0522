"""Services for the intake: applications with double opt-in, the interest list, decisions.

Guarantees
----------
* One application per intake and email (case-insensitive), enforced by the database:
  the insert runs in a savepoint, and a unique-constraint conflict (a second tab, a
  double click, a race between two web processes) becomes "you applied already".
  Either way the visitor sees the same answer, so nobody can probe who applied.
* Every email is claimed in the outbox under a dedup key. Keys for confirmation and
  edit-link emails carry a time bucket: a double submit inside the bucket sends one
  email, and a deliberate retry later sends a fresh one.
* The deadline is checked here, on the server, with ``Intake.is_open`` (exact to the
  microsecond, in UTC, so daylight-saving changes cannot shift it).
* Decisions are claimed as ``decision:<application>:<revision>``; running "send
  decisions" twice sends nothing the second time, and a changed decision is sent again
  only under a new revision.
"""

import datetime as dt
import enum
from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from groups import signing
from groups.models import Application, ApplicationStatus, Intake, InterestSignup, Membership
from groups.notifications.intake import (
    APPLICATION_CONFIRM,
    APPLICATION_EDIT_LINK,
    DECISION,
    INTAKE_ANNOUNCEMENT,
    INTEREST_CONFIRM,
)
from mastermind import outbox
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification

EDITABLE_FIELDS = (
    "name", "about", "topics", "topics_other", "expectations", "availability",
    "time_zone", "language",
)  # fmt: skip
RESEND_BUCKET = dt.timedelta(minutes=15)
INTEREST_RESEND_BUCKET = dt.timedelta(hours=1)


class IntakeClosed(Exception):
    """The intake is not taking applications (not open yet, or past the deadline)."""

    def __init__(self, intake: Intake, now: dt.datetime):
        self.not_open_yet = now < intake.opens_at
        super().__init__("not open yet" if self.not_open_yet else "deadline passed")


class ApplicationPlaced(Exception):
    """The application led to a place in a group: it no longer changes anything.

    Withdrawing it would not take the person out of the group (the membership is what
    counts from then on); leaving the group is the way out, signed in, so that the group
    and the organiser are told (:func:`groups.services.leave_group`).
    """

    def __init__(self, membership: Membership):
        self.membership = membership
        super().__init__(f"application led to membership {membership.pk}")


def placement(application: Application) -> Membership | None:
    """The membership the application led to: the current one, else the latest; or None."""
    memberships = list(
        Membership.objects.filter(application=application)
        .select_related("group")
        .order_by("-joined_at", "-pk")
    )
    current = [m for m in memberships if m.is_current]
    return (current or memberships or [None])[0]


def _check_not_placed(application: Application) -> None:
    if (membership := placement(application)) is not None:
        raise ApplicationPlaced(membership)


class Submitted(enum.StrEnum):
    CREATED = "created"
    EXISTING = "existing"


def _bucket(now: dt.datetime, size: dt.timedelta) -> int:
    return int(now.timestamp() // size.total_seconds())


def _check_open(intake: Intake, now: dt.datetime) -> None:
    if not intake.is_open(now):
        raise IntakeClosed(intake, now)


def submit_application(
    *, intake: Intake, data: Mapping, now: dt.datetime | None = None
) -> Submitted:
    """Save a new application and email the confirmation link, or email the existing one's link."""
    now = now or timezone.now()
    _check_open(intake, now)
    email = data["email"].strip().lower()
    fields = {name: data[name] for name in EDITABLE_FIELDS}
    with transaction.atomic():
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    intake=intake,
                    email=email,
                    consent_version=settings.PRIVACY_NOTICE_VERSION,
                    consented_at=now,
                    **fields,
                )
        except IntegrityError:
            existing = Application.objects.filter(intake=intake, email__iexact=email).first()
            if existing is not None:
                _remind_existing(existing, now)
            return Submitted.EXISTING
        _claim_application_email(APPLICATION_CONFIRM, application, now)
    return Submitted.CREATED


def _remind_existing(application: Application, now: dt.datetime) -> None:
    """Someone applied again with the same email: send them their link, never a second row."""
    if application.confirmed_at is None:
        if application.created_at > now - RESEND_BUCKET:
            return  # a double submit: the first confirmation email is on its way
        _claim_application_email(APPLICATION_CONFIRM, application, now)
    else:
        _claim_application_email(APPLICATION_EDIT_LINK, application, now)


def _claim_application_email(kind: str, application: Application, now: dt.datetime) -> None:
    outbox.claim(
        kind=kind,
        dedup_key=EmailKind(kind).key(application.pk, _bucket(now, RESEND_BUCKET)),
        email=application.email,
        **outbox.about(application),
    )


def confirm_application(*, token: str, now: dt.datetime | None = None) -> Application:
    """Mark the email confirmed. Works after the deadline, too: the application was on time."""
    now = now or timezone.now()
    claim = signing.read(signing.APPLICATION_CONFIRM, token, max_age=signing.CONFIRM_MAX_AGE)
    application = _find_application(claim)
    if application.confirmed_at is None:
        Application.objects.filter(pk=application.pk, confirmed_at__isnull=True).update(
            confirmed_at=now, updated_at=now
        )
        application.refresh_from_db()
    return application


def application_for_manage_token(*, token: str) -> Application:
    """The application an edit/withdraw link names; raises signing.BadToken."""
    return _find_application(signing.read(signing.APPLICATION_MANAGE, token))


def _find_application(claim: signing.Claim) -> Application:
    application = (
        Application.objects.select_related("intake")
        .filter(pk=claim.pk, email__iexact=claim.email)
        .first()
    )
    if application is None:
        raise signing.BadToken
    return application


def update_application(
    *, application: Application, data: Mapping, now: dt.datetime | None = None
) -> Application:
    """Change an application until the deadline. Using the emailed link proves the address.

    Once it has led to a membership it is history and stays as it is (ApplicationPlaced).
    """
    now = now or timezone.now()
    _check_not_placed(application)
    if now >= application.intake.deadline:
        raise IntakeClosed(application.intake, now)
    for name in EDITABLE_FIELDS:
        setattr(application, name, data[name])
    application.confirmed_at = application.confirmed_at or now
    application.save(update_fields=[*EDITABLE_FIELDS, "confirmed_at", "updated_at"])
    return application


def withdraw_application(*, application: Application, now: dt.datetime | None = None) -> None:
    """Erase the application until the deadline; its emails not sent yet are not sent.

    Refused (ApplicationPlaced) once it has led to a membership: leaving the group is the
    way out then. The notifications log keeps the emails already sent (see delete_applications).
    """
    now = now or timezone.now()
    _check_not_placed(application)
    if now >= application.intake.deadline:
        raise IntakeClosed(application.intake, now)
    delete_applications(applications=Application.objects.filter(pk=application.pk))


def delete_applications(*, applications: QuerySet[Application]) -> int:
    """Delete applications, keeping the notifications log (withdrawal uses this).

    Their log rows are detached rather than deleted with them (``outbox.detach``), so the
    organiser still sees which confirmation and decision emails went out. Erasing an
    account and the retention purge delete the rows with their applications instead.
    """
    with transaction.atomic():
        ids = list(applications.select_for_update().values_list("pk", flat=True))
        outbox.detach(Application, ids)
        Application.objects.filter(pk__in=ids).delete()
    return len(ids)


def set_status(*, applications: QuerySet[Application], status: str) -> int:
    """The organiser's bulk decision. Only confirmed applications can be decided."""
    return applications.confirmed().update(status=status, updated_at=timezone.now())


def decisions_due(applications: QuerySet[Application]) -> QuerySet[Application]:
    """The confirmed, decided applications whose current decision was not sent yet."""
    return (
        Application.objects.filter(pk__in=applications.values("pk"))
        .confirmed()
        .exclude(status=ApplicationStatus.NEW)
        .exclude(decision_sent_status=F("status"))
    )


def decision_counts(applications: QuerySet[Application]) -> dict[str, int]:
    """How many decision emails of each kind ``send_decisions`` would send now."""
    rows = decisions_due(applications).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def send_decisions(*, applications: QuerySet[Application], now: dt.datetime | None = None) -> int:
    """Email each decided applicant whose current decision was not sent yet. Returns the count.

    A decision that changed after it was sent is sent again under a new revision.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(decisions_due(applications).select_for_update().order_by("pk"))
        for application in due:
            if application.decision_sent_status:
                application.decision_revision += 1
            application.decision_sent_status = application.status
            application.decision_sent_at = now
        Application.objects.bulk_update(
            due, ["decision_sent_status", "decision_sent_at", "decision_revision"]
        )
        outbox.claim_many(
            Notification(
                kind=DECISION,
                dedup_key=DECISION.key(a.pk, a.decision_revision),
                email=a.email,
                **outbox.about(a),
                payload={"status": a.status},
            )
            for a in due
        )
    return len(due)


def join_interest_list(*, email: str, language: str, now: dt.datetime | None = None) -> None:
    """Add an address to the interest list and send the confirmation link.

    An address already confirmed gets no email; the visitor sees the same answer.
    """
    now = now or timezone.now()
    email = email.strip().lower()
    with transaction.atomic():
        try:
            with transaction.atomic():
                signup = InterestSignup.objects.create(email=email, language=language)
        except IntegrityError:
            signup = InterestSignup.objects.select_for_update().filter(email__iexact=email).first()
            if signup is None or (signup.confirmed_at and not signup.unsubscribed_at):
                return
            if signup.unsubscribed_at:  # back on the list only after a fresh confirmation
                signup.unsubscribed_at = signup.confirmed_at = None
                signup.language = language
                signup.save(update_fields=["unsubscribed_at", "confirmed_at", "language"])
        outbox.claim(
            kind=INTEREST_CONFIRM,
            dedup_key=INTEREST_CONFIRM.key(signup.pk, _bucket(now, INTEREST_RESEND_BUCKET)),
            email=signup.email,
            payload={"signup": signup.pk},
        )


def _find_signup(claim: signing.Claim) -> InterestSignup | None:
    return InterestSignup.objects.filter(pk=claim.pk, email__iexact=claim.email).first()


def confirm_interest(*, token: str, now: dt.datetime | None = None) -> InterestSignup:
    now = now or timezone.now()
    claim = signing.read(signing.INTEREST_CONFIRM, token, max_age=signing.CONFIRM_MAX_AGE)
    signup = _find_signup(claim)
    if signup is None:
        raise signing.BadToken
    if signup.confirmed_at is None and signup.unsubscribed_at is None:
        InterestSignup.objects.filter(pk=signup.pk, confirmed_at__isnull=True).update(
            confirmed_at=now
        )
        signup.refresh_from_db()
    return signup


def unsubscribe_interest(*, token: str, now: dt.datetime | None = None) -> None:
    """One click, idempotent; an address already gone counts as unsubscribed."""
    now = now or timezone.now()
    claim = signing.read(signing.INTEREST_UNSUBSCRIBE, token)
    InterestSignup.objects.filter(
        pk=claim.pk, email__iexact=claim.email, unsubscribed_at__isnull=True
    ).update(unsubscribed_at=now)


def announce_intake(*, intake: Intake, now: dt.datetime | None = None) -> int:
    """Email the confirmed, subscribed interest list about this intake, once per address."""
    now = now or timezone.now()
    if now >= intake.deadline:
        raise IntakeClosed(intake, now)
    signups = InterestSignup.objects.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).values_list("pk", "email")
    rows = [
        Notification(
            kind=INTAKE_ANNOUNCEMENT,
            dedup_key=INTAKE_ANNOUNCEMENT.key(intake.pk, pk),
            email=email,
            **outbox.about(intake),
            payload={"signup": pk},
        )
        for pk, email in signups
    ]
    with transaction.atomic():
        claimed = set(
            Notification.objects.filter(kind=INTAKE_ANNOUNCEMENT, intake=intake).values_list(
                "dedup_key", flat=True
            )
        )
        outbox.claim_many(rows)
        Intake.objects.filter(pk=intake.pk, announced_at__isnull=True).update(announced_at=now)
    return len([r for r in rows if r.dedup_key not in claimed])
