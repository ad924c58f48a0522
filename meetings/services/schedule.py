"""Keep a group's stored meetings in line with its schedule and the pauses.

The series itself is computed by the pure :mod:`meetings.domain.recurrence`; this module
only matches it against the stored rows, because a row's id is the meeting's calendar UID
and must live as long as the meeting:

* **Past meetings never change** (``starts_at <= now``), nor do rows changed by hand
  (``is_override``) or extra rows without a ``series_date``.
* A future row whose ``series_date`` is still in the series is updated in place: new times
  (``sequence`` += 1, ``time_changed_at``), or ``skipped`` / back to ``scheduled`` when a pause
  or holiday starts or stops covering it (``sequence`` += 1).
* Rows whose date left the series (weekday or interval changed) are reused, in order, for
  new dates of the series nearby (within one interval), so members' calendar entries move
  instead of vanishing; what is left over is marked ``cancelled``, never deleted.
* New dates get new rows; past dates only when the group has no meetings yet (a schedule
  entered after the fact), so an edit does not invent history.
* A future meeting placed by hand keeps its evening: the series puts nothing on its local
  day or at an overlapping time (no two meetings of one group overlap).
* **A term bounds the series.** A group with ``term_ends_on`` meets on the days before it
  (the renewal sweep ends the term at that day's start): its next term's meetings exist
  only once the term has moved on, and ``groups.services.renewal`` then says so through
  ``group_changed(fields=["term_ends_on"])``, on which meetings syncs again
  (``meetings/receivers.py``). A group where nobody continues ends instead and so never
  gets them. Series rows beyond the end (a term shortened by the organiser) are cancelled
  like any date that left the series.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from groups.models import Group, GroupStatus
from meetings.calendar import feed_cache
from meetings.domain.recurrence import Occurrence, PausePeriod, occurrences
from meetings.models import AgendaItem, Meeting, MeetingStatus, Pause, Schedule
from meetings.services.agenda import (  # noqa: F401  (DEFAULT_AGENDA, default_agenda: re-exported)
    DEFAULT_AGENDA,
    default_agenda,
    default_blocks,
    intake_blocks,
    scaled_blocks,
    scaled_minutes,
)
from meetings.services.hot_seat import replan_group
from meetings.services.lifecycle import cancel_meetings_of_ended_group
from meetings.services.meetings import revise_group

SCHEDULE_CHANGED_REASON = "schedule changed"  # stored, not shown: cancel_reason of orphans


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    cancelled: int = 0


def horizon_end(*, schedule: Schedule, now: dt.datetime) -> dt.date:
    local_today = timezone.localtime(now, timezone=_zone(schedule.time_zone)).date()
    return local_today + dt.timedelta(days=settings.MEETING_HORIZON_DAYS)


def pauses_for(*, group: Group) -> list[PausePeriod]:
    rows = Pause.objects.filter(Q(group__isnull=True) | Q(group=group))
    return [PausePeriod(p.name, p.start_date, p.end_date) for p in rows]


def last_day_of_term(schedule: Schedule) -> dt.date | None:
    """The last local day the group meets in its current term; None: no term."""
    if schedule.group_id is None or schedule.group.term_ends_on is None:
        return None
    return schedule.group.term_ends_on - dt.timedelta(days=1)


def series_for(
    *, schedule: Schedule, now: dt.datetime, pauses: list[PausePeriod] | None = None
) -> list[Occurrence]:
    """The schedule's series; ``pauses`` default to the group's and the global ones (pass
    them for a schedule whose group does not exist yet)."""
    if pauses is None:
        pauses = pauses_for(group=schedule.group)
    until = schedule.end_date
    if (last := last_day_of_term(schedule)) is not None:
        until = last if until is None else min(until, last)
    return occurrences(
        first_date=schedule.first_date,
        every_weeks=schedule.every_weeks,
        weekday=schedule.weekday,
        start_time=schedule.start_time,
        duration_minutes=schedule.duration_minutes,
        time_zone=schedule.time_zone,
        until=until,
        horizon_end=horizon_end(schedule=schedule, now=now),
        pauses=pauses,
        holiday_region=schedule.holiday_region or None,
    )


def sync_meetings(
    *, schedule: Schedule, now: dt.datetime | None = None, replan: bool = True
) -> SyncResult:
    """Create, update or cancel the group's future meeting rows to match the schedule.

    An ended group has no series any more: nothing is created, what is left is cancelled.
    A group with a term has its series up to the term's end (see the module docstring).
    """
    now = now or timezone.now()
    status, term_ends_on = Group.objects.values_list("status", "term_ends_on").get(
        pk=schedule.group_id
    )
    schedule.group.term_ends_on = term_ends_on  # the term as stored, not as the caller saw it
    if status == GroupStatus.ENDED:
        return SyncResult(
            cancelled=cancel_meetings_of_ended_group(group_id=schedule.group_id, now=now)
        )
    with transaction.atomic():
        result = _sync(schedule, now)
        if result.created or result.updated or result.cancelled:
            feed_cache.changed(groups=[schedule.group_id])
    if replan:
        replan_group(group=schedule.group, now=now)
    return result


def preview_sync(*, schedule: Schedule, now: dt.datetime | None = None) -> SyncResult:
    """What saving ``schedule`` (edited, not yet saved) would do to the stored meetings.

    Runs the real sync inside a savepoint that is rolled back, so the count is exactly what
    the save will do; emails and calendar updates queued in there are discarded with it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        result = _sync(schedule, now)
        transaction.set_rollback(True)
    return result


