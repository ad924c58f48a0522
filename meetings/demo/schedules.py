"""Demo schedules, pauses, history and plans for every group. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from groups.models import Group, Membership
from groups.slots import Weekday
from meetings.models import (
    Absence,
    Commitment,
    CommitmentStatus,
    HotSeat,
    Meeting,
    MeetingStatus,
    Pause,
    Preparation,
    Schedule,
)
from meetings.services.hot_seat import replan_group
from meetings.services.schedule import ensure_agenda, sync_meetings

WEEKDAYS = (Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.MONDAY, Weekday.FRIDAY)
COMMITMENTS = (
    "Landingpage fertigstellen",
    "Drei Kund:innen anrufen",
    "Newsletter verschicken",
    "Preisliste überarbeiten",
    "Podcast-Folge aufnehmen",
)


def seed(report: list[str]) -> None:
    today = timezone.localdate()
    _pauses(today)
    groups = list(Group.objects.order_by("pk"))
    for index, group in enumerate(groups):
        schedule, created = Schedule.objects.get_or_create(
            group=group,
            defaults={
                "weekday": WEEKDAYS[index % len(WEEKDAYS)],
                "first_date": today - dt.timedelta(days=91),
                "time_zone": group.time_zone,
                # The first group shows the rotating roles alongside the hot seat.
                "rotate_facilitator": index == 0,
                "rotate_timekeeper": index == 0,
            },
        )
        ensure_agenda(
            group=group,
            duration_minutes=schedule.duration_minutes,
            hot_seats=schedule.hot_seats,
        )
        sync_meetings(schedule=schedule, replan=False)
        if created:
            _history(group, struggling=index == 1)
        replan_group(group=group, notify=False)
    if groups:
        report.append(f"Meetings:  {len(groups)} groups with schedules, history and hot seats")


def _pauses(today: dt.date) -> None:
    summer = dt.date(today.year + 1, 7, 1)
    christmas_year = today.year if today >= dt.date(today.year, 1, 7) else today.year - 1
    for name, start, end in (
        ("Sommerpause", summer, dt.date(summer.year, 8, 31)),
        ("Weihnachtspause", dt.date(christmas_year, 12, 20), dt.date(christmas_year + 1, 1, 6)),
    ):
        Pause.objects.get_or_create(name=name, group=None, start_date=start, end_date=end)


def _history(group: Group, *, struggling: bool = False) -> None:
    """Hot seats, commitments and preparations for the meetings that already took place.

    A ``struggling`` group shows the organiser's home a group that needs attention: nobody
    prepared a hot seat and half the group missed two of the last three meetings.
    """
    now = timezone.now()
    past = list(
        Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED, starts_at__lte=now)
    )
    if not past or HotSeat.objects.filter(meeting__in=past).exists():
        return
    # Demo members "joined" before the first meeting, so the history has presenters.
    Membership.objects.filter(group=group, joined_at__gt=past[0].starts_at).update(
        joined_at=past[0].starts_at - dt.timedelta(days=7)
    )
    replan_group(group=group, now=past[0].starts_at - dt.timedelta(seconds=1), notify=False)
    members = list(Membership.objects.current(now).filter(group=group))
    for number, meeting in enumerate(past):
        for offset, membership in enumerate(members):
            status = CommitmentStatus.OPEN
            if meeting != past[-1]:
                status = (
                    CommitmentStatus.DONE if (number + offset) % 3 else CommitmentStatus.NOT_DONE
                )
            Commitment.objects.get_or_create(
                meeting=meeting,
                user_id=membership.user_id,
                defaults={
                    "text": COMMITMENTS[(number + offset) % len(COMMITMENTS)],
                    "status": status,
                },
            )
    _preparations_and_absences(group, past, struggling)


PREPARATION = (
    "Mein Angebot verkauft sich schlechter als gedacht.",
    "Wie ich zwei Kund:innen zu Stammkund:innen gemacht habe.",
    "Soll ich die Preise erhöhen oder das Paket verkleinern?",
)


def _preparations_and_absences(group: Group, past: list[Meeting], struggling: bool) -> None:
    members = list(Membership.objects.filter(group=group).order_by("pk"))
    if struggling:
        for meeting in past[-3:][:2]:
            presenting = set(meeting.hot_seats.values_list("user_id", flat=True))
            others = [m for m in members if m.user_id not in presenting]
            for membership in others[: len(members) // 2 + 1]:
                Absence.objects.get_or_create(meeting=meeting, user_id=membership.user_id)
        return
    for number, seat in enumerate(HotSeat.objects.filter(meeting__in=past).order_by("pk")):
        Preparation.objects.get_or_create(
            meeting_id=seat.meeting_id,
            user_id=seat.user_id,
            defaults={
                "story": PREPARATION[number % len(PREPARATION)],
                "feedback_wanted": "Was würden Sie an meiner Stelle als Nächstes tun?",
            },
        )
