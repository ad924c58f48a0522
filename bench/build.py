"""Benchmark data built through the app's own services (call after bench.common.setup_django).

``member_with_groups`` gives one member two groups of five, each with a schedule saved by
``meetings.services.save_schedule``: the default agenda, a year of fortnightly meetings and
their hot seats come from the real sync and rotation code, not from hand-made rows. The
schedule is first saved 90 days in the past and synced again today, so the feed's window
(90 days back to the horizon) is full and past meetings have presenters too.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from groups.models import Group, Membership
from mastermind.accounts.models import User
from meetings.models import Schedule
from meetings.services import save_schedule, sync_all

MEMBERS_PER_GROUP = 5
HISTORY_DAYS = 90


def member_with_groups(*, groups: int = 2, now: dt.datetime | None = None) -> tuple[User, list]:
    """A German-speaking member in ``groups`` groups with a year of meetings each."""
    now = now or timezone.now()
    past = now - dt.timedelta(days=HISTORY_DAYS)
    member = User.objects.create_user(
        "bench.member@example.org", display_name="Bench Mitglied", language="de"
    )
    made = []
    for index in range(groups):
        group = Group.objects.create(
            name=f"Mastermind {chr(65 + index)}",
            video_url="https://meet.example.org/mastermind",
            chat_url="https://chat.example.org/mastermind",
        )
        people = [member] + [
            User.objects.create_user(
                f"peer{index}.{n}@example.org", display_name=f"Kollegin {index}.{n}", language="de"
            )
            for n in range(MEMBERS_PER_GROUP - 1)
        ]
        for person in people:
            Membership.objects.create(
                group=group, user=person, joined_at=past - dt.timedelta(days=30)
            )
        schedule = Schedule(group=group, weekday=1 + 2 * (index % 2), first_date=past.date())
        save_schedule(schedule=schedule, now=past)
        made.append(group)
    sync_all(now=now)  # extend to today's horizon and plan the new meetings' hot seats
    return member, made