def sync_all(*, now: dt.datetime | None = None, groups=None) -> SyncResult:
    """Sync every active group's schedule (or those of ``groups``); the daily task calls this."""
    total = SyncResult()
    schedules = Schedule.objects.select_related("group").filter(group__status=GroupStatus.ACTIVE)
    if groups is not None:
        schedules = schedules.filter(group__in=groups)
    for schedule in schedules:
        result = sync_meetings(schedule=schedule, now=now)
        total.created += result.created
        total.updated += result.updated
        total.cancelled += result.cancelled
    return total


def _sync(schedule: Schedule, now: dt.datetime) -> SyncResult:
    result = SyncResult()
    rows = list(Meeting.objects.select_for_update().filter(group=schedule.group))
    frozen = {r.series_date for r in rows if r.starts_at <= now or r.is_override}
    movable = {
        r.series_date: r
        for r in rows
        if r.starts_at > now and not r.is_override and r.series_date is not None
    }
    backfill = not rows
    taken = _evenings_taken(rows, schedule, now)
    fresh: list[Occurrence] = []
    series = series_for(schedule=schedule, now=now)
    for occ in series:
        if occ.local_date in frozen or (occ.starts_at <= now and not backfill):
            continue
        if taken(occ):
            continue  # a meeting placed by hand keeps its evening; its row may move on
        row = movable.pop(occ.local_date, None)
        if row is None:
            fresh.append(occ)
        elif _apply(row, occ, schedule, now):
            result.updated += 1
    window = dt.timedelta(weeks=schedule.every_weeks)
    orphans = sorted(movable.values(), key=lambda r: r.series_date)
    for occ in fresh:
        while orphans and orphans[0].series_date < occ.local_date - window:
            result.cancelled += _cancel_orphan(orphans.pop(0), now)
        if orphans and orphans[0].series_date <= occ.local_date + window:
            row = orphans.pop(0)
            row.series_date = occ.local_date
            _apply(row, occ, schedule, now)
            result.updated += 1
        else:
            _create(schedule, occ)
            result.created += 1
    for row in orphans:
        result.cancelled += _cancel_orphan(row, now)
    return result


def _evenings_taken(rows: list[Meeting], schedule: Schedule, now: dt.datetime):
    """A test: is this occurrence's evening taken by a future meeting placed by hand?

    Such a meeting (moved by hand, or an extra one) keeps its evening: no series meeting
    is put on the same local day or at an overlapping time, so that after a schedule
    edit (say the weekday moved onto the day a meeting was moved to by hand) the group
    never has two meetings that evening.
    """
    zone = _zone(schedule.time_zone)
    kept = [
        r
        for r in rows
        if r.starts_at > now
        and r.status == MeetingStatus.SCHEDULED
        and (r.is_override or r.series_date is None)
    ]
    days = {timezone.localtime(r.starts_at, timezone=zone).date() for r in kept}

    def taken(occ: Occurrence) -> bool:
        return occ.local_date in days or any(
            r.starts_at < occ.ends_at and occ.starts_at < r.ends_at for r in kept
        )

    return taken


