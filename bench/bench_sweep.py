"""Benchmark meetings.reminders.sweep.sweep at scale on PostgreSQL (not a test).

Run from the repository root with a PostgreSQL server reachable::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mastermind_bench python bench/bench_sweep.py

It drops and re-creates that database (only if its name ends in "_bench"), migrates,
bulk-inserts 10,000 groups with 5 members each (50,000 users and memberships) and a
year of fortnightly meetings per group (260,000 meetings), and places meetings so that
exactly 500 and, at another moment, exactly 5,000 first reminders are due. For each it
times the sweep, publishing to real Redis as production does (``REDIS_URL``, default
``redis://127.0.0.1:6379/9``, flushed), separately as claim and publish, counts its
queries, times a second sweep at the same moment (everything already claimed: the
steady state of the minute beat), and compares with a bare SELECT of the same (meeting,
member) rows.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import time_machine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mastermind_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# Real Redis, as in production (database 9 is the benchmarks', flushed).
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("LOG_LEVEL", "WARNING")

GROUPS, MEMBERS_PER_GROUP, MEETINGS_PER_GROUP = 10_000, 5, 26
SMALL, LARGE = 500, 5_000
RUNS = 3
TARGET_SECONDS = 2.0
BASE = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)  # background meetings start 18:00 UTC
MOMENTS = {SMALL: BASE, LARGE: BASE + dt.timedelta(days=3)}
# Monday 8 March 2027, 08:00 in Berlin: the weekly health digest is due, and the recaps of
# LARGE // MEMBERS_PER_GROUP meetings that ended 8 h before (their commitments prompts,
# 60 min after the end, are then already out of the six-hour window).
RECAP_MOMENT = dt.datetime(2027, 3, 8, 7, 0, tzinfo=dt.UTC)
RECAP_ENDED = RECAP_MOMENT - dt.timedelta(hours=8)


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.endswith("_bench"):
        raise SystemExit(f"Refusing to drop {name!r}: the benchmark database must end in _bench")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def populate() -> None:
    from django.utils import timezone

    from groups.models import Group, Membership
    from mastermind.accounts.models import User
    from meetings.models import HotSeat, Meeting, Schedule

    now = timezone.now()
    groups = Group.objects.bulk_create(
        [Group(name=f"Group {i}") for i in range(GROUPS)], batch_size=5000
    )
    users = User.objects.bulk_create(
        [
            User(email=f"member{i}@example.org", display_name=f"Member {i}", password="!")  # noqa: S106 - unusable
            for i in range(GROUPS * MEMBERS_PER_GROUP)
        ],
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        [
            Membership(group=groups[i // MEMBERS_PER_GROUP], user=user, joined_at=now)
            for i, user in enumerate(users)
        ],
        batch_size=5000,
    )
    # Half the groups have a schedule row (defaults), half use the defaults without one.
    Schedule.objects.bulk_create(
        [Schedule(group=g, first_date=BASE.date()) for g in groups[::2]], batch_size=5000
    )
    due_groups = {SMALL: groups[: SMALL // MEMBERS_PER_GROUP]}
    due_groups[LARGE] = groups[SMALL // MEMBERS_PER_GROUP :][: LARGE // MEMBERS_PER_GROUP]
    meetings = [
        Meeting(group=g, starts_at=RECAP_ENDED - dt.timedelta(hours=2), ends_at=RECAP_ENDED)
        for g in groups[-(LARGE // MEMBERS_PER_GROUP) :]
    ]
    for count, moment in MOMENTS.items():
        # The first reminder (24 h before) of these meetings is due 30 minutes before `moment`.
        start = moment + dt.timedelta(hours=24) - dt.timedelta(minutes=30)
        meetings += [
            Meeting(group=g, starts_at=start, ends_at=start + dt.timedelta(hours=2))
            for g in due_groups[count]
        ]
    for index, group in enumerate(groups):  # a year of fortnightly meetings, 18:00 UTC
        first = dt.datetime(2027, 3, 8, 18, 0, tzinfo=dt.UTC) + dt.timedelta(days=index % 14)
        meetings += [
            Meeting(
                group=group,
                starts_at=first + dt.timedelta(weeks=2 * n),
                ends_at=first + dt.timedelta(weeks=2 * n, hours=2),
                series_date=(first + dt.timedelta(weeks=2 * n)).date(),
            )
            for n in range(MEETINGS_PER_GROUP)
        ]
    meetings = Meeting.objects.bulk_create(meetings, batch_size=5000)
    first_member = {g.pk: users[i * MEMBERS_PER_GROUP] for i, g in enumerate(groups)}
    HotSeat.objects.bulk_create(
        [HotSeat(meeting=m, user=first_member[m.group_id]) for m in meetings], batch_size=5000
    )


def bare_select(moment: dt.datetime) -> int:
    """The same (meeting, member) rows with one plain join and a constant window."""
    from django.db import connection

    sql = """
        SELECT m.id, u.id, u.email
        FROM meetings_meeting m
        JOIN groups_membership ms ON ms.group_id = m.group_id AND ms.left_at IS NULL
        JOIN mastermind_user u ON u.id = ms.user_id
        WHERE m.status = 'scheduled' AND m.starts_at BETWEEN %s AND %s
    """
    low = moment + dt.timedelta(hours=24) - dt.timedelta(hours=6)
    with connection.cursor() as cursor:
        cursor.execute(sql, [low, moment + dt.timedelta(hours=24)])
        return len(cursor.fetchall())


def timed(function, *args):
    started = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - started, value


def read_only(moment: dt.datetime) -> int:
    """The sweep's reading half: every kind's candidate rows, nothing claimed or queued."""
    from meetings.reminders import sweep as reminders

    rows = [r for k in reminders.MEETING_KINDS for r in reminders.meeting_candidates(k, now=moment)]
    return len(rows) + len(reminders.intake_digest_candidates(now=moment))


def measure(count: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mastermind.outbox import claims
    from mastermind.outbox.models import Notification
    from meetings.calendar import invitations
    from meetings.reminders import sweep as reminders

    moment = MOMENTS[count]
    first, again, bare, read, publish, calendar = [], [], [], [], [], []
    original_publish, original_collect = claims.publish, invitations.collect

    def timed_publish(ids: list[int]) -> None:
        seconds, _ = timed(original_publish, ids)
        publish.append(seconds)

    def timed_collect(now):
        seconds, rows = timed(original_collect, now)
        calendar.append(seconds)
        return rows

    claims.publish, invitations.collect = timed_publish, timed_collect
    # The clock at the moment: the outbox publishes on commit only rows due by now.
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    try:
        for _ in range(RUNS):
            Notification.objects.all().delete()
            flush_broker()
            seconds, rows = timed(read_only, moment)
            assert rows == count, rows
            read.append(seconds)
            publish_before = len(publish)
            with CaptureQueriesContext(connection) as queries:
                seconds, result = timed(reminders.sweep, moment)
            assert result.new[reminders.MEETING_REMINDER] == count, result
            assert len(publish) == publish_before + 1
            first.append(seconds)
            # At the LARGE moment the SMALL meetings' recaps (ended two days before) are
            # due as well: the sweep queues every new row, of every kind.
            assert queued_ids() == sum(result.new.values()), (queued_ids(), result)
            with CaptureQueriesContext(connection) as queries_again:
                seconds, result_again = timed(reminders.sweep, moment)
            assert sum(result_again.new.values()) == 0
            again.append(seconds)
            seconds, rows = timed(bare_select, moment)
            assert rows == count, rows
            bare.append(seconds)
    finally:
        traveller.stop()
        claims.publish, invitations.collect = original_publish, original_collect
        flush_broker()
    sweep_s, publish_s = statistics.median(first), statistics.median(publish)
    # calendar[0::2] are the first sweeps' invitation collections, [1::2] the second's.
    calendar_s = statistics.median(calendar[0::2])
    return {
        "due": count,
        "sweep_s": sweep_s,
        "calendar_s": calendar_s,
        "reminders_s": sweep_s - calendar_s,
        "publish_s": publish_s,
        "claim_s": sweep_s - calendar_s - publish_s,
        "queries": len(queries),
        "read_s": statistics.median(read),
        "again_s": statistics.median(again),
        "queries_again": len(queries_again),
        "bare_s": statistics.median(bare),
    }


def measure_recaps_and_digest() -> dict:
    """The sweep at RECAP_MOMENT (LARGE recaps and one health digest due), then the
    digest's builder, which assesses every one of the GROUPS groups."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mastermind.accounts.models import User
    from mastermind.outbox.models import Notification
    from meetings.reminders import health_digest, recaps
    from meetings.reminders import sweep as reminders

    User.objects.get_or_create(
        email="organiser@example.org", defaults={"is_staff": True, "password": "!"}
    )
    first, again, build = [], [], []
    traveller = time_machine.travel(RECAP_MOMENT, tick=True)
    traveller.start()
    for _ in range(RUNS):
        Notification.objects.all().delete()
        flush_broker()
        with CaptureQueriesContext(connection) as queries:
            seconds, result = timed(reminders.sweep, RECAP_MOMENT)
        assert result.new[recaps.RECAP] == LARGE, result
        assert result.new[health_digest.HEALTH_DIGEST] == 1, result
        first.append(seconds)
        seconds, result_again = timed(reminders.sweep, RECAP_MOMENT)
        assert sum(result_again.new.values()) == 0
        again.append(seconds)
        digest = Notification.objects.get(kind=health_digest.HEALTH_DIGEST)
        with CaptureQueriesContext(connection) as build_queries:
            seconds, _email = timed(health_digest.build_health_digest, digest)
        build.append(seconds)
    traveller.stop()
    flush_broker()
    return {
        "sweep_s": statistics.median(first),
        "queries": len(queries),
        "again_s": statistics.median(again),
        "build_s": statistics.median(build),
        "build_queries": len(build_queries),
    }


