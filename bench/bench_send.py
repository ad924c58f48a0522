"""Benchmark the send side: 5,000 due reminders through one worker to a local SMTP sink.

Not a test. Creates ``mastermind_send_bench`` (dropped and re-created) with 1,000 groups of
5 members whose meeting's 24-hour reminder is due now, runs the reminder sweep (which
claims 5,000 reminders and publishes them to real Redis, database 9, flushed), then starts
one Celery worker (``celery -A mastermind worker``, default concurrency: one process per
core) against ``.ci/smtp_sink.py`` and measures the time until the outbox is empty: the
drain time, and messages per second.

    python bench/bench_send.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = "postgres://postgres@127.0.0.1:5432/mastermind_send_bench"
GROUPS, MEMBERS = 1_000, 5
TARGET_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SMTP_PORT = free_port()
ENV = {
    **os.environ,
    "DATABASE_URL": URL,
    "REDIS_URL": "redis://127.0.0.1:6379/9",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
    "LOG_LEVEL": "WARNING",
}


def main() -> int:
    from bench.bench_sweep import recreate_database

    os.environ.update(ENV)
    recreate_database(URL)
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.utils import timezone

    import mastermind.celery  # noqa: F401 - the app the sweep publishes with
    from groups.models import Group, Membership
    from mastermind.accounts.models import User
    from mastermind.outbox.models import Notification, NotificationStatus
    from meetings.models import Meeting
    from meetings.reminders import sweep as reminders

    call_command("migrate", verbosity=0)
    redis.Redis.from_url(ENV["REDIS_URL"]).flushdb()
    now = timezone.now()
    groups = Group.objects.bulk_create([Group(name=f"G{i}") for i in range(GROUPS)])
    users = User.objects.bulk_create(
        [
            User(email=f"s{i}@example.org", display_name=f"S{i}", password="!")  # noqa: S106
            for i in range(GROUPS * MEMBERS)
        ],
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        [
            Membership(group=groups[i // MEMBERS], user=u, joined_at=now - dt.timedelta(days=1))
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    start = now + dt.timedelta(hours=24) - dt.timedelta(minutes=1)
    Meeting.objects.bulk_create(
        [Meeting(group=g, starts_at=start, ends_at=start + dt.timedelta(hours=2)) for g in groups]
    )
    due = reminders.sweep(timezone.now()).new[reminders.MEETING_REMINDER]
    log = ROOT / "bench" / "results" / "send-sink.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    sink = subprocess.Popen(
        [sys.executable, ".ci/smtp_sink.py", "--port", str(SMTP_PORT), "--log", str(log)],
        cwd=ROOT,
        env=ENV,
    )
    time.sleep(0.5)
    started = time.monotonic()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mastermind", "worker", "-l", "WARNING"],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pending = Notification.objects.exclude(status=NotificationStatus.SENT)
    try:
        deadline = started + 300
        while pending.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        drain = time.monotonic() - started
    finally:
        for process in (worker, sink):
            process.send_signal(signal.SIGTERM)
        for process in (worker, sink):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    left = pending.count()
    received = [json.loads(line)["message_id"] for line in log.read_text().splitlines()]
    rate = len(received) / drain
    print(
        f"{due:,} due reminders through one worker ({os.cpu_count()} processes) to a local "
        f"SMTP sink: drained in {drain:.1f} s (worker start included), {rate:.0f} messages/s; "
        f"{len(set(received)):,} distinct Message-IDs, {left} left"
    )
    ok = left == 0 and drain < TARGET_SECONDS
    print(f"{'PASS' if ok else 'MISS'}: {due:,} drained in < {TARGET_SECONDS:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
