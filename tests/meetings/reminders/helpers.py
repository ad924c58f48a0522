"""Helpers for the reminder tests: a group of members and one meeting, the sweep at a moment."""

import datetime as dt
from dataclasses import dataclass

import time_machine

from mastermind import outbox
from mastermind.outbox.models import Notification, NotificationStatus
from meetings.models import Meeting
from meetings.reminders import sweep as reminders
from tests.factories import (
    HotSeatFactory,
    MeetingFactory,
    MembershipFactory,
    ScheduleFactory,
    UserFactory,
)

# Tuesday 2 March 2027, 19:00 in Berlin.
START = dt.datetime(2027, 3, 2, 18, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=2)
MINUTE = dt.timedelta(minutes=1)


@dataclass
class GroupSetup:
    meeting: Meeting
    members: list
    presenter: object


def make_group(*, members: int = 3, schedule: dict | None = None, start=START) -> GroupSetup:
    """A group with ``members`` members, one meeting at ``start`` and its first member on
    the hot seat. ``schedule`` None means a group without a schedule (defaults apply)."""
    with time_machine.travel(start - dt.timedelta(days=60), tick=False):
        meeting = MeetingFactory(starts_at=start, ends_at=start + dt.timedelta(hours=2))
        if schedule is not None:
            ScheduleFactory(group=meeting.group, **schedule)
        users = [
            MembershipFactory(group=meeting.group, user=UserFactory()).user for _ in range(members)
        ]
        HotSeatFactory(meeting=meeting, user=users[0])
    return GroupSetup(meeting=meeting, members=users, presenter=users[0])


def sweep_at(moment: dt.datetime) -> reminders.SweepResult:
    """Run the sweep with the clock at ``moment``; queued tasks are not published."""
    with time_machine.travel(moment, tick=False):
        return reminders.sweep(moment)


def deliver_all(moment: dt.datetime) -> list[str]:
    """Deliver every pending notification with the clock at ``moment``."""
    with time_machine.travel(moment, tick=False):
        pending = Notification.objects.filter(status=NotificationStatus.PENDING).order_by("pk")
        return [outbox.deliver(pk)[0] for pk in pending.values_list("pk", flat=True)]


def keys(kind: str | None = None) -> list[str]:
    rows = Notification.objects.order_by("dedup_key")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("dedup_key", flat=True))


def statuses(kind: str | None = None) -> dict[str, str]:
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return dict(rows.values_list("email", "status"))