def redis_client():
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def flush_broker() -> None:
    redis_client().flushdb()


def queued_ids() -> int:
    """Ids in the "mail" queue in Redis: what the sweep really published."""
    import base64
    import json

    total = 0
    for raw in redis_client().lrange("mail", 0, -1):
        body = json.loads(base64.b64decode(json.loads(raw)["body"]))
        total += len(body[0][0])
    return total


def main() -> int:
    recreate_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    assert settings.CELERY_BROKER_URL.startswith("redis://"), settings.CELERY_BROKER_URL
    call_command("migrate", verbosity=0)
    seconds, _ = timed(populate)
    print(
        f"populated {GROUPS:,} groups, {GROUPS * MEMBERS_PER_GROUP:,} members, "
        f"{GROUPS * MEETINGS_PER_GROUP + (SMALL + 2 * LARGE) // MEMBERS_PER_GROUP:,} meetings "
        f"in {seconds:.1f} s"
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"broker: {settings.CELERY_BROKER_URL} (real Redis, as in production)\n"
        "due: reminders due in this sweep; sweep: the whole first sweep = calendar + claim +\n"
        "publish; calendar: meetings.calendar.invitations.collect (the calendar part's\n"
        "invitation candidates, in the same sweep); reminders = sweep - calendar = claim +\n"
        "publish; claim: the reminders' queries, row building and the insert; publish: the\n"
        "ids to Redis, in batches "
        f"of {send_batch_size()};\nread: the sweep's queries and row building only; again: "
        "the next minute's sweep (all claimed);\nbare: one plain SELECT of the same "
        "(meeting, member) rows."
    )
    header = ("due", "sweep", "calendar", "reminders", "claim", "publish", "queries", "read")
    header += ("again", "queries", "bare")
    print("{:>6} {:>8} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}".format(*header))
    for count in (SMALL, LARGE):
        row = measure(count)
        print(
            f"{row['due']:>6} {row['sweep_s']:>7.3f}s {row['calendar_s']:>8.3f}s "
            f"{row['reminders_s']:>8.3f}s {row['claim_s']:>7.3f}s "
            f"{row['publish_s']:>7.3f}s {row['queries']:>8} {row['read_s']:>7.3f}s "
            f"{row['again_s']:>7.3f}s {row['queries_again']:>8} {row['bare_s']:>7.4f}s"
        )
    recap = measure_recaps_and_digest()
    print(
        f"recaps and health digest: {LARGE:,} recaps + 1 digest claimed and published in "
        f"{recap['sweep_s']:.3f} s ({recap['queries']} queries), again {recap['again_s']:.3f} s; "
        f"building the digest over {GROUPS:,} groups {recap['build_s']:.3f} s "
        f"({recap['build_queries']} queries)"
    )
    # The last row is the 5,000: the issue's target is the reminders' claim and publish.
    ok = row["reminders_s"] < TARGET_SECONDS
    print(
        f"{'PASS' if ok else 'MISS'}: {LARGE:,} due reminders claimed and published to Redis "
        f"in {row['reminders_s']:.2f} s (target < {TARGET_SECONDS:.0f} s); the whole sweep "
        f"{row['sweep_s']:.2f} s, of which calendar invitations {row['calendar_s']:.2f} s"
    )
    return 0 if ok else 1


def send_batch_size() -> int:  # read after django.setup()
    from mastermind.outbox import SEND_BATCH_SIZE

    return SEND_BATCH_SIZE


if __name__ == "__main__":
    sys.exit(main())
