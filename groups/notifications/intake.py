"""Outbox builders for the intake's emails (see mastermind/outbox.py).

Each builder loads fresh state and decides at send time: an application already
confirmed gets no confirmation email, an announcement after the deadline is expired,
and a decision that changed since it was claimed is skipped (the organiser sends the
new one deliberately).
"""

from django.urls import reverse
from django.utils import timezone

from groups import signing
from groups.models import Application, Intake, InterestSignup
from mastermind import outbox
from mastermind.core.mail import Email, absolute_url
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification

APPLICATION_CONFIRM = EmailKind.APPLICATION_CONFIRM
APPLICATION_EDIT_LINK = EmailKind.APPLICATION_EDIT_LINK
INTEREST_CONFIRM = EmailKind.INTEREST_CONFIRM
INTAKE_ANNOUNCEMENT = EmailKind.INTAKE_ANNOUNCEMENT
DECISION = EmailKind.DECISION


def manage_urls(application: Application) -> dict[str, str]:
    token = signing.make(signing.APPLICATION_MANAGE, pk=application.pk, email=application.email)
    return {
        "edit_url": absolute_url(reverse("groups:application_edit", args=[token])),
        "withdraw_url": absolute_url(reverse("groups:application_withdraw", args=[token])),
    }


def _application_email(application: Application, template: str, **context) -> Email:
    return Email(
        template=f"groups/email/{template}",
        to=application.email,
        context={"application": application, "intake": application.intake, **context},
        language=application.language,
        time_zone=application.time_zone,
    )


def _fresh_application(notification: Notification) -> Application | None:
    return Application.objects.select_related("intake").filter(pk=notification.subject_id).first()


@outbox.register(APPLICATION_CONFIRM)
def build_application_confirm(notification: Notification) -> Email | None:
    application = _fresh_application(notification)
    if application is None or application.confirmed_at is not None:
        return None
    token = signing.make(signing.APPLICATION_CONFIRM, pk=application.pk, email=application.email)
    confirm_url = absolute_url(reverse("groups:application_confirm", args=[token]))
    return _application_email(
        application,
        "application_confirm",
        confirm_url=confirm_url,
        open_for_changes=timezone.now() < application.intake.deadline,
        **manage_urls(application),
    )


@outbox.register(APPLICATION_EDIT_LINK)
def build_application_edit_link(notification: Notification) -> Email | None:
    application = _fresh_application(notification)
    if application is None:
        return None
    if timezone.now() >= application.intake.deadline:
        raise outbox.Expired
    return _application_email(application, "application_edit_link", **manage_urls(application))


@outbox.register(DECISION)
def build_decision(notification: Notification) -> Email | None:
    application = _fresh_application(notification)
    if application is None or application.status != notification.payload.get("status"):
        return None
    return _application_email(application, "decision", status=application.status)


def _signup(notification: Notification) -> InterestSignup | None:
    return InterestSignup.objects.filter(pk=notification.payload.get("signup")).first()


@outbox.register(INTEREST_CONFIRM)
def build_interest_confirm(notification: Notification) -> Email | None:
    signup = _signup(notification)
    if signup is None or signup.confirmed_at is not None:
        return None
    token = signing.make(signing.INTEREST_CONFIRM, pk=signup.pk, email=signup.email)
    return Email(
        template="groups/email/interest_confirm",
        to=signup.email,
        context={"confirm_url": absolute_url(reverse("groups:interest_confirm", args=[token]))},
        language=signup.language,
    )


@outbox.register(INTAKE_ANNOUNCEMENT)
def build_intake_announcement(notification: Notification) -> Email | None:
    signup = _signup(notification)
    if signup is None or signup.confirmed_at is None or signup.unsubscribed_at is not None:
        return None
    intake = Intake.objects.filter(pk=notification.subject_id).first()
    if intake is None:
        return None
    if timezone.now() >= intake.deadline:
        raise outbox.Expired
    token = signing.make(signing.INTEREST_UNSUBSCRIBE, pk=signup.pk, email=signup.email)
    unsubscribe_url = absolute_url(reverse("groups:interest_unsubscribe", args=[token]))
    return Email(
        template="groups/email/intake_announcement",
        to=signup.email,
        context={
            "intake": intake,
            "intake_url": absolute_url(intake.get_absolute_url()),
            "unsubscribe_url": unsubscribe_url,
        },
        language=signup.language,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
