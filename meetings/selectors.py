"""Read-only queries for meeting pages. Each page loads in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Group, GroupStatus, Membership
from mastermind.accounts.models import User
from meetings import rules, schedule_text
from meetings.agenda import agenda_for
from meetings.models import (
    Absence,
    Commitment,
    HotSeat,
    Meeting,
    MeetingStatus,
    Preparation,
    Schedule,
    SwapRequest,
    SwapStatus,
)
from meetings.role_assignment import RoleAssignment, prefetch_roles, role_holders, roles_held_by
from meetings.services.lifecycle import GROUP_ENDED_REASON

UPCOMING_ON_GROUP_PAGE = 6
PAST_ON_GROUP_PAGE = 6
COMMITMENT_HISTORY = 20


def with_people():
    """Prefetches every meeting list needs for presenters and attendance."""
    return (
        Prefetch("hot_seats", queryset=HotSeat.objects.select_related("user").order_by("pk")),
        Prefetch("absences", queryset=Absence.objects.select_related("user").order_by("pk")),
    )


def presenters_of(meeting: Meeting) -> list[User]:
    """Who is on the hot seat of this meeting now, in seat order."""
    seats = HotSeat.objects.filter(meeting=meeting).select_related("user").order_by("pk")
    return [seat.user for seat in seats]


def meeting_for_member(*, user: User, pk: int, now: dt.datetime | None = None) -> Meeting:
    """The meeting if the user is a current member of its group (or staff); else 404."""
    meeting = Meeting.objects.select_related("group").filter(pk=pk).first()
    if meeting is None or not rules.may_see_meeting(user=user, meeting=meeting, at=now):
        raise Http404
    return meeting


def why_not_held(meeting: Meeting) -> str:
    """Why a meeting does not take place, for the member pages; "" if it does."""
    if meeting.status == MeetingStatus.CANCELLED:
        if meeting.cancel_reason == GROUP_ENDED_REASON:
            return _("Cancelled: the group has ended")
        if meeting.cancel_reason:
            return _("Cancelled: %(reason)s") % {"reason": meeting.cancel_reason}
        return _("Cancelled")
    if meeting.status == MeetingStatus.SKIPPED:
        if meeting.skip_reason:  # the pause's or the public holiday's name
            return _("No meeting: %(pause)s") % {"pause": meeting.skip_reason}
        return _("No meeting")
    return ""


def decorate(meetings: list[Meeting], memberships: list[Membership], user: User) -> None:
    """Set presenters, absent, attendees and why it is not held on each (prefetched)
    meeting, in memory."""
    for meeting in meetings:
        meeting.not_held = why_not_held(meeting)
        seats = list(meeting.hot_seats.all())
        absences = list(meeting.absences.all())
        absent_ids = {a.user_id for a in absences}
        meeting.presenters = [seat.user for seat in seats]
        meeting.absent = absences
        meeting.attendees = [
            m.user
            for m in memberships
            if m.joined_at <= meeting.starts_at
            and (m.left_at is None or meeting.starts_at < m.left_at)
            and m.user_id not in absent_ids
        ]
        meeting.viewer_absent = user.pk in absent_ids
        meeting.viewer_presents = any(seat.user_id == user.pk for seat in seats)


def _memberships(group: Group) -> list[Membership]:
    return list(Membership.objects.filter(group=group).select_related("user"))


def group_page_context(*, group: Group, user: User, now: dt.datetime | None = None) -> dict:
    """Context for the group page's meetings section, meetings/_group_meetings.html."""
    now = now or timezone.now()
    memberships = _memberships(group)
    held = Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED)
    upcoming = list(
        held.filter(starts_at__gt=now).prefetch_related(*with_people())[:UPCOMING_ON_GROUP_PAGE]
    )
    past = list(
        held.filter(starts_at__lte=now)
        .order_by("-starts_at")
        .prefetch_related(*with_people())[:PAST_ON_GROUP_PAGE]
    )
    decorate(upcoming + past, memberships, user)
    history = list(
        Commitment.objects.filter(meeting__group=group)
        .select_related("user", "meeting")
        .order_by("-meeting__starts_at", "pk")[:COMMITMENT_HISTORY]
    )
    schedule = Schedule.objects.filter(group=group).first()
    return {
        "schedule_summary": schedule_text.describe(schedule) if schedule else "",
        "meetings_group": group,
        "upcoming_meetings": upcoming,
        "past_meetings": past,
        "commitment_history": history,
        "pending_swaps": pending_swaps_for(user=user, group=group),
    }