def cancel_series(*, group: Group, now: dt.datetime | None = None) -> int:
    """The schedule was deleted: cancel its future meetings (rows stay, UIDs live on)."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = Meeting.objects.filter(
            group=group, starts_at__gt=now, is_override=False, series_date__isnull=False
        ).exclude(status=MeetingStatus.CANCELLED)
        cancelled = sum(_cancel_orphan(row, now) for row in rows.select_for_update())
        feed_cache.changed(groups=[group.pk])
        replan_group(group=group, now=now)
    return cancelled


def _apply(row: Meeting, occ: Occurrence, schedule: Schedule, now: dt.datetime) -> bool:
    """Make a stored row match its occurrence; True (and saved) if anything changed."""
    status, reason = _status(occ)
    changed_time = row.starts_at != occ.starts_at or row.ends_at != occ.ends_at
    changed_status = row.status != status or row.skip_reason != reason
    if not (changed_time or changed_status or row.time_zone != schedule.time_zone):
        return False
    if changed_time:
        row.time_changed_at = now
    if row.status != status:
        row.status_changed_at = now
    if changed_time or row.status != status:
        row.sequence += 1  # row was just read under select_for_update: not stale
    row.starts_at, row.ends_at = occ.starts_at, occ.ends_at
    row.status, row.skip_reason = status, reason
    row.time_zone = schedule.time_zone
    if status == MeetingStatus.SCHEDULED:
        row.cancel_reason = ""
    row.save()
    return True


def _create(schedule: Schedule, occ: Occurrence) -> Meeting:
    status, reason = _status(occ)
    return Meeting.objects.create(
        group=schedule.group,
        series_date=occ.local_date,
        starts_at=occ.starts_at,
        ends_at=occ.ends_at,
        time_zone=schedule.time_zone,
        status=status,
        skip_reason=reason,
    )


def _cancel_orphan(row: Meeting, now: dt.datetime) -> int:
    if row.status == MeetingStatus.CANCELLED:
        return 0
    was_held = row.status == MeetingStatus.SCHEDULED
    row.status = MeetingStatus.CANCELLED
    row.status_changed_at = now
    row.cancel_reason = SCHEDULE_CHANGED_REASON
    row.sequence += 1
    row.save(
        update_fields=["status", "status_changed_at", "cancel_reason", "sequence", "updated_at"]
    )
    return int(was_held)


def _status(occ: Occurrence) -> tuple[str, str]:
    if occ.skipped_by is None:
        return MeetingStatus.SCHEDULED, ""
    _kind, _sep, name = occ.skipped_by.partition(":")
    return MeetingStatus.SKIPPED, name[:200]


def _zone(name: str):
    return zoneinfo.ZoneInfo(name)


# -- agenda -------------------------------------------------------------------------------


def ensure_agenda(*, group: Group, duration_minutes: int, hot_seats: int = 1) -> None:
    """Give a group its first agenda, or rescale its agenda to a new meeting length.

    The first agenda is a copy of the group's intake's template, or the default agenda
    (one hot-seat block per hot seat) when the intake has none, scaled to the meeting.
    """
    feed_cache.changed(groups=[group.pk])
    items = list(AgendaItem.objects.filter(group=group))
    if not items:
        template = intake_blocks(group.intake_id)
        if template:
            blocks = scaled_blocks(template, duration_minutes)
        else:
            blocks = default_blocks(duration_minutes=duration_minutes, hot_seats=hot_seats)
        AgendaItem.objects.bulk_create(
            AgendaItem(group=group, position=i, title=title, kind=kind, minutes=m)
            for i, (title, kind, m) in enumerate(blocks)
        )
        return
    if sum(item.minutes for item in items) == duration_minutes:
        return
    for item, m in zip(
        items, scaled_minutes([i.minutes for i in items], duration_minutes), strict=True
    ):
        item.minutes = m
    AgendaItem.objects.bulk_update(items, ["minutes"])
    revise_group(group_id=group.pk)  # the events list the agenda's clock times


def save_schedule(*, schedule: Schedule, now: dt.datetime | None = None) -> SyncResult:
    """Save a (new or edited) schedule, fit the agenda to it and sync its meetings."""
    with transaction.atomic():
        schedule.save()
        ensure_agenda(
            group=schedule.group,
            duration_minutes=schedule.duration_minutes,
            hot_seats=schedule.hot_seats,
        )
    return sync_meetings(schedule=schedule, now=now)


def sync_after_pause_change(*, group: Group | None, now: dt.datetime | None = None) -> SyncResult:
    """A pause was added, edited or removed: sync the groups it concerns (all for global)."""
    return sync_all(now=now, groups=None if group is None else [group])
