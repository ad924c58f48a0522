"""Shared helpers for the benchmarks: a PostgreSQL database, gunicorn, wrk.

Benchmarks print figures measured side by side in one run; they are never tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/mastermind_bench"


def bench_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("BENCH_DATABASE_URL", DEFAULT_DB)
    env["DATABASE_URL"] = env["BENCH_DATABASE_URL"]
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env.update(extra)
    return env


def setup_django() -> None:
    """Configure Django in this process against the benchmark database."""
    os.environ.update(bench_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def recreate_database() -> None:
    url = bench_env()["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", admin, "-qc", sql], check=True)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "-v0", "--noinput"], cwd=ROOT, env=bench_env(), check=True
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(*, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve the app with gunicorn on a free loopback port; yields the base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "mastermind.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env or bench_env(),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def require_wrk() -> str:
    path = shutil.which("wrk")
    if not path:
        sys.exit("wrk is not installed: apt-get install wrk (make bench does this)")
    return path


WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("JSON{\\"requests\\": %d, \\"bytes\\": %d, \\"errors\\": %d, "
    .. "\\"non2xx\\": %d, "
    .. "\\"seconds\\": %f, \\"p50_ms\\": %f, \\"p95_ms\\": %f, \\"p99_ms\\": %f, "
    .. "\\"extra\\": %s}\\n",
    summary.requests, summary.bytes,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.status, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, report_extra and report_extra() or "{}"))
end
"""


def wrk(
    url: str,
    *,
    connections: int,
    seconds: int = 8,
    threads: int = 2,
    headers: dict[str, str] | None = None,
    script: str = "",
) -> dict:
    """Run wrk; returns requests/s, latency percentiles and error counts.

    A ``script`` may define ``report_extra()`` returning a JSON object (as a string) that
    comes back under "extra", e.g. counts of status codes gathered in ``response()``.
    """
    RESULTS.mkdir(parents=True, exist_ok=True)
    lua = RESULTS / "wrk_script.lua"
    lua.write_text(script + WRK_REPORT, encoding="utf-8")
    args = [require_wrk(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    for key, value in (headers or {}).items():
        args += ["-H", f"{key}: {value}"]
    output = subprocess.run(
        [*args, "-s", str(lua), url], capture_output=True, text=True, check=True
    ).stdout
    data = json.loads(re.search(r"JSON(\{.*\})", output).group(1))
    data["rps"] = data["requests"] / data["seconds"]
    return data


def machine() -> str:
    cores = os.cpu_count()
    with open("/proc/meminfo") as meminfo:
        kib = int(meminfo.readline().split()[1])
    return f"{cores} cores, {kib / 1024 / 1024:.0f} GiB"
