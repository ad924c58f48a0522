"""Read-only queries for the groups app."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from groups.models import Intake


def open_intakes(*, now: dt.datetime | None = None) -> QuerySet[Intake]:
    """Intakes taking applications now (opens_at <= now < deadline), soonest deadline first."""
    now = now or timezone.now()
    return Intake.objects.filter(opens_at__lte=now, deadline__gt=now).order_by("deadline", "pk")


def upcoming_intakes(*, now: dt.datetime | None = None) -> QuerySet[Intake]:
    """Intakes announced but not open yet, soonest first."""
    now = now or timezone.now()
    return Intake.objects.filter(opens_at__gt=now).order_by("opens_at", "pk")
