"""Greedy construction: seed each group with the hardest-to-place unit and grow it by the
best-scoring compatible unit; also used to form new groups from the waitlist.
"""

from __future__ import annotations

import math

from groups.matching.budgets import GROW_CANDIDATES, SMALL_N
from groups.matching.scoring import EPS
from groups.matching.sizes import _even_plan, _group_count_range, _largest_splittable
from groups.matching.state import _compatible, _State
from groups.matching.units import _Ctx


def _grow(
    ctx: _Ctx, seed: int, target: int, pool: list[int], alive: list[bool], limit: int
) -> list[int]:
    members = [seed]
    size, mask = ctx.usize(seed), ctx.umask[seed]
    while size < target:
        best, best_score, seen = -1, -math.inf, 0
        for u in pool:
            if not alive[u] or u in members or size + ctx.usize(u) > target:
                continue
            if not _compatible(ctx, members, mask, u):
                continue
            sc = ctx.score_units([*members, u])
            if sc > best_score + EPS:
                best, best_score = u, sc
            seen += 1
            if seen >= limit:
                break
        if best < 0:
            break
        members.append(best)
        size += ctx.usize(best)
        mask &= ctx.umask[best]
    return members


def _next_target(ctx: _Ctx, remaining: int, mean_size: float) -> int | None:
    """Size to grow the next group to; ``mean_size <= 0`` means "tight": always min_size
    (most groups, best for placing everyone; the waitlist is inserted afterwards)."""
    m = _largest_splittable(remaining, ctx.min_size, ctx.max_size)
    if m < ctx.min_size:
        return None
    if mean_size <= 0:
        return ctx.min_size
    lo, hi = _group_count_range(m, ctx.min_size, ctx.max_size)
    g = min(hi, max(lo, round(m / mean_size)))
    return _even_plan(m, g)[0]


def _form_group(
    ctx: _Ctx, st: _State, pool: list[int], alive: list[bool], bounds: tuple[int, int, int]
) -> bool:
    """Try seeds in pool order; seeds that cannot reach `lo` are dropped to the waitlist."""
    lo, hi, target = bounds
    limit = GROW_CANDIDATES if len(pool) > SMALL_N else len(pool)
    for seed in pool:
        if not alive[seed]:
            continue
        members = _grow(ctx, seed, target, pool, alive, limit)
        size = sum(ctx.usize(u) for u in members)
        if size >= lo:
            st.add_group(ctx, members, lo, hi)
            for u in members:
                alive[u] = False
            return True
        if lo == ctx.min_size:  # cannot even reach the minimum: give up on this seed
            alive[seed] = False
    return False


def _construct(ctx: _Ctx, order: list[int], mean_size: float, off_size: int | None) -> _State:
    st = _State([], [], [], [], [], [-1] * len(ctx.units), set(order))
    alive = [False] * len(ctx.units)
    for u in order:
        alive[u] = True
    pool = list(order)
    if off_size is not None:
        _form_group(ctx, st, pool, list(alive), (off_size, off_size, off_size))
        for g in range(len(st.groups)):
            for u in st.groups[g]:
                alive[u] = False
    while True:
        pool = [u for u in pool if alive[u]]
        remaining = sum(ctx.usize(u) for u in pool)
        target = _next_target(ctx, remaining, mean_size)
        if target is None:
            break
        bounds = (ctx.min_size, ctx.max_size, target)
        if not _form_group(ctx, st, pool, alive, bounds):
            break
    return st


def _regroup_waitlist(ctx: _Ctx, st: _State, order: list[int]) -> bool:
    pool = [u for u in order if u in st.waitlist]
    alive = [False] * len(ctx.units)
    for u in pool:
        alive[u] = True
    before = len(st.groups)
    while True:
        remaining = sum(ctx.usize(u) for u in pool if alive[u])
        target = _next_target(ctx, remaining, ctx.max_size)
        if target is None or not _form_group(
            ctx, st, pool, alive, (ctx.min_size, ctx.max_size, target)
        ):
            break
    return len(st.groups) > before