def swap_options(*, meeting: Meeting, user: User, role: str = "", now: dt.datetime | None = None):
    """Others' upcoming turns in the group ``user`` could trade theirs at ``meeting`` for: hot
    seats (``role`` blank) or assignments of ``role``; each with ``user`` and ``meeting``."""
    now = now or timezone.now()
    rows = RoleAssignment.objects.filter(role=role) if role else HotSeat.objects.all()
    return list(
        rows.filter(
            meeting__group_id=meeting.group_id,
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__starts_at__gt=now,
        )
        .exclude(user=user)
        .exclude(meeting=meeting)
        .select_related("user", "meeting")
        .order_by("meeting__starts_at", "pk")
    )


def pending_swaps_for(*, user: User, group: Group | None = None) -> list[SwapRequest]:
    swaps = SwapRequest.objects.filter(
        Q(requester=user) | Q(responder=user), status=SwapStatus.PENDING
    ).select_related("requester", "responder", "requester_meeting", "responder_meeting")
    if group is not None:
        swaps = swaps.filter(requester_meeting__group=group)
    return list(swaps.order_by("created_at"))


def group_meetings_context(*, group: Group, user: User, now: dt.datetime | None = None) -> dict:
    """All upcoming meetings (held or not) and the past ones, for the group's meeting list."""
    now = now or timezone.now()
    meetings = list(
        Meeting.objects.filter(group=group).order_by("starts_at").prefetch_related(*with_people())
    )
    decorate(meetings, _memberships(group), user)
    return {
        "group": group,
        "upcoming": [m for m in meetings if m.starts_at > now],
        "past": [m for m in reversed(meetings) if m.starts_at <= now],
    }


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(
            group_id=meeting.group_id,
            status=MeetingStatus.SCHEDULED,
            starts_at__lt=meeting.starts_at,
        )
        .order_by("-starts_at")
        .first()
    )


