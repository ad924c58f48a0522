"""What the groups app contributes to the infrastructure (registered in ``ready()``).

* the home page's "open for applications" section;
* the organiser's home: each intake's funnel;
* its part of the personal-data export and of account deletion.
"""

import datetime as dt

from django.db.models.functions import Lower
from django.http import HttpRequest

from groups import selectors, services
from groups.models import Application, Intake, Membership
from mastermind import outbox
from mastermind.accounts.models import User
from mastermind.ops.dashboard import dashboard_hooks
from mastermind.pages import home_sections
from mastermind.privacy import erasers, exporters
from mastermind.privacy.services import iso


@outbox.subject_querysets.register("groups.membership")
def notification_memberships():
    return Membership.objects.select_related("group", "user")


@outbox.subject_querysets.register("groups.application")
def notification_applications():
    return Application.objects.all()


@outbox.subject_querysets.register("groups.intake")
def notification_intakes():
    return Intake.objects.all()


@home_sections.register("open intakes")
def home_open_intakes(request: HttpRequest) -> tuple[str, dict]:
    return "groups/apply/_home_intakes.html", {"intakes": selectors.open_intakes()}


@dashboard_hooks.register("intakes")
def dashboard_intakes(*, request: HttpRequest, now: dt.datetime) -> tuple[str, dict]:
    funnels = selectors.intake_funnels(now=now)
    return "groups/organise/_dashboard_intakes.html", {"dashboard_funnels": funnels}


def _applications_of(user: User):
    return Application.objects.filter(user=user) | Application.objects.annotate(
        email_ci=Lower("email")
    ).filter(email_ci=user.email.lower())


@exporters.register("groups")
def export_groups_data(*, user: User) -> dict:
    return {
        "applications": [
            {
                "intake": a.intake.title,
                "name": a.name,
                "email": a.email,
                "about": a.about,
                "topics": a.all_topics,
                "expectations": a.expectations,
                "availability": a.availability,
                "time_zone": a.time_zone,
                "language": a.language,
                "consent_version": a.consent_version,
                "consented_at": iso(a.consented_at),
                "confirmed_at": iso(a.confirmed_at),
                "status": a.status,
                "applied_at": iso(a.created_at),
            }
            for a in _applications_of(user).select_related("intake").distinct()
        ],
        "memberships": [
            {
                "group": m.group.name,
                "joined_at": iso(m.joined_at),
                "left_at": iso(m.left_at),
                "topics": m.topics,
                "about": m.about,
            }
            for m in Membership.objects.filter(user=user).select_related("group")
        ],
    }


@erasers.register("groups")
def erase_groups_data(*, user: User, now: dt.datetime) -> None:
    services.close_memberships_of_deleted_account(user=user, now=now)
    Application.objects.filter(user=user).delete()
    Application.objects.annotate(email_ci=Lower("email")).filter(
        email_ci=user.email.lower()
    ).delete()
