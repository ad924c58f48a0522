"""Helpers for the meetings tests: a group with members and a schedule, on a fixed date.

The ``clock`` fixture (tests/meetings/conftest.py) stops time at ``NOW``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core import mail

from groups.models import Group, Membership
from mastermind import outbox
from mastermind.outbox.models import Notification, NotificationStatus
from meetings import services
from meetings.models import Meeting, MeetingStatus, Schedule
from meetings.services import changes
from tests.factories import GroupFactory, MembershipFactory, UserFactory

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Monday 4 January 2027, 10:00 in Berlin.
NOW = dt.datetime(2027, 1, 4, 10, 0, tzinfo=BERLIN)


def make_group(members: int = 4, *, joined: dt.datetime | None = None) -> tuple[Group, list]:
    group = GroupFactory()
    users = [UserFactory() for _ in range(members)]
    for user in users:
        MembershipFactory(group=group, user=user, joined_at=joined or NOW - dt.timedelta(days=90))
    return group, users


def make_schedule(group: Group, **fields) -> Schedule:
    fields.setdefault("first_date", dt.date(2027, 1, 5))  # a Tuesday
    fields.setdefault("weekday", 1)
    schedule = Schedule(group=group, **fields)
    services.save_schedule(schedule=schedule)
    return schedule


def future(group: Group, now: dt.datetime = NOW) -> list[Meeting]:
    return list(
        Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED, starts_at__gt=now)
    )


def presenters(meeting: Meeting) -> set[int]:
    return set(meeting.hot_seats.values_list("user_id", flat=True))


def deliver_all(kind: str | None = None) -> list:
    """Send pending notifications (of ``kind``) now, as the worker would; return the mails."""
    mail.outbox.clear()
    pending = Notification.objects.filter(status=NotificationStatus.PENDING)
    if kind:
        pending = pending.filter(kind=kind)
    for pk in pending.values_list("pk", flat=True):
        outbox.deliver(pk)
    return list(mail.outbox)


def after_window(clock) -> None:
    """Move the stopped clock past the change emails' window (meetings/services/changes.py),
    when they are due."""
    clock.shift(changes.window() + dt.timedelta(seconds=1))


def leave(group: Group, user, at: dt.datetime) -> None:
    Membership.objects.filter(group=group, user=user, left_at__isnull=True).update(left_at=at)
    services.on_membership_changed(group_id=group.pk)
