"""Benchmark the public application form /apply/<slug>/: GET and POST under load.

Run from the repository root: ``python bench/bench_form.py`` (PostgreSQL, Redis and wrk).

An open intake on the bench PostgreSQL database; gunicorn (2 sync workers, DEBUG off, rate
limits off in bench/settings.py); wrk with 2 threads and 8 connections. GET renders the
form. POST submits a complete, valid application with a unique email address per request
(thread id, counter and a random number, generated in the wrk Lua script) and the CSRF
cookie and token of one earlier GET; the answer is the 302 redirect to the thanks page.
Each POST saves an application, claims its confirmation email in the outbox and, on
commit, queues the Celery task on the Redis broker (database 9, flushed afterwards; no
worker runs). A Lua ``response()`` hook counts status codes: every answer must be the
expected one (200 for GET, 302 for POST), and the number of stored applications must
match the 302s.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

CONNECTIONS = 8
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
TARGET_GET_P95_MS = 50.0
TARGET_POST_P95_MS = 100.0
SLUG = "bench-runde"
TOPICS = ["Online Marketing", "Content Strategy", "Podcasting", "SEO"]

STATUS_SCRIPT = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  counter, expected, unexpected, first_unexpected = 0, 0, 0, 0
  math.randomseed(os.time() * 1000 + id)
end
function response(status, headers, body)
  if status == EXPECTED then
    expected = expected + 1
  else
    unexpected = unexpected + 1
    if first_unexpected == 0 then first_unexpected = status end
  end
end
function report_extra()
  local ok, bad, first = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("expected")
    bad = bad + thread:get("unexpected")
    if first == 0 then first = thread:get("first_unexpected") end
  end
  return string.format('{"expected": %d, "unexpected": %d, "first_unexpected": %d}', ok, bad, first)
end
"""

POST_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken=COOKIE"
function request()
  counter = counter + 1
  local email = string.format("bench-%d-%d-%d@example.org", id, counter, math.random(1, 1000000000))
  return wrk.format(nil, nil, nil, BODY .. "&email=" .. email)
end
"""


def create_intake() -> None:
    from django.utils import timezone

    from groups.models import Intake

    now = timezone.now()
    Intake.objects.create(
        title="Mastermind Runde Benchmark",
        slug=SLUG,
        pitch="Für Selbstständige im **Online-Marketing**: sechs Monate, alle zwei Wochen.",
        opens_at=now - dt.timedelta(days=1),
        deadline=now + dt.timedelta(days=30),
        topics=TOPICS,
    )


def csrf_pair(url: str) -> tuple[str, str]:
    """The csrftoken cookie and the form's csrfmiddlewaretoken of one GET."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
        cookies = response.headers.get_all("Set-Cookie") or []
        html = response.read().decode()
    cookie = next(
        re.match(r"csrftoken=([^;]+)", c).group(1) for c in cookies if c.startswith("csrftoken=")
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return cookie, token


def form_body(token: str) -> str:
    fields = [
        ("csrfmiddlewaretoken", token),
        ("name", "Bettina Benchmark"),
        ("about", "Ich berate kleine Agenturen zu Content und SEO, seit 2019 selbstständig."),
        ("topics", TOPICS[0]),
        ("topics", TOPICS[3]),
        ("topics_other", "Preisgestaltung"),
        ("expectations", "Ehrliches Feedback und Verbindlichkeit, alle zwei Wochen."),
        ("availability", "tue-19"),
        ("availability", "thu-19"),
        ("time_zone", "Europe/Berlin"),
        ("language", "de"),
        ("consent", "on"),
        ("website", ""),  # the honeypot stays empty
    ]
    return urllib.parse.urlencode(fields)


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def run(url: str, *, expected: int, script: str) -> dict:
    lua = STATUS_SCRIPT.replace("EXPECTED", str(expected)) + script
    return common.wrk(url, connections=CONNECTIONS, seconds=SECONDS, script=lua)


def main() -> int:
    common.require_wrk()
    common.recreate_database()
    common.setup_django()
    from django.conf import settings

    from groups.models import Application
    from mastermind.outbox.models import Notification

    assert settings.RATELIMIT_ENABLED is False, "bench/settings.py must switch rate limits off"
    assert not settings.DEBUG
    subprocess.run(["redis-cli", "-n", "9", "FLUSHDB"], check=True, capture_output=True)
    create_intake()
    print(f"machine: {common.machine()}; gunicorn 2 sync workers; wrk -t2 -c{CONNECTIONS}")
    print(
        f"rate limits enabled: {settings.RATELIMIT_ENABLED}; broker: {settings.CELERY_BROKER_URL}"
    )
    with common.gunicorn(workers=2) as base:
        url = f"{base}/apply/{SLUG}/"
        cookie, token = csrf_pair(url)
        post_script = POST_SCRIPT.replace("COOKIE", cookie).replace(
            "BODY", lua_string(form_body(token))
        )
        common.wrk(url, connections=CONNECTIONS, seconds=1)  # warm up both workers
        get = run(url, expected=200, script="")
        post = run(url, expected=302, script=post_script)
    stored = Application.objects.count()
    queued = Notification.objects.count()
    subprocess.run(["redis-cli", "-n", "9", "FLUSHDB"], check=True, capture_output=True)
    print(f"\n{SECONDS} s each   req/s   p50 ms   p95 ms   p99 ms   expected   other   errors")
    for name, row in (("GET  (200)", get), ("POST (302)", post)):
        extra = row["extra"]
        print(
            f"{name:<12} {row['rps']:>7.0f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row['p99_ms']:>8.1f} {extra['expected']:>10} {extra['unexpected']:>7} "
            f"{row['errors']:>8}"
        )
        if extra["unexpected"]:
            print(f"  first unexpected status: {extra['first_unexpected']}")
    print(f"applications stored: {stored:,}; confirmation emails claimed: {queued:,}")
    posted = post["extra"]["expected"]
    checks = [
        (
            f"GET p95 {get['p95_ms']:.1f} ms < {TARGET_GET_P95_MS:.0f} ms",
            get["p95_ms"] < TARGET_GET_P95_MS,
        ),
        (
            f"POST p95 {post['p95_ms']:.1f} ms < {TARGET_POST_P95_MS:.0f} ms",
            post["p95_ms"] < TARGET_POST_P95_MS,
        ),
        (
            "every answer as expected (GET 200, POST 302), no socket errors",
            all(r["extra"]["unexpected"] == 0 and r["errors"] == 0 for r in (get, post)),
        ),
        (
            f"one application and one email per 302 ({posted:,} redirects)",
            posted <= stored == queued <= posted + CONNECTIONS,
        ),
    ]
    for text, ok in checks:
        print(f"{'PASS' if ok else 'MISS'}: {text}")
    return 0 if all(ok for _text, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
