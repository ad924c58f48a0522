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


def dashboard_round(*, groups: int = 50, now: dt.datetime | None = None) -> list:
    """``groups`` active groups of five, each with six fortnightly meetings (five held, one
    a week ahead) from a schedule saved by ``save_schedule`` before the first one, so the
    rotation seated every presenter; the held meetings get absences, preparations (of
    most presenters) and a commitment per member (done, not done or open)."""
    from meetings.models import Absence, Commitment, CommitmentStatus, Meeting, Preparation

    now = now or timezone.now()
    first = timezone.localdate(now) - dt.timedelta(weeks=9)
    made = []
    for index in range(groups):
        group = Group.objects.create(name=f"Runde {index:02d}")
        for n in range(MEMBERS_PER_GROUP):
            person = User.objects.create_user(
                f"round{index}.{n}@example.org", display_name=f"Teilnehmerin {index}.{n}"
            )
            Membership.objects.create(
                group=group, user=person, joined_at=now - dt.timedelta(days=90)
            )
        schedule = Schedule(
            group=group,
            weekday=first.weekday(),
            first_date=first,
            end_date=first + dt.timedelta(weeks=10),
        )
        save_schedule(schedule=schedule, now=now - dt.timedelta(weeks=10))
        made.append(group)
    statuses = [CommitmentStatus.DONE, CommitmentStatus.DONE, CommitmentStatus.NOT_DONE]
    absences, preparations, commitments = [], [], []
    held = Meeting.objects.filter(group__in=made, starts_at__lte=now).prefetch_related(
        "hot_seats", "group__memberships"
    )
    for n, meeting in enumerate(held):
        members = [m.user_id for m in meeting.group.memberships.all()]
        seated = {seat.user_id for seat in meeting.hot_seats.all()}
        absent = next(u for u in members[n % len(members) :] + members if u not in seated)
        absences.append(Absence(meeting=meeting, user_id=absent))
        preparations += [
            Preparation(meeting=meeting, user_id=seat.user_id, story="Mein Angebot.")
            for seat in meeting.hot_seats.all()
            if n % 4
        ]
        commitments += [
            Commitment(meeting=meeting, user_id=user_id, text="Angebot senden", status=s)
            for user_id, s in zip(members, statuses * 2, strict=False)
        ]
    Absence.objects.bulk_create(absences)
    Preparation.objects.bulk_create(preparations)
    Commitment.objects.bulk_create(commitments)
    return made
