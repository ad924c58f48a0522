"""Benchmark groups.matching: speed on 1,000 applicants and quality against an exact ILP.

Run from the repository root: ``python bench/bench_matching.py``.  Needs PuLP (dev-only,
bundled CBC solver) for the exact optimum.
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulp

from groups.matching import Applicant, exact, group_score, propose_groups

SLOTS = [f"{day}-{hour}" for day in ("mon", "tue", "wed", "thu", "fri") for hour in (18, 19, 20)]
TOPICS = [
    "career",
    "leadership",
    "sales",
    "marketing",
    "finance",
    "hiring",
    "product",
    "health",
    "family",
    "startup",
    "writing",
    "tech",
]
MIN_SIZE, MAX_SIZE = 4, 5
SPEED_N, SPEED_RUNS, SPEED_TARGET = 1000, 3, 2.0
QUALITY_INSTANCES, QUALITY_TARGET = 30, 0.95


def random_applicants(n: int, rng: random.Random) -> list[Applicant]:
    return [
        Applicant(
            id=i,
            slots=frozenset(rng.sample(SLOTS, rng.randint(2, 6))),
            topics=frozenset(rng.sample(TOPICS, rng.randint(1, 4))),
            language="de" if rng.random() < 0.8 else "en",
        )
        for i in range(n)
    ]


def feasible_groups(people: list[Applicant]) -> list[tuple[tuple[int, ...], float]]:
    """All groups of allowed size with a shared slot, with their score."""
    out = []
    for size in range(MIN_SIZE, MAX_SIZE + 1):
        for combo in itertools.combinations(people, size):
            if frozenset.intersection(*(a.slots for a in combo)):
                out.append((tuple(a.id for a in combo), group_score(combo)))
    return out


def exact_optimum(people: list[Applicant]) -> tuple[int, float]:
    """Set-partitioning ILP: maximise people placed, then total score (two solves)."""
    groups = feasible_groups(people)
    if not groups:
        return 0, 0.0
    x = [pulp.LpVariable(f"g{k}", cat="Binary") for k in range(len(groups))]
    sizes = [len(ids) for ids, _ in groups]
    prob = pulp.LpProblem("placed", pulp.LpMaximize)
    prob += pulp.lpSum(s * v for s, v in zip(sizes, x, strict=True))
    for a in people:
        prob += pulp.lpSum(v for (ids, _), v in zip(groups, x, strict=True) if a.id in ids) <= 1
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    placed = round(pulp.value(prob.objective))
    prob += pulp.lpSum(s * v for s, v in zip(sizes, x, strict=True)) >= placed
    prob.setObjective(pulp.lpSum(sc * v for (_, sc), v in zip(groups, x, strict=True)))
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    return placed, float(pulp.value(prob.objective))


def random_partition(people: list[Applicant], rng: random.Random) -> tuple[int, float]:
    """A random maximal packing of valid groups (everyone else waitlisted)."""
    groups = feasible_groups(people)
    rng.shuffle(groups)
    used: set[int] = set()
    placed, score = 0, 0.0
    for ids, sc in groups:
        if used.isdisjoint(ids):
            used.update(ids)
            placed += len(ids)
            score += sc
    return placed, score


def bench_speed() -> float:
    times = []
    for run in range(SPEED_RUNS):
        people = random_applicants(SPEED_N, random.Random(1000 + run))
        start = time.perf_counter()
        proposal = propose_groups(people)
        times.append(time.perf_counter() - start)
        print(
            f"  run {run + 1}: {times[-1]:.3f} s, {len(proposal.groups)} groups, "
            f"{len(proposal.waitlist)} waitlisted"
        )
    return statistics.median(times)


def ratio(value: float, best: float) -> float:
    return value / best if best > 0 else 1.0


def heuristic_only(people: list[Applicant]) -> float:
    """Objective with the small-instance branch and bound switched off."""
    saved = exact.EXACT_MAX_UNITS
    exact.EXACT_MAX_UNITS = 0
    try:
        return propose_groups(people).score
    finally:
        exact.EXACT_MAX_UNITS = saved


def bench_quality() -> tuple[list[float], list[float], list[float], int]:
    ours, heur, rand, fewer_placed = [], [], [], 0
    for k in range(QUALITY_INSTANCES):
        rng = random.Random(k)
        people = random_applicants(rng.randint(8, 20), rng)
        opt_placed, opt_score = exact_optimum(people)
        proposal = propose_groups(people)
        placed = len(people) - len(proposal.waitlist)
        fewer_placed += placed < opt_placed
        ours.append(ratio(proposal.score, opt_score))
        heur.append(ratio(heuristic_only(people), opt_score))
        rand.append(ratio(random_partition(people, rng)[1], opt_score))
        print(
            f"  #{k:2d} n={len(people):2d} placed {placed:2d}/{opt_placed:2d} "
            f"score {proposal.score:8.1f} / opt {opt_score:8.1f} = {ours[-1]:.4f} "
            f"(heuristic only {heur[-1]:.4f}, random {rand[-1]:.3f})"
        )
    return ours, heur, rand, fewer_placed


def main() -> int:
    started = time.perf_counter()
    print(f"python {sys.version.split()[0]}, pulp {pulp.__version__}")
    print(f"speed: {SPEED_N} applicants, median of {SPEED_RUNS}")
    median = bench_speed()
    print(f"speed median: {median:.3f} s (target < {SPEED_TARGET} s)")
    print(f"quality: {QUALITY_INSTANCES} random instances, 8..20 applicants, vs exact ILP")
    ours, heur, rand, fewer = bench_quality()
    print(f"ours / optimum:   min {min(ours):.4f}  mean {statistics.mean(ours):.4f}")
    print(f"heuristic only:   min {min(heur):.4f}  mean {statistics.mean(heur):.4f}")
    print(f"random / optimum: min {min(rand):.4f}  mean {statistics.mean(rand):.4f}")
    print(f"instances placing fewer people than the optimum: {fewer}")
    checks = {
        f"speed < {SPEED_TARGET} s": median < SPEED_TARGET,
        f"min ratio >= {QUALITY_TARGET}": min(ours) >= QUALITY_TARGET,
        "clearly better than random (mean +0.05)": (
            statistics.mean(ours) >= statistics.mean(rand) + 0.05
        ),
    }
    print(f"bench runtime: {time.perf_counter() - started:.1f} s")
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'MISS'}: {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
