"""Benchmark three heavy pages in-process: the admin application list, the group page and
the organiser's home.

Run from the repository root: ``python bench/bench_pages.py`` (PostgreSQL, Redis).

* ``/admin/groups/application/`` with 10,000 applications (bulk_create, two intakes,
  mixed statuses, confirmed and not), signed in as an organiser (superuser);
* ``/groups/<pk>/`` for a member of a group with a year of meetings built by the app's
  schedule and rotation services (bench/build.py);
* ``/admin/``, the organiser's home, with 50 active groups of five and 300 meetings (250
  held, with absences, preparations and commitments; 50 ahead), built by the schedule
  service (``bench.build.dashboard_round``) after the groups above are deleted; the two
  intakes' funnels count the 10,000 applications.

Each page: the median time of ``RUNS`` requests through Django's test client (the whole
middleware stack, in this process, DEBUG off; two warm-up requests first), and the
number of SQL queries of one request (``CaptureQueriesContext``).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

APPLICATIONS = 10_000
RUNS = 10
TOPICS = ["Online Marketing", "Content Strategy", "Podcasting", "SEO", "Pricing", "Hiring"]
SLOTS = [f"{d}-{h}" for d in ("mon", "tue", "wed", "thu", "fri") for h in (18, 19, 20)]
# (page, median milliseconds, queries): budgets for a page an organiser or member waits on.
TARGETS = {
    "admin application list": (150.0, 10),
    "member group page": (50.0, 15),
    "organiser home": (150.0, 22),  # constant: each hook of the home runs its own few
}
DASHBOARD_GROUPS = 50


def applications() -> None:
    from django.conf import settings
    from django.utils import timezone

    from groups.models import Application, ApplicationStatus, Intake

    now = timezone.now()
    rng = random.Random(8)
    intakes = [
        Intake.objects.create(
            title=f"Mastermind Runde {n}",
            slug=f"runde-{n}",
            pitch="Für Selbstständige.",
            opens_at=now - dt.timedelta(days=30),
            deadline=now + dt.timedelta(days=30),
            topics=TOPICS,
        )
        for n in (1, 2)
    ]
    statuses = list(ApplicationStatus.values)
    Application.objects.bulk_create(
        [
            Application(
                intake=intakes[i % 2],
                name=f"Bewerberin {i}",
                email=f"applicant{i}@example.org",
                about="Ich berate kleine Agenturen zu Content und SEO. " * 5,
                topics=rng.sample(TOPICS, 2),
                topics_other="Preisgestaltung" if i % 3 == 0 else "",
                expectations="Ehrliches Feedback und Verbindlichkeit. " * 3,
                availability=sorted(rng.sample(SLOTS, 3)),
                consent_version=settings.PRIVACY_NOTICE_VERSION,
                consented_at=now,
                confirmed_at=now if i % 4 else None,
                status=statuses[i % len(statuses)] if i % 4 else ApplicationStatus.NEW,
            )
            for i in range(APPLICATIONS)
        ],
        batch_size=2000,
    )


def measure(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), len(queries)


def organiser_home(client) -> tuple[float, int]:
    from django.db import connection

    from bench import build
    from groups.models import Group
    from meetings.models import Meeting

    Group.objects.all().delete()
    started = time.perf_counter()
    build.dashboard_round(groups=DASHBOARD_GROUPS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"data: {DASHBOARD_GROUPS} groups, {Meeting.objects.count()} meetings "
        f"for the organiser's home, built in {time.perf_counter() - started:.1f} s"
    )
    return measure(client, "/admin/")


def main() -> int:
    common.recreate_database()
    common.setup_django()
    from django.db import connection
    from django.test import Client

    from bench import build
    from mastermind.accounts.models import User

    started = time.perf_counter()
    applications()
    member, groups = build.member_with_groups(groups=2)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"data: {APPLICATIONS:,} applications, 2 groups with a year of meetings, "
        f"built in {time.perf_counter() - started:.1f} s"
    )
    organiser = User.objects.create_superuser("organiser@example.org", display_name="Orga")
    admin_client, member_client = Client(SERVER_NAME="127.0.0.1"), Client(SERVER_NAME="127.0.0.1")
    admin_client.force_login(organiser)
    member_client.force_login(member)
    results = {
        "admin application list": measure(admin_client, "/admin/groups/application/"),
        "member group page": measure(member_client, f"/groups/{groups[0].pk}/"),
    }
    results["organiser home"] = organiser_home(admin_client)
    print(f"machine: {common.machine()}; in-process test client, median of {RUNS}")
    ok = True
    for name, (millis, queries) in results.items():
        max_ms, max_queries = TARGETS[name]
        print(f"  {name:<24} {millis:>7.1f} ms {queries:>4} queries")
        for text, passed in (
            (f"{name} median {millis:.1f} ms < {max_ms:.0f} ms", millis < max_ms),
            (f"{name} {queries} queries <= {max_queries}", queries <= max_queries),
        ):
            print(f"{'PASS' if passed else 'MISS'}: {text}")
            ok = ok and passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
