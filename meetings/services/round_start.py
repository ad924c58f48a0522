"""From the proposal to running groups: create the groups *with* their schedules, at once.

The organiser confirms one page: for each proposed group the evening it was formed around
(the proposal's suggested slot, converted from the intake's zone into the zone most of its
members live in), the intake's interval and duration, and a first date picked once for all
groups (each group starts on the first of its weekdays on or after that date). Global pauses
and the chosen holiday region apply as for any schedule. Groups, memberships, schedules,
meetings, agendas (copies of the intake's template) and the hot-seat rotation are written
in one transaction, so the welcome emails (built when they are sent) already carry the
first dates and the hot-seat order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import services as group_services
from groups.models import Application, Group, Intake
from groups.services.proposals import reference_date
from groups.slots import convert_slot, parse_slot
from meetings.models import Schedule
from meetings.services.agenda import intake_hot_seats
from meetings.services.schedule import pauses_for, save_schedule, series_for

# The fields of a schedule the organiser sets on the confirmation page.
SCHEDULE_FIELDS = (
    "weekday",
    "start_time",
    "time_zone",
    "every_weeks",
    "duration_minutes",
    "first_date",
    "holiday_region",
)
PREVIEW_DATES = 3
LEAD_DAYS = 7  # the default first date: the group's weekday at least a week ahead


class RoundStartError(Exception):
    """The groups cannot be created as confirmed (the message says why)."""


@dataclass
class PlannedGroup:
    index: int
    members: list[Application]
    initial: dict  # the schedule fields, as the confirmation form's initial data


def local_today(intake: Intake, now: dt.datetime) -> dt.date:
    return timezone.localtime(now, zoneinfo.ZoneInfo(intake.time_zone)).date()


def default_start(intake: Intake, now: dt.datetime) -> dt.date:
    return local_today(intake, now) + dt.timedelta(days=LEAD_DAYS)


def first_weekday_on_or_after(start: dt.date, weekday: int) -> dt.date:
    return start + dt.timedelta(days=(weekday - start.weekday()) % 7)


def proposal_fingerprint(intake: Intake) -> str:
    """Changes whenever the proposed groups change, so a stale confirmation is refused."""
    groups = (intake.proposal or {}).get("groups") or []
    text = "|".join(",".join(map(str, sorted(g["members"]))) for g in groups)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def members_zone(members: list[Application], fallback: str) -> str:
    """The zone most members live in; the intake's zone wins a tie it takes part in."""
    counts = Counter(app.time_zone for app in members)
    if not counts:
        return fallback
    best = max(counts.values())
    leaders = sorted(zone for zone, n in counts.items() if n == best)
    return fallback if fallback in leaders else leaders[0]


def planned_groups(*, intake: Intake, start: dt.date) -> list[PlannedGroup]:
    """Each proposed group with the schedule it was formed around, starting on ``start``."""
    groups = (intake.proposal or {}).get("groups") or []
    ids = [pk for g in groups for pk in g["members"]]
    apps = Application.objects.in_bulk(ids)
    return [
        _planned(index, [apps[pk] for pk in g["members"] if pk in apps], g, intake, start)
        for index, g in enumerate(groups)
    ]


def _planned(index, members, plan, intake, start) -> PlannedGroup:
    zone = members_zone(members, intake.time_zone)
    weekday, start_time = intake.meeting_weekday, intake.meeting_start_time
    if slot := plan.get("suggested_slot"):
        there = convert_slot(
            slot, from_zone=intake.time_zone, to_zone=zone, reference=reference_date(intake)
        )
        if parsed := parse_slot(there or ""):
            weekday, start_time = parsed[0], dt.time(parsed[1], parsed[2])
    initial = {
        "weekday": weekday,
        "start_time": start_time,
        "time_zone": zone,
        "every_weeks": intake.meeting_every_weeks,
        "duration_minutes": intake.meeting_duration_minutes,
        "first_date": first_weekday_on_or_after(start, weekday),
        "holiday_region": "",
    }
    return PlannedGroup(index=index, members=members, initial=initial)


def first_meetings(
    data: dict, *, now: dt.datetime, pauses=None, count: int = PREVIEW_DATES
) -> list:
    """The first ``count`` evenings (aware starts) a new group with this schedule meets."""
    schedule = Schedule(**{name: data[name] for name in SCHEDULE_FIELDS})
    if pauses is None:
        pauses = pauses_for(group=None)
    series = series_for(schedule=schedule, now=now, pauses=pauses)
    return [occ.starts_at for occ in series if occ.is_held][:count]


def first_meetings_of(schedules: list[dict | None], *, now: dt.datetime) -> list[list]:
    """:func:`first_meetings` of each schedule (``None`` for one that is not valid: [])."""
    pauses = pauses_for(group=None)
    return [first_meetings(s, now=now, pauses=pauses) if s else [] for s in schedules]


def create_groups_with_schedules(
    *, intake: Intake, by, schedules: list[dict], fingerprint: str, now: dt.datetime | None = None
) -> list[Group]:
    """Create the proposal's groups, each with its confirmed schedule, in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        if locked.groups_created_at is None and fingerprint != proposal_fingerprint(locked):
            raise RoundStartError(
                _("The proposal changed since this page was opened. Check the schedules again.")
            )
        groups = group_services.create_groups(intake=locked, by=by)
        if len(groups) != len(schedules):
            raise RoundStartError(_("Every proposed group needs a schedule."))
        # Each group's agenda is a copy of the intake's template (ensure_agenda), so it
        # gets as many hot seats per meeting as the template has hot-seat blocks.
        hot_seats = intake_hot_seats(locked.pk)
        for group, data in zip(groups, schedules, strict=True):
            fields = {name: data[name] for name in SCHEDULE_FIELDS}
            schedule = Schedule(group=group, hot_seats=hot_seats, **fields)
            save_schedule(schedule=schedule, now=now)
    return groups
