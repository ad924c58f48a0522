"""Read-only queries for the groups app."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from groups.models import (
    ApplicationStatus,
    Group,
    GroupStatus,
    Intake,
    Membership,
    current_membership_q,
)


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


CONFIRMED = Q(applications__confirmed_at__isnull=False, applications__withdrawn_at__isnull=True)


def _funnel_counts() -> dict:
    """Counts over one join of intakes and applications: each row is one application."""
    confirmed = CONFIRMED

    def status(value: str) -> Q:
        return confirmed & Q(applications__status=value)

    return {
        "n_applied": Count("applications"),
        "n_confirmed": Count("applications", filter=confirmed),
        "n_accepted": Count("applications", filter=status(ApplicationStatus.ACCEPTED)),
        "n_waitlisted": Count("applications", filter=status(ApplicationStatus.WAITLISTED)),
    }


def intakes_to_act_on(*, now: dt.datetime):
    """The round's intakes with confirmed applications waiting for a decision
    (``n_undecided``) or decided but not emailed (``n_unsent``), earliest deadline first:
    one query."""
    undecided = CONFIRMED & Q(applications__status=ApplicationStatus.NEW)
    unsent = CONFIRMED & ~Q(applications__status=ApplicationStatus.NEW)
    unsent &= ~Q(applications__decision_sent_status=F("applications__status"))
    return (
        Intake.objects.filter(deadline__gte=now - dt.timedelta(days=RECENT_INTAKE_DAYS))
        .annotate(n_undecided=Count("applications", filter=undecided))
        .annotate(n_unsent=Count("applications", filter=unsent))
        .filter(Q(n_undecided__gt=0) | Q(n_unsent__gt=0))
        .order_by("deadline", "pk")
    )


def _placed(intakes: list[Intake]) -> dict[int, int]:
    """Applications that became a membership, per intake (a second query, grouped)."""
    rows = (
        Membership.objects.filter(application__intake__in=intakes)
        .values("application__intake")
        .annotate(n=Count("application", distinct=True))
        .order_by()
    )
    return {row["application__intake"]: row["n"] for row in rows}


def _phase(intake: Intake, now: dt.datetime) -> str:
    if intake.groups_created_at:
        return "grouped"
    if now < intake.opens_at:
        return "upcoming"
    return "open" if now < intake.deadline else "closed"


def intake_funnels(*, now: dt.datetime | None = None) -> list[Funnel]:
    """The round's intakes (deadline ahead or in the last 90 days), latest deadline first,
    each with its funnel: two queries, whatever the number of applications."""
    now = now or timezone.now()
    intakes = list(
        Intake.objects.filter(deadline__gte=now - dt.timedelta(days=RECENT_INTAKE_DAYS))
        .annotate(**_funnel_counts())
        .order_by("-deadline", "-pk")
    )
    placed = _placed(intakes) if intakes else {}
    return [
        Funnel(
            intake=intake,
            applied=intake.n_applied,
            confirmed=intake.n_confirmed,
            accepted=intake.n_accepted,
            placed=placed.get(intake.pk, 0),
            waitlisted=intake.n_waitlisted,
            phase=_phase(intake, now),
        )
        for intake in intakes
    ]


# How long after a term's end its free places are offered (attention list, proposal page).
FREE_PLACES_DAYS = 30


def groups_with_free_places(*, now: dt.datetime | None = None) -> QuerySet[Group]:
    """Active groups whose term ended in the last ``FREE_PLACES_DAYS`` and that are below
    their capacity, annotated ``n_current``, ``capacity`` and ``n_free``; one query.

    Capacity as ``services.group_capacity``: the intake's maximum, 5 without an intake.
    """
    now = now or timezone.now()
    return (
        Group.objects.filter(
            status=GroupStatus.ACTIVE,
            term_renewed_at__gte=now - dt.timedelta(days=FREE_PLACES_DAYS),
        )
        .annotate(
            n_current=Count(
                "memberships", filter=current_membership_q(now, prefix="memberships__")
            ),
            capacity=Coalesce("intake__max_group_size", 5),
            n_free=F("capacity") - F("n_current"),
        )
        .filter(n_current__lt=F("capacity"))
        .order_by("name", "pk")
    )
