"""Exact search for small inputs: enumerate every valid group, then a branch and bound over
them that starts from the heuristic's answer and replaces it only if it finds better.
It gives up (and the heuristic's answer stands) above ``EXACT_MAX_UNITS`` units or
``EXACT_MAX_GROUPS`` valid groups, and stops after ``EXACT_NODE_BUDGET`` candidate checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from groups.matching.scoring import EPS
from groups.matching.state import _State
from groups.matching.units import _Ctx

EXACT_MAX_UNITS = 22  # up to this many units: branch and bound over all valid groups
EXACT_MAX_GROUPS = 30_000
EXACT_NODE_BUDGET = 2_000_000  # candidate checks


class _TooManyGroupsError(Exception):
    pass


@dataclass(frozen=True)
class _Cand:
    units: tuple[int, ...]
    bits: int
    size: int
    score: float
    off: bool


def _enumerate(ctx: _Ctx, units: list[int], sizes: set[int]) -> list[_Cand]:
    """All valid groups (whole units, allowed size, shared slot, no keep-apart pair)."""
    out: list[_Cand] = []
    top = max(sizes)
    chosen: list[int] = []

    def rec(start: int, mask: int, size: int, bits: int) -> None:
        if size in sizes:
            members = tuple(chosen)
            off = not ctx.min_size <= size <= ctx.max_size
            out.append(_Cand(members, bits, size, ctx.score_units(members), off))
            if len(out) > EXACT_MAX_GROUPS:
                raise _TooManyGroupsError
        for k in range(start, len(units)):
            u = units[k]
            new_size, new_mask = size + ctx.usize(u), mask & ctx.umask[u]
            if new_size > top or not new_mask:
                continue
            if ctx.apart[u] and ctx.apart[u].intersection(chosen):
                continue
            chosen.append(u)
            rec(k + 1, new_mask, new_size, bits | 1 << k)
            chosen.pop()

    rec(0, -1, 0, 0)
    return out


@dataclass
class _BranchAndBound:
    by_unit: list[list[_Cand]]
    order: list[int]
    people: list[int]
    share: list[float]
    best: tuple[int, float]
    best_groups: list[_Cand] | None = None
    nodes: int = 0
    gone: dict[int, tuple[int, float]] = field(default_factory=dict)

    def better(self, placed: int, score: float) -> bool:
        return placed > self.best[0] or (placed == self.best[0] and score > self.best[1] + EPS)

    def dfs(
        self,
        decided: int,
        placed: int,
        score: float,
        rest: tuple[int, float],
        path: list[_Cand],
        off_used: bool,
    ) -> None:
        self.nodes += 1
        if self.nodes > EXACT_NODE_BUDGET or not self.better(placed + rest[0], score + rest[1]):
            return
        p = next((k for k in self.order if not decided >> k & 1), -1)
        if p < 0:
            self.best, self.best_groups = (placed, score), list(path)
            return
        for cand in self.by_unit[p]:
            self.nodes += 1
            if cand.bits & decided or (cand.off and off_used):
                continue
            gone = self.gone.get(cand.bits)
            if gone is None:
                gone = self.gone[cand.bits] = self._rest_of(cand.bits)
            if not self.better(placed + rest[0], score + cand.score + rest[1] - gone[1]):
                continue
            path.append(cand)
            self.dfs(
                decided | cand.bits,
                placed + cand.size,
                score + cand.score,
                (rest[0] - gone[0], rest[1] - gone[1]),
                path,
                off_used or cand.off,
            )
            path.pop()
        self.dfs(
            decided | 1 << p,
            placed,
            score,
            (rest[0] - self.people[p], rest[1] - self.share[p]),
            path,
            off_used,
        )

    def _rest_of(self, bits: int) -> tuple[int, float]:
        people, share = 0, 0.0
        while bits:
            low = bits & -bits
            k = low.bit_length() - 1
            people += self.people[k]
            share += self.share[k]
            bits ^= low
        return people, share


def _exact(ctx: _Ctx, units: list[int], off: int | None, incumbent: _State) -> _State | None:
    """Branch and bound over all valid groups; None if too big or no better than incumbent."""
    if len(units) > EXACT_MAX_UNITS:
        return None
    sizes = set(range(ctx.min_size, ctx.max_size + 1)) | ({off} if off else set())
    try:
        cands = _enumerate(ctx, units, sizes)
    except _TooManyGroupsError:
        return None
    by_unit: list[list[_Cand]] = [[] for _ in units]
    for cand in sorted(cands, key=lambda c: (-c.score / c.size, c.units)):
        for k in range(len(units)):
            if cand.bits >> k & 1:
                by_unit[k].append(cand)
    people = [ctx.usize(u) for u in units]
    share = [
        max((c.score / c.size for c in by_unit[k]), default=0.0) * people[k]
        for k in range(len(units))
    ]
    live = [k for k in range(len(units)) if by_unit[k]]
    bnb = _BranchAndBound(
        by_unit,
        sorted(live, key=lambda k: (len(by_unit[k]), k)),
        people,
        share,
        (incumbent.placed, incumbent.total),
    )
    dead = sum(1 << k for k in range(len(units)) if not by_unit[k])
    bnb.dfs(dead, 0, 0.0, (sum(people[k] for k in live), sum(share[k] for k in live)), [], False)
    if bnb.best_groups is None:
        return None
    st = _State([], [], [], [], [], [-1] * len(ctx.units), set(units))
    for cand in bnb.best_groups:
        bounds = (cand.size, cand.size) if cand.off else (ctx.min_size, ctx.max_size)
        st.add_group(ctx, list(cand.units), *bounds)
    return st
