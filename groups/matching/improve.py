"""Improvement pass where the exact model is too large (roughly 25 to ``IMPROVE_MAX_N``
people): a large-neighbourhood search.  Each round takes a few groups that share evenings
(around a waitlisted person when there is one, else around a random group) plus some of the
waitlist, enumerates every valid group of those people and solves the set-packing model over
them exactly (:mod:`groups.matching.packing`); the answer replaces the round's groups only if
it places more people or scores higher.  Rounds are drawn from the solve's seeded
``random.Random``, so the pass is deterministic unless its time limit strikes.
"""

from __future__ import annotations

import random
import time

from groups.matching.budgets import (
    IMPROVE_MAX_GROUPS,
    IMPROVE_MAX_N,
    IMPROVE_MAX_WAITING,
    IMPROVE_NEIGHBOURS,
    IMPROVE_ROUND_LIMIT,
    IMPROVE_ROUNDS,
    IMPROVE_STALE_ROUNDS,
)
from groups.matching.exact import (
    _surely_too_many,
    _TooManyGroupsError,
    enumerate_groups,
    hint_for,
    state_from,
)
from groups.matching.packing import solve_packing
from groups.matching.state import _delta_better, _State, _units_mask
from groups.matching.units import _Ctx


def _overlap(ctx: _Ctx, members: list[int], mask: int) -> int:
    return sum(1 for u in members if ctx.umask[u] & mask)


def _neighbourhood(ctx: _Ctx, st: _State, rng: random.Random) -> tuple[list[int], list[int]]:
    """(groups, waitlisted units) of one round; off-size groups are left alone."""
    bounds = (ctx.min_size, ctx.max_size)
    regular = [g for g in range(len(st.groups)) if (st.lo[g], st.hi[g]) == bounds]
    waiting = sorted(st.waitlist)
    if waiting and rng.random() < 0.7:
        seed_unit = rng.choice(waiting)
        mask, chosen, pool = ctx.umask[seed_unit], [], regular
    elif regular:
        g0 = rng.choice(regular)
        mask, chosen = _units_mask(ctx, st.groups[g0]), [g0]
        pool = [g for g in regular if g != g0]
    else:
        return [], []
    ranked = sorted(pool, key=lambda g: (-_overlap(ctx, st.groups[g], mask), rng.random()))
    chosen += [g for g in ranked if _overlap(ctx, st.groups[g], mask)][
        : IMPROVE_NEIGHBOURS + 1 - len(chosen)
    ]
    reach = mask
    for g in chosen:
        for u in st.groups[g]:
            reach |= ctx.umask[u]
    near = [u for u in waiting if ctx.umask[u] & reach]
    rng.shuffle(near)
    return chosen, near[:IMPROVE_MAX_WAITING]


def _resolve(
    ctx: _Ctx, st: _State, groups: list[int], waiting: list[int], deadline: float
) -> _State | None:
    """The round's people re-packed exactly; None if that is no better (or too large)."""
    sizes = set(range(ctx.min_size, ctx.max_size + 1))
    while True:
        units = sorted({u for g in groups for u in st.groups[g]} | set(waiting))
        try:
            if _surely_too_many(ctx, units, sizes, IMPROVE_MAX_GROUPS // 2):
                raise _TooManyGroupsError
            cands = enumerate_groups(ctx, units, sizes, IMPROVE_MAX_GROUPS)
            break
        except _TooManyGroupsError:
            if waiting:
                waiting = waiting[: len(waiting) // 2]
            elif len(groups) > 1:
                groups = groups[:-1]
            else:
                return None
    if not cands:
        return None
    people = sum(ctx.usize(u) for u in units)
    result = solve_packing(
        cands,
        len(units),
        people,
        hint_for(cands, units, st),
        time_limit=min(IMPROVE_ROUND_LIMIT, max(deadline - time.perf_counter(), 0.0)),
    )
    new = state_from(ctx, units, [cands[j] for j in result.chosen], st)
    if not _delta_better((new.placed - st.placed, new.total - st.total), (0, 0.0)):
        return None
    return new


def improve(ctx: _Ctx, st: _State, rng: random.Random, seconds: float) -> _State:
    """Run the pass on ``st`` (inputs up to ``IMPROVE_MAX_N`` people) and return the result;
    ``seconds`` limits the pass (the rounds are counted too, and usually end first)."""
    if len(ctx.people) > IMPROVE_MAX_N or not st.groups:
        return st
    deadline = time.perf_counter() + seconds
    stale = 0
    for _ in range(IMPROVE_ROUNDS):
        if stale >= IMPROVE_STALE_ROUNDS or time.perf_counter() > deadline:
            break
        groups, waiting = _neighbourhood(ctx, st, rng)
        new = _resolve(ctx, st, groups, waiting, deadline) if groups or waiting else None
        if new is None:
            stale += 1
        else:
            st, stale = new, 0
    return st
