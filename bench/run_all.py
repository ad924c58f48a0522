"""Run every benchmark in turn: `make bench` (needs PostgreSQL, Redis and wrk)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ORDER = [
    "bench_matching.py",
    "bench_sweep.py",
    "bench_send.py",
    "bench_feed.py",
    "bench_form.py",
    "bench_pages.py",
]


def main() -> int:
    failed = []
    for name in ORDER:
        path = BENCH / name
        if not path.exists():
            print(f"-- {name}: not present, skipped")
            continue
        print(f"\n==== {name}", flush=True)
        if subprocess.run([sys.executable, str(path)], cwd=BENCH.parent, check=False).returncode:
            failed.append(name)
    if failed:
        print(f"\nBenchmarks that missed a target or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
