"""Benchmark the calendar feed against the same bytes served as a static file.

Run from the repository root: ``python bench/bench_feed.py`` (PostgreSQL, Redis and wrk).

A member in two groups with a year of fortnightly meetings each (agenda and presenters
from the app's own schedule and rotation services) subscribes to ``/calendar/<token>.ics``.
The feed body is written to ``bench/results/static-root/feed.ics`` before gunicorn starts,
so the same gunicorn + whitenoise stack serves byte-identical content as ``/feed.ics``.
wrk (2 threads, 16 connections) then measures, side by side and interleaved, the full
answer (200) and the conditional answer (304 for If-None-Match with the current ETag) of
both. An in-process breakdown times the layers between the two with the WSGI handler
called directly (no sockets): whitenoise, the middleware stack, the view, its two
validator queries, the cached validators (one Redis round trip, meetings.calendar.feed_cache),
the cache fetch of the body and the database round trip.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

CONNECTIONS = 16
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
WORKERS = (2, 3)  # targets are checked at the first
ROUNDS = 3  # each pair is measured ROUNDS times, alternating which goes first
TARGET_FULL = 0.45
TARGET_304 = 0.50
STATIC_NAME = "feed.ics"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:  # urllib treats 304 as an error
        return error.code, dict(error.headers), error.read()


def prepare() -> tuple[str, bytes, str]:
    """Build the data; return the feed path, its body and its ETag (from the app itself)."""
    from django.test import Client

    from bench import build
    from meetings.calendar.feed import settings_for

    member, groups = build.member_with_groups(groups=2)
    path = f"/calendar/{settings_for(member).feed_token}.ics"
    response = Client(SERVER_NAME="127.0.0.1").get(path)
    assert response.status_code == 200, response.status_code
    body = response.content
    print(f"feed: {len(groups)} groups, {body.count(b'BEGIN:VEVENT')} events, {len(body):,} bytes")
    static_root = common.RESULTS / "static-root"
    static_root.mkdir(parents=True, exist_ok=True)
    (static_root / STATIC_NAME).write_bytes(body)
    return path, body, response["ETag"]


# ----------------------------------------------------------------- in-process breakdown


def per_call_us(function, *, calls: int = 1500, batch: int = 100) -> float:
    """Median over batches of the mean time per call, in microseconds."""
    for _ in range(batch):
        function()
    means = []
    for _ in range(calls // batch):
        started = time.perf_counter()
        for _ in range(batch):
            function()
        means.append((time.perf_counter() - started) / batch * 1e6)
    return statistics.median(means)


def wsgi_caller(path: str, headers: dict[str, str] | None = None):
    """Call Django's WSGI application as gunicorn would, minus the socket."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()},
    }
    statuses, seen_headers = set(), {}

    def start_response(status, response_headers, exc_info=None):
        statuses.add(status.split()[0])
        seen_headers.update(response_headers)

    def call():
        result = application({**environ, "wsgi.input": io.BytesIO()}, start_response)
        for _chunk in result:
            pass
        if hasattr(result, "close"):
            result.close()

    call()
    return call, statuses, seen_headers


def breakdown(path: str, etag: str) -> dict[str, float]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import RequestFactory
    from django.utils import timezone

    from meetings.calendar import feed as calendar
    from meetings.calendar import feed_cache
    from meetings.calendar import views as views_calendar

    token = path.split("/")[-1].removesuffix(".ics")
    conditional = {"If-None-Match": etag}
    factory = RequestFactory(SERVER_NAME="127.0.0.1")
    state = calendar.feed_state(token=token, now=timezone.now())
    key = f"calendar:feed:{state.etag}"
    assert cache.get(key) is not None, "the feed body should be cached by now"

    def view(headers):
        return lambda: views_calendar.feed(factory.get(path, headers=headers), token=token)

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()

    static_etag = wsgi_caller(f"/{STATIC_NAME}")[2]["ETag"]
    figures = {}
    for name, (target, headers, status) in {
        "wsgi: static 200 (whitenoise)": (f"/{STATIC_NAME}", None, "200"),
        "wsgi: static 304 (whitenoise)": (
            f"/{STATIC_NAME}",
            {"If-None-Match": static_etag},
            "304",
        ),
        "wsgi: feed 200": (path, None, "200"),
        "wsgi: feed 304": (path, conditional, "304"),
    }.items():
        call, statuses, _headers = wsgi_caller(target, headers)
        assert statuses == {status}, (name, statuses)
        figures[name] = per_call_us(call)
    figures["view only: feed 200"] = per_call_us(view(None))
    figures["view only: feed 304"] = per_call_us(view(conditional))
    now = timezone.now()
    figures["feed_state (token + groups queries)"] = per_call_us(
        lambda: calendar.feed_state(token=token, now=now)
    )
    figures["token lookup query alone"] = per_call_us(lambda: calendar._owner_by_token(token, now))
    figures["cached validators (feed_cache, Redis)"] = per_call_us(
        lambda: feed_cache.feed_state(token=token, now=now)
    )
    figures["cache fetch of the body (Redis)"] = per_call_us(lambda: cache.get(key))
    figures["SELECT 1 round trip"] = per_call_us(select_one)
    figures["build_feed uncached (once per change)"] = per_call_us(
        lambda: calendar.build_feed(state), calls=20, batch=5
    )
    return figures


