"""The organiser's home, groups section: every active group at a glance.

Per group: its current members, the next meeting with its presenters (in the organiser's
time zone, named; the group's own local time too when its zone differs), whether it has a
schedule (and meetings ahead), and its health over the last held meetings as three small
charts (:mod:`meetings.health`, :mod:`meetings.dashboard.charts`). Groups that need
something come first. A fixed number of queries (nine), whatever the number of groups.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from groups.models import Group, GroupStatus, Membership
from mastermind.accounts.models import User
from mastermind.core.timezones import local_text
from meetings import schedule_text
from meetings.dashboard import charts
from meetings.domain.health import LOW_ATTENDANCE_PERCENT
from meetings.health import GroupHealth, group_health, member_at, memberships_of
from meetings.models import HotSeat, Meeting, MeetingStatus, Schedule

# Bars under this share of hot seats prepared or commitments done are marked (visual only).
LOW_SHARE_PERCENT = 50
# A primary key no row has, to reverse each URL once per page rather than once per row.
_SLOT = 987_654_321


def url_maker(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many pks at the cost of one ``reverse``."""
    head, tail = reverse(name, args=[_SLOT]).split(str(_SLOT))
    return lambda pk: f"{head}{pk}{tail}"


class RowLinks:
    """The URLs of a group row's next tasks, each pattern reversed once per page."""

    def __init__(self) -> None:
        self.group = url_maker("admin:groups_group_change")
        self.manage = url_maker("groups:group_manage")
        self.meeting = url_maker("admin:meetings_meeting_change")
        self.schedule = url_maker("admin:meetings_schedule_change")
        self.meetings = reverse("admin:meetings_meeting_changelist")
        self.add_schedule = reverse("admin:meetings_schedule_add")

    def of(self, group: Group, schedule: Schedule | None, next_meeting) -> dict[str, str]:
        links = {
            "group": self.group(group.pk),
            "manage": self.manage(group.pk),
            "meetings": f"{self.meetings}?group__id__exact={group.pk}",
            "add_schedule": f"{self.add_schedule}?group={group.pk}",
        }
        if schedule is not None:
            links["schedule"] = self.schedule(schedule.pk)
        if next_meeting is not None:
            links["next_meeting"] = self.meeting(next_meeting.pk)
        return links


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString
    total: str  # the window's figure as text: "83 % (20 of 24)"


@dataclass
class GroupRow:
    group: Group
    members: list[User]
    schedule: Schedule | None
    next_meeting: Meeting | None
    presenters: list[User]
    health: GroupHealth
    charts: list[Chart] = field(default_factory=list)
    schedule_summary: str = ""
    next_text: str = ""
    group_time_text: str = ""  # the next meeting in the group's zone, if not the viewer's
    links: dict[str, str] = field(default_factory=dict)

    @property
    def schedule_missing(self) -> bool:
        return self.schedule is None

    @property
    def nothing_planned(self) -> bool:
        return self.schedule is not None and self.next_meeting is None

    @property
    def flagged(self) -> bool:
        return self.schedule is None or self.next_meeting is None or self.health.needs_attention


def _next_meetings(group_ids: list[int], now: dt.datetime) -> dict[int, Meeting]:
    """Each group's next meeting that takes place, with its presenters (two queries)."""
    seats = HotSeat.objects.select_related("user").order_by("pk")
    meetings = (
        Meeting.objects.filter(
            group_id__in=group_ids, status=MeetingStatus.SCHEDULED, starts_at__gt=now
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=F("group_id"), order_by=[F("starts_at"), F("pk")])
        )
        .filter(rank=1)
        .prefetch_related(Prefetch("hot_seats", queryset=seats))
    )
    return {meeting.group_id: meeting for meeting in meetings}


def _current_members(memberships: list[Membership], now: dt.datetime) -> dict[int, list[User]]:
    members: dict[int, list[User]] = defaultdict(list)
    ordered = sorted(memberships, key=lambda m: (m.joined_at, m.pk))
    for membership in ordered:
        if member_at(membership, now):
            members[membership.group_id].append(membership.user)
    return members


def meeting_text(moment: dt.datetime, zone: str) -> str:
    """ "Di, 12.01.2027 19:00 (Europe/Berlin)": weekday, date and time in ``zone``, named."""
    return _("%(weekday)s, %(time)s (%(zone)s)") % {
        "weekday": date_format(moment.astimezone(zoneinfo.ZoneInfo(zone)), "D"),
        "time": local_text(moment, zone),
        "zone": zone,
    }


def health_charts(health: GroupHealth, pattern: str | None = None) -> list[Chart]:
    """The three charts of a group's health, each with its total as text."""
    figures = health.health.meetings
    dates = [date_format(timezone.localtime(f.starts_at), "SHORT_DATE_FORMAT") for f in figures]
    pattern = pattern or charts.share_format()

    def chart(title: str, attribute: str, low_below: int, guide: bool) -> Chart:
        points = [
            charts.Point(label, getattr(f, attribute))
            for label, f in zip(dates, figures, strict=True)
        ]
        svg = charts.spark(
            title=title, points=points, low_below=low_below, guide=guide, pattern=pattern
        )
        return Chart(title, svg, charts.share_text(getattr(health.health, attribute), pattern))

    return [
        chart(_("Attendance"), "attendance", LOW_ATTENDANCE_PERCENT, True),
        chart(_("Hot seats prepared"), "preparation", LOW_SHARE_PERCENT, False),
        chart(_("Commitments done"), "commitments", LOW_SHARE_PERCENT, False),
    ]


def _row(group, members, next_meeting, health, viewer_zone: str, links: RowLinks) -> GroupRow:
    schedule = getattr(group, "schedule", None)  # selected with the group: no query
    row = GroupRow(
        group=group,
        members=members,
        schedule=schedule,
        next_meeting=next_meeting,
        presenters=[seat.user for seat in next_meeting.hot_seats.all()] if next_meeting else [],
        health=health,
        charts=health_charts(health),
        schedule_summary=schedule_text.describe(schedule) if schedule else "",
        links=links.of(group, schedule, next_meeting),
    )
    if next_meeting is not None:
        row.next_text = meeting_text(next_meeting.starts_at, viewer_zone)
        if next_meeting.time_zone != viewer_zone:
            row.group_time_text = meeting_text(next_meeting.starts_at, next_meeting.time_zone)
    return row


def group_rows(*, now: dt.datetime | None = None) -> list[GroupRow]:
    """Every active group, those that need something first, then by name."""
    now = now or timezone.now()
    groups = list(
        Group.objects.filter(status=GroupStatus.ACTIVE)
        .select_related("schedule")
        .order_by("name", "pk")
    )
    ids = [group.pk for group in groups]
    memberships = memberships_of(ids)
    members, upcoming = _current_members(memberships, now), _next_meetings(ids, now)
    healths = group_health(group_ids=ids, now=now, memberships=memberships)
    zone, links = timezone.get_current_timezone_name(), RowLinks()
    rows = [
        _row(group, members[group.pk], upcoming.get(group.pk), healths[group.pk], zone, links)
        for group in groups
    ]
    return sorted(rows, key=lambda row: not row.flagged)  # stable: by name within


def dashboard_context(*, now: dt.datetime | None = None) -> dict:
    rows = group_rows(now=now)
    return {
        "dashboard_groups": rows,
        "dashboard_without_schedule": sum(1 for row in rows if row.schedule_missing),
        "dashboard_needing_attention": sum(1 for row in rows if row.health.needs_attention),
    }
