"""Demo schedules, pauses, history and plans for every group. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from groups.models import Group, Membership
from groups.slots import Weekday
from meetings.models import (
    Commitment,
    CommitmentStatus,
    HotSeat,
    Meeting,
    MeetingStatus,
    Pause,
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
            },
        )
        ensure_agenda(
            group=group,
            duration_minutes=schedule.duration_minutes,
            hot_seats=schedule.hot_seats,
        )
        sync_meetings(schedule=schedule, replan=False)
        if created:
            _history(group)
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


def _history(group: Group) -> None:
    """Hot seats and commitments for the meetings that already took place."""
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