def meeting_detail_context(*, meeting: Meeting, user: User, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    meeting = (
        Meeting.objects.prefetch_related(*with_people())
        .select_related("group", "group__schedule")
        .get(pk=meeting.pk)
    )
    prefetch_roles([meeting])
    decorate([meeting], _memberships(meeting.group), user)
    previous = previous_meeting(meeting)
    last_commitments = (
        list(Commitment.objects.filter(meeting=previous).select_related("user").order_by("pk"))
        if previous
        else []
    )
    commitments = list(Commitment.objects.filter(meeting=meeting).select_related("user"))
    upcoming = meeting.starts_at > now and meeting.status == MeetingStatus.SCHEDULED
    return {
        "meeting": meeting,
        "group": meeting.group,
        "roles": role_holders(meeting),
        "my_roles": roles_held_by(meeting, user) if upcoming else [],
        "agenda": agenda_for(meeting, meeting.presenters),
        "preparations": list(
            Preparation.objects.filter(meeting=meeting).select_related("user").order_by("pk")
        ),
        "previous_meeting": previous,
        "last_commitments": last_commitments,
        "commitments": commitments,
        "my_commitment": next((c for c in commitments if c.user_id == user.pk), None),
        "is_upcoming": upcoming,
        "pending_swaps": list(
            SwapRequest.objects.filter(
                Q(requester=user) | Q(responder=user),
                Q(requester_meeting=meeting) | Q(responder_meeting=meeting),
                status=SwapStatus.PENDING,
            )
            .select_related("requester", "responder", "requester_meeting", "responder_meeting")
            .order_by("created_at")
        ),
        "can_commit": meeting.starts_at <= now and meeting.status == MeetingStatus.SCHEDULED,
        "is_member": Membership.objects.current(now)
        .filter(group_id=meeting.group_id, user=user)
        .exists(),
    }


# -- organiser overview --------------------------------------------------------------------


def bar_class(value: float, maximum: float) -> str:
    """The app.css width class (w-0 … w-100, steps of 10) for ``value`` of ``maximum``."""
    if maximum <= 0:
        return "w-0"
    return f"w-{min(100, round(10 * value / maximum) * 10)}"


def overview_context(*, now: dt.datetime | None = None, days: int = 28) -> dict:
    """Next meetings of all groups, hot seats per member and attendance rate per group."""
    now = now or timezone.now()
    groups = list(Group.objects.order_by("name"))
    next_meetings = list(
        Meeting.objects.filter(
            group__status=GroupStatus.ACTIVE,
            status=MeetingStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(days=days),
        )
        .select_related("group")
        .prefetch_related(
            Prefetch("hot_seats", queryset=HotSeat.objects.select_related("user").order_by("pk"))
        )
        .order_by("starts_at")
    )
    return {
        "next_meetings": next_meetings,
        "hot_seat_counts": _hot_seat_counts(groups, now),
        "attendance": _attendance(groups, now),
        "days": days,
    }


def _hot_seat_counts(groups: list[Group], now: dt.datetime) -> list[dict]:
    """Per group: each current member's number of hot seats so far (held meetings only)."""
    counts: dict[tuple[int, int], int] = {}
    for group_id, user_id in HotSeat.objects.filter(
        meeting__status=MeetingStatus.SCHEDULED, meeting__starts_at__lte=now
    ).values_list("meeting__group_id", "user_id"):
        counts[group_id, user_id] = counts.get((group_id, user_id), 0) + 1
    members: dict[int, list[User]] = {}
    for m in Membership.objects.current(now).select_related("user").order_by("joined_at", "pk"):
        members.setdefault(m.group_id, []).append(m.user)
    rows = []
    for group in groups:
        people = [(u, counts.get((group.pk, u.pk), 0)) for u in members.get(group.pk, [])]
        top = max((n for _u, n in people), default=0)
        rows.append(
            {
                "group": group,
                "members": [{"user": u, "count": n, "bar": bar_class(n, top)} for u, n in people],
            }
        )
    return rows


def _attendance(groups: list[Group], now: dt.datetime) -> list[dict]:
    """Share of expected attendances (members at each past meeting) without an absence."""
    past = list(
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__lte=now).values_list(
            "pk", "group_id", "starts_at"
        )
    )
    absent = set(
        Absence.objects.filter(
            meeting__status=MeetingStatus.SCHEDULED, meeting__starts_at__lte=now
        ).values_list("meeting_id", "user_id")
    )
    windows: dict[int, list[tuple[int, dt.datetime, dt.datetime | None]]] = {}
    for group_id, user_id, joined, left in Membership.objects.values_list(
        "group_id", "user_id", "joined_at", "left_at"
    ):
        windows.setdefault(group_id, []).append((user_id, joined, left))
    expected: dict[int, int] = {}
    came: dict[int, int] = {}
    for pk, group_id, starts_at in past:
        for user_id, joined, left in windows.get(group_id, []):
            if joined <= starts_at and (left is None or starts_at < left):
                expected[group_id] = expected.get(group_id, 0) + 1
                came[group_id] = came.get(group_id, 0) + ((pk, user_id) not in absent)
    rows = []
    for group in groups:
        total = expected.get(group.pk, 0)
        rate = round(100 * came.get(group.pk, 0) / total) if total else None
        rows.append({"group": group, "rate": rate, "bar": bar_class(rate or 0, 100)})
    return rows
