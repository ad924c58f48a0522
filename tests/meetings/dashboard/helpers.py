"""A round of groups for the organiser's home, built in bulk (fast for 50 groups).

Each group: four members, a schedule (unless told otherwise), ``held`` held meetings every
two weeks before ``NOW`` and one ahead, each with a hot seat (prepared), one absence at
the first meeting and a commitment per member. Rows go in with ``bulk_create``: the page
reads them, no service needs to run.
"""

from __future__ import annotations

import datetime as dt
import itertools

from groups.models import Group, Membership
from mastermind.accounts.models import User
from meetings.models import (
    Absence,
    Commitment,
    CommitmentStatus,
    HotSeat,
    Meeting,
    Preparation,
    Schedule,
)
from tests.meetings.helpers import NOW

MEMBERS = 4
_ROUNDS = itertools.count()


def _meetings(group: Group, held: int, now: dt.datetime) -> list[Meeting]:
    # The next one is the day after ``now`` at 18:00 UTC (Tuesday 5 January 2027, 19:00 in
    # Berlin, for the tests' NOW); the held ones every two weeks before it.
    ahead = (now.astimezone(dt.UTC) + dt.timedelta(days=1)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    first = ahead - dt.timedelta(weeks=2 * held)
    return [
        Meeting(
            group=group,
            series_date=(first + dt.timedelta(weeks=2 * n)).date(),
            starts_at=first + dt.timedelta(weeks=2 * n),
            ends_at=first + dt.timedelta(weeks=2 * n, hours=2),
            time_zone="Europe/Berlin",
        )
        for n in range(held + 1)  # the last one is ahead of NOW
    ]


def make_round(
    groups: int, *, held: int = 5, schedules: bool = True, now: dt.datetime = NOW
) -> list[Group]:
    r = next(_ROUNDS)
    made = Group.objects.bulk_create(
        [Group(name=f"Gruppe {r}.{n:02d}", time_zone="Europe/Berlin") for n in range(groups)]
    )
    users = User.objects.bulk_create(
        [
            User(email=f"m{r}.{g}.{n}@example.org", display_name=f"Mitglied {r}.{g}.{n}")
            for g in range(groups)
            for n in range(MEMBERS)
        ]
    )
    people = {group.pk: users[i * MEMBERS : (i + 1) * MEMBERS] for i, group in enumerate(made)}
    Membership.objects.bulk_create(
        [
            Membership(group=group, user=user, joined_at=now - dt.timedelta(days=365))
            for group in made
            for user in people[group.pk]
        ]
    )
    if schedules:
        Schedule.objects.bulk_create(
            [Schedule(group=group, weekday=1, first_date=dt.date(2026, 1, 6)) for group in made]
        )
    meetings = Meeting.objects.bulk_create(
        [m for group in made for m in _meetings(group, held, now)]
    )
    _people_at(meetings, people, now)
    return made


def _people_at(meetings: list[Meeting], people: dict[int, list[User]], now: dt.datetime) -> None:
    seats, preparations, absences, commitments = [], [], [], []
    for index, meeting in enumerate(meetings):
        members = people[meeting.group_id]
        presenter = members[index % MEMBERS]
        seats.append(HotSeat(meeting=meeting, user=presenter))
        if meeting.starts_at > now:
            continue
        preparations.append(Preparation(meeting=meeting, user=presenter, story="Mein Launch."))
        if index % (len(meetings) // len(people)) == 0:
            absences.append(Absence(meeting=meeting, user=members[-1]))
        commitments += [
            Commitment(meeting=meeting, user=user, text="Angebot", status=CommitmentStatus.DONE)
            for user in members
        ]
    HotSeat.objects.bulk_create(seats)
    Preparation.objects.bulk_create(preparations)
    Absence.objects.bulk_create(absences)
    Commitment.objects.bulk_create(commitments)
