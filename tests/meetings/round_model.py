"""What the round state machine reads back: feeds, iMIP messages, and independent checks.

Nothing here calls the code under test to decide what is right: the expected state is
read from the database rows themselves (memberships, meetings, hot seats, absences) and
compared with what members receive (the feed over HTTP, the emails the outbox sent).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from icalendar import Calendar

from groups.models import Group, GroupStatus, Membership, RenewalAnswer
from meetings.calendar.ical import event_uid
from meetings.choices import MeetingRole
from meetings.models import Absence, HotSeat, Meeting, MeetingStatus, RoleAssignment, Schedule

CONTENT = ("DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION", "STATUS", "URL")


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    sequence: int
    start: dt.datetime
    status: str
    content: tuple


def changed_properties(before: FeedEvent, after: FeedEvent) -> list[str]:
    pairs = zip(CONTENT, before.content, after.content, strict=True)
    return [name for name, old, new in pairs if old != new]


def describe_change(before: FeedEvent, after: FeedEvent) -> str:
    pairs = zip(CONTENT, before.content, after.content, strict=True)
    return "; ".join(f"{name}: {old!r} -> {new!r}" for name, old, new in pairs if old != new)


def uid_of(meeting_id: int) -> str:
    return event_uid(meeting_id, settings.SITE_DOMAIN)


def _start(component) -> dt.datetime:
    value = component.decoded("DTSTART")
    return value.astimezone(dt.UTC)


@functools.lru_cache(maxsize=256)  # a feed that did not change is not parsed again
def parse_events(body: bytes) -> tuple[str, tuple[FeedEvent, ...]]:
    calendar = Calendar.from_ical(body)
    method = str(calendar.get("METHOD", ""))
    events = []
    for component in calendar.walk("VEVENT"):
        events.append(
            FeedEvent(
                uid=str(component["UID"]),
                sequence=int(component.get("SEQUENCE", 0)),
                start=_start(component),
                status=str(component.get("STATUS", "CONFIRMED")),
                content=tuple(
                    component.get(name).to_ical() if component.get(name) is not None else b""
                    for name in CONTENT
                ),
            )
        )
    return method, tuple(events)


def imip_messages(messages=None) -> list[tuple[str, str, FeedEvent]]:
    """(recipient, METHOD, event) for every calendar part of the sent messages, in order."""
    found = []
    for message in mail.outbox if messages is None else messages:
        bodies = [
            content
            for content, mimetype in getattr(message, "alternatives", [])
            if str(mimetype).startswith("text/calendar")
        ]
        if not bodies:
            continue
        body = bodies[0].encode() if isinstance(bodies[0], str) else bodies[0]
        method, events = parse_events(body)
        if method in ("REQUEST", "CANCEL"):
            for event in events:
                found.append((message.to[0], method, event))
    return found


# -- the state as the rows say it is ------------------------------------------------------


def current_group_ids(user_id: int, now: dt.datetime) -> set[int]:
    return set(
        Membership.objects.filter(
            user_id=user_id, joined_at__lte=now, group__status=GroupStatus.ACTIVE
        )
        .exclude(left_at__lte=now)
        .values_list("group_id", flat=True)
    )


def takes_place_for(meeting: Meeting, user_id: int, now: dt.datetime) -> bool:
    return meeting.status == MeetingStatus.SCHEDULED and meeting.group_id in current_group_ids(
        user_id, now
    )


def overlaps(meetings: list[Meeting]) -> list[tuple[int, int]]:
    held = sorted(
        (m for m in meetings if m.status == MeetingStatus.SCHEDULED), key=lambda m: m.starts_at
    )
    return [(a.pk, b.pk) for a, b in itertools.pairwise(held) if b.starts_at < a.ends_at]


def rotation_problems(group_id: int, now: dt.datetime) -> list[str]:
    """Safety and fairness of the future hot seats and roles, checked from the rows alone.

    Every future held meeting has as many presenters as the schedule has hot seats (fewer
    only when fewer people can come); each role the group rotates has a holder who can
    come, who is not presenting while someone else could take it, and the two roles are
    held by two people while enough can come.
    """
    problems = []
    schedule = Schedule.objects.filter(group_id=group_id).first()
    wanted = schedule.hot_seats if schedule else 1
    roles_on = _roles_on(schedule)
    holders = defaultdict(dict)
    for meeting_id, role, user_id in RoleAssignment.objects.filter(
        meeting__group_id=group_id
    ).values_list("meeting_id", "role", "user_id"):
        holders[meeting_id][role] = user_id
    memberships = list(Membership.objects.filter(group_id=group_id))
    meetings = list(Meeting.objects.filter(group_id=group_id).order_by("starts_at", "pk"))
    seats = defaultdict(list)
    for seat in HotSeat.objects.filter(meeting__group_id=group_id).order_by("pk"):
        seats[seat.meeting_id].append(seat)
    absent = defaultdict(set)
    for meeting_id, user_id in Absence.objects.filter(meeting__group_id=group_id).values_list(
        "meeting_id", "user_id"
    ):
        absent[meeting_id].add(user_id)
    last: dict[int, dt.datetime] = {}
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    for meeting in meetings:
        held_seats = seats[meeting.pk]
        if meeting.starts_at > now and meeting.status == MeetingStatus.SCHEDULED:
            available = {
                m.user_id
                for m in memberships
                if m.joined_at <= meeting.starts_at
                and (m.left_at is None or meeting.starts_at < m.left_at)
                and m.user_id not in absent[meeting.pk]
            }
            presenters = [seat.user_id for seat in held_seats]
            if len(presenters) != min(wanted, len(available)):
                problems.append(f"meeting {meeting.pk} has presenters {presenters}")
            problems += _role_problems(
                meeting.pk, roles_on, holders[meeting.pk], available, presenters
            )
            for seat in held_seats:
                if seat.user_id not in available:
                    problems.append(f"meeting {meeting.pk}: presenter {seat.user_id} unavailable")
                if seat.pinned:
                    continue
                for other in available - set(presenters):
                    if last.get(other, never) < last.get(seat.user_id, never):
                        problems.append(
                            f"meeting {meeting.pk}: {seat.user_id} presents again before "
                            f"{other}, who presented longer ago"
                        )
        if meeting.status == MeetingStatus.SCHEDULED:
            for seat in held_seats:
                last[seat.user_id] = meeting.starts_at
    return problems


def _roles_on(schedule) -> list[str]:
    if schedule is None:
        return []
    return [
        role
        for role, on in (
            (MeetingRole.FACILITATOR, schedule.rotate_facilitator),
            (MeetingRole.TIMEKEEPER, schedule.rotate_timekeeper),
        )
        if on
    ]


def _role_problems(meeting_id, roles_on, holders, available, presenters) -> list[str]:
    problems = []
    for role in roles_on:
        holder = holders.get(role)
        if available and holder is None:
            problems.append(f"meeting {meeting_id}: nobody holds {role}")
        elif holder is not None and holder not in available:
            problems.append(f"meeting {meeting_id}: {role} {holder} cannot come")
        elif holder in presenters and len(available) > len(presenters):
            problems.append(f"meeting {meeting_id}: {role} {holder} also presents")
    enough = len(roles_on) == 2 and len(available) >= len(presenters) + 2
    if enough and len(set(holders.values())) < 2:
        problems.append(f"meeting {meeting_id}: one person holds both roles {holders}")
    return problems


def term_problems(group_id: int, now: dt.datetime, previous_end: dt.date | None) -> list[str]:
    """What a group's term must look like from its rows (an active group's, ended ones have
    no future meetings anyway):

    * the worker processed every term end that has passed (in the group's zone);
    * no series meeting takes place on or after the current term's end (hand-moved or extra
      meetings are the organiser's decision and exempt);
    * whoever answered "leave" is still a member only while the term runs;
    * a group whose term moved on has the next term's meetings (rows dated from the end
      of the term before; skipped or cancelled ones count, a pause may cover them).
    """
    group = Group.objects.get(pk=group_id)
    if group.status != GroupStatus.ACTIVE:
        return []
    problems = []
    today = now.astimezone(ZoneInfo(group.time_zone)).date()
    ends = group.term_ends_on
    if ends is not None and today >= ends:
        problems.append(f"group {group_id}: the term that ended on {ends} was not processed")
    if ends is not None:
        late = Meeting.objects.filter(
            group_id=group_id,
            status=MeetingStatus.SCHEDULED,
            is_override=False,
            series_date__gte=ends,
        )
        if late.exists():
            problems.append(f"group {group_id} meets after its term: {list(late.values('pk'))}")
    staying = Membership.objects.filter(
        group_id=group_id, renewal_answer=RenewalAnswer.LEAVE, left_at__isnull=True
    )
    if staying.exists() and (ends is None or today >= ends):
        problems.append(f"group {group_id}: leavers still members {list(staying.values('pk'))}")
    has_schedule = Schedule.objects.filter(group_id=group_id).exists()
    next_term = Meeting.objects.filter(group_id=group_id, series_date__gte=previous_end or today)
    if previous_end is not None and has_schedule and not next_term.exists():
        problems.append(f"group {group_id} continued without the next term's meetings")
    return problems


def leavers_of(group_id: int) -> list[tuple[int, int]]:
    """(user id, group id) of those who left this group after answering "leave"."""
    return list(
        Membership.objects.filter(
            group_id=group_id, renewal_answer=RenewalAnswer.LEAVE, left_at__isnull=False
        ).values_list("user_id", "group_id")
    )
