"""Read-only queries for the groups app."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from groups.models import ApplicationStatus, Intake


def open_intakes(*, now: dt.datetime | None = None) -> QuerySet[Intake]:
    """Intakes taking applications now (opens_at <= now < deadline), soonest deadline first."""
    now = now or timezone.now()
    return Intake.objects.filter(opens_at__lte=now, deadline__gt=now).order_by("deadline", "pk")


def upcoming_intakes(*, now: dt.datetime | None = None) -> QuerySet[Intake]:
    """Intakes announced but not open yet, soonest first."""
    now = now or timezone.now()
    return Intake.objects.filter(opens_at__gt=now).order_by("opens_at", "pk")


# Intakes whose deadline lies this far back still belong to the round on the organiser's home.
RECENT_INTAKE_DAYS = 90


@dataclass(frozen=True)
class Funnel:
    """One intake's applications, stage by stage (each stage counts distinct applications).

    applied: every application received; confirmed: email confirmed and not withdrawn;
    accepted and waitlisted: confirmed ones with that status; placed: applications that
    became a membership of a group.
    """

    intake: Intake
    applied: int
    confirmed: int
    accepted: int
    placed: int
    waitlisted: int
    phase: str  # "upcoming", "open", "closed" (groups not created yet) or "grouped"


def _funnel_counts() -> dict:
    confirmed = Q(applications__confirmed_at__isnull=False, applications__withdrawn_at__isnull=True)

    def count(condition: Q | None = None) -> Count:
        return Count("applications", filter=condition, distinct=True)

    return {
        "n_applied": count(),
        "n_confirmed": count(confirmed),
        "n_accepted": count(confirmed & Q(applications__status=ApplicationStatus.ACCEPTED)),
        "n_placed": count(Q(applications__memberships__isnull=False)),
        "n_waitlisted": count(confirmed & Q(applications__status=ApplicationStatus.WAITLISTED)),
    }


def _phase(intake: Intake, now: dt.datetime) -> str:
    if intake.groups_created_at:
        return "grouped"
    if now < intake.opens_at:
        return "upcoming"
    return "open" if now < intake.deadline else "closed"


def intake_funnels(*, now: dt.datetime | None = None) -> list[Funnel]:
    """The round's intakes (deadline ahead or in the last 90 days), latest deadline first,
    each with its funnel: one query, whatever the number of applications."""
    now = now or timezone.now()
    intakes = (
        Intake.objects.filter(deadline__gte=now - dt.timedelta(days=RECENT_INTAKE_DAYS))
        .annotate(**_funnel_counts())
        .order_by("-deadline", "-pk")
    )
    return [
        Funnel(
            intake=intake,
            applied=intake.n_applied,
            confirmed=intake.n_confirmed,
            accepted=intake.n_accepted,
            placed=intake.n_placed,
            waitlisted=intake.n_waitlisted,
            phase=_phase(intake, now),
        )
        for intake in intakes
    ]