# ----------------------------------------------------------------------------- load test


def measure(url: str, headers: dict[str, str] | None = None) -> dict:
    return common.wrk(url, connections=CONNECTIONS, seconds=SECONDS, headers=headers)


def combine(runs: list[dict]) -> dict:
    requests = sum(run["requests"] for run in runs)
    seconds = sum(run["seconds"] for run in runs)
    return {
        "rps": requests / seconds,
        "p95_ms": max(run["p95_ms"] for run in runs),
        "bytes_per_request": sum(run["bytes"] for run in runs) / requests,
        "bad": sum(run["errors"] + run["non2xx"] for run in runs),
    }


def load_test(base: str, path: str, body: bytes, etag: str) -> dict[str, dict]:
    status, headers, static_body = fetch(f"{base}/{STATIC_NAME}")
    assert status == 200 and static_body == body, "the static twin must be the same bytes"
    static_etag = headers["ETag"]
    status, _headers, served = fetch(f"{base}{path}")
    assert status == 200 and served == body, "gunicorn must serve the body built in-process"
    assert fetch(f"{base}{path}", {"If-None-Match": etag})[0] == 304
    assert fetch(f"{base}/{STATIC_NAME}", {"If-None-Match": static_etag})[0] == 304
    cases = {
        "static 200": (f"{base}/{STATIC_NAME}", None),
        "feed 200": (f"{base}{path}", None),
        "static 304": (f"{base}/{STATIC_NAME}", {"If-None-Match": static_etag}),
        "feed 304": (f"{base}{path}", {"If-None-Match": etag}),
    }
    for url, headers in cases.values():  # warm both workers: imports, connections, caches
        common.wrk(url, connections=CONNECTIONS, seconds=1, headers=headers)
    runs: dict[str, list[dict]] = {name: [] for name in cases}
    for round_ in range(ROUNDS):
        for pair in (("static 200", "feed 200"), ("static 304", "feed 304")):
            for name in pair if round_ % 2 == 0 else reversed(pair):
                runs[name].append(measure(*cases[name]))
    return {name: combine(result) for name, result in runs.items()}


def report(workers: int, results: dict[str, dict]) -> tuple[float, float]:
    print(f"\nover HTTP, gunicorn {workers} sync workers: {ROUNDS} x {SECONDS} s each, interleaved")
    print(f"  {'':<12} {'req/s':>9} {'p95 ms':>8} {'bytes/req':>10} {'errors':>7}")
    for name, row in results.items():
        print(
            f"  {name:<12} {row['rps']:>9.0f} {row['p95_ms']:>8.1f} "
            f"{row['bytes_per_request']:>10.0f} {row['bad']:>7}"
        )
    full = results["feed 200"]["rps"] / results["static 200"]["rps"]
    conditional = results["feed 304"]["rps"] / results["static 304"]["rps"]
    print(f"  ratios: full feed / static = {full:.2f}, 304 / static 304 = {conditional:.2f}")
    return full, conditional


def main() -> int:
    common.require_wrk()
    common.recreate_database()
    common.setup_django()
    # The benchmark's own Redis database (REDIS_URL, default db 9) starts empty.
    subprocess.run(
        ["redis-cli", "-u", common.bench_env()["REDIS_URL"], "FLUSHDB"],
        check=True,
        capture_output=True,
    )
    path, body, etag = prepare()
    print(f"machine: {common.machine()}; wrk -t2 -c{CONNECTIONS}")
    print("\nin-process, per request (median of batch means), no sockets:")
    for name, micros in breakdown(path, etag).items():
        print(f"  {name:<40} {micros:>9.0f} us")
    measured = {}
    for workers in WORKERS:
        with common.gunicorn(workers=workers) as base:
            measured[workers] = load_test(base, path, body, etag)
        ratios = report(workers, measured[workers])
        if workers == WORKERS[0]:
            full, conditional = ratios
    # The targets hold for the default of 2 workers (one per core); 3 is shown for comparison.
    checks = [
        (
            f"full feed / static file = {full:.2f} at 2 workers (target >= {TARGET_FULL:.2f})",
            full >= TARGET_FULL,
        ),
        (
            f"304 feed / static 304 = {conditional:.2f} at 2 workers (target >= {TARGET_304:.2f})",
            conditional >= TARGET_304,
        ),
        (
            "no errors or non-2xx/3xx answers",
            all(row["bad"] == 0 for rows in measured.values() for row in rows.values()),
        ),
    ]
    for text, ok in checks:
        print(f"{'PASS' if ok else 'MISS'}: {text}")
    return 0 if all(ok for _text, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
