"""Orchestration: :func:`propose_groups` prepares the input, runs the construction and local
search from several orders and size variants, then the exact model (or, where that is too
large, the improvement pass), and turns the best state into a :class:`Proposal` with its
warnings and whether it is proven optimal.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable

from groups.matching import exact, improve
from groups.matching.budgets import RESTART_MAX_UNITS, SAMPLED_ITERS_PER_UNIT, SMALL_N, TIME_LIMIT
from groups.matching.construction import _construct, _regroup_waitlist
from groups.matching.local_search import _exhaustive_search, _sampled_search, _steal
from groups.matching.model import Applicant, MatchWarning, Pair, Proposal, ProposedGroup
from groups.matching.scoring import _check_preference
from groups.matching.sizes import (
    _group_count_range,
    _largest_splittable,
    _off_size,
    size_plan,
)
from groups.matching.state import _delta_better, _State, _units_mask
from groups.matching.units import _Ctx, _difficulty, _placeable, _prepare, _seed


def _orders(ctx: _Ctx, units: list[int], restarts: int, rng: random.Random) -> list[list[int]]:
    keys = _difficulty(ctx)
    base = sorted(units, key=lambda u: (keys[u], u))
    out = [base]
    for _ in range(restarts - 1):
        noise = {u: rng.random() * 1.5 for u in units}
        out.append(sorted(units, key=lambda u: (keys[u][0] + noise[u], keys[u][1:], u)))
    return out


def _mean_sizes(ctx: _Ctx, n: int) -> list[float]:
    m = _largest_splittable(n, ctx.min_size, ctx.max_size)
    lo, hi = _group_count_range(m, ctx.min_size, ctx.max_size)
    if m == 0 or lo > hi:
        return [0.0]
    counts = range(lo, hi + 1) if hi - lo <= 4 else (lo, (lo + hi) // 2, hi)
    return [*(m / g for g in counts), 0.0]  # earlier variants win ties: fewer groups


def _run(ctx: _Ctx, order: list[int], mean: float, off: int | None, rng: random.Random) -> _State:
    st = _construct(ctx, order, mean, off)
    small = len(ctx.people) <= SMALL_N
    for _ in range(3):
        if small:
            _exhaustive_search(ctx, st, max_passes=20)
        else:
            _sampled_search(ctx, st, SAMPLED_ITERS_PER_UNIT * len(order), rng)
        if not _regroup_waitlist(ctx, st, order) and not _steal(ctx, st):
            break
    return st


def _heuristic(ctx: _Ctx, units: list[int], off: int | None, rng: random.Random) -> _State:
    n = sum(ctx.usize(u) for u in units)
    small = len(ctx.people) <= SMALL_N
    restarts = 1 if not small else (6 if len(units) <= RESTART_MAX_UNITS else 2)
    orders = _orders(ctx, units, restarts, rng)
    means = _mean_sizes(ctx, n) if small else _mean_sizes(ctx, n)[-1:]
    best: _State | None = None
    for order in orders:
        for mean in means:
            st = _run(ctx, order, mean, off, rng)
            if best is None or _delta_better(
                (st.placed - best.placed, st.total - best.total), (0, 0.0)
            ):
                best = st
    assert best is not None  # noqa: S101 - orders and means are never empty
    return best


def _solve(
    ctx: _Ctx, units: list[int], off: int | None, rng: random.Random, limit: float
) -> exact.Outcome:
    """Heuristic, then the exact model; where that is too large, the improvement pass.
    The stages are looked up through their modules, so the benchmark can switch them off."""
    st = _heuristic(ctx, units, off, rng)
    start = time.monotonic()
    outcome = exact.exact(ctx, units, off, st, limit * 3 / 4)
    left = max(limit - (time.monotonic() - start), 0.0)
    if outcome is None:
        return exact.Outcome(improve.improve(ctx, st, rng, left), False, None)
    if not outcome.proven:  # out of time: polish the answer, the bound still holds
        better = improve.improve(ctx, outcome.state, rng, left)
        return exact.Outcome(better, False, outcome.bound)
    return outcome


def _names(mask: int, bits: dict[str, int]) -> tuple[str, ...]:
    return tuple(sorted(name for name, bit in bits.items() if mask & bit))


def _proposed_group(ctx: _Ctx, members: list[int]) -> ProposedGroup:
    idx = sorted(i for u in members for i in ctx.units[u])
    seen = dup = 0
    for i in idx:
        dup |= seen & ctx.tmask[i]
        seen |= ctx.tmask[i]
    return ProposedGroup(
        member_ids=tuple(ctx.people[i].id for i in idx),
        shared_slots=_names(_units_mask(ctx, members), ctx.slot_bits),
        shared_topics=_names(dup, ctx.topic_bits),
        score=ctx.score_units(members),
    )


def _ids(ctx: _Ctx, units: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(ctx.people[i].id for u in units for i in ctx.units[u]))


def _result_warnings(
    ctx: _Ctx, st: _State, excluded: list[int], n_eff: int, off: int | None
) -> list[MatchWarning]:
    sizes = (("min_size", ctx.min_size), ("max_size", ctx.max_size))
    out = list(ctx.warnings)
    if excluded:
        out.append(MatchWarning("no_shared_slot", _ids(ctx, excluded), sizes[:1]))
    if size_plan(n_eff, ctx.min_size, ctx.max_size) is None and off is None:
        extra = n_eff - _largest_splittable(n_eff, ctx.min_size, ctx.max_size)
        params = (("n", n_eff), *sizes, ("waitlisted", extra))
        out.append(MatchWarning("size_infeasible", (), params))
    for g, members in enumerate(st.groups):
        if not ctx.min_size <= st.size[g] <= ctx.max_size:
            params = (("size", st.size[g]), *sizes)
            out.append(MatchWarning("off_size_group", _ids(ctx, members), params))
    if st.waitlist:
        waiting = _ids(ctx, st.waitlist)
        out.append(MatchWarning("waitlisted", waiting, (("count", len(waiting)),)))
    return out


def _proposal(
    ctx: _Ctx, outcome: exact.Outcome, warnings: list[MatchWarning], extra: list[int]
) -> Proposal:
    st = outcome.state
    groups = sorted((_proposed_group(ctx, m) for m in st.groups), key=lambda g: g.member_ids)
    waitlist = tuple(sorted(_ids(ctx, [*st.waitlist, *extra])))
    return Proposal(
        groups=tuple(groups),
        waitlist=waitlist,
        warnings=tuple(warnings),
        score=sum(g.score for g in groups),
        proven_optimal=outcome.proven,
        gap=outcome.gap(),
    )


def _too_few(ctx: _Ctx) -> Proposal:
    ids = tuple(a.id for a in ctx.people)
    params = (("n", len(ids)), ("min_size", ctx.min_size))
    warnings = (*ctx.warnings, MatchWarning("too_few", ids, params))
    return Proposal((), ids, warnings, 0.0, proven_optimal=True, gap=None)


def propose_groups(
    applicants: Iterable[Applicant],
    *,
    min_size: int = 4,
    max_size: int = 5,
    keep_apart: Iterable[Pair] = (),
    keep_together: Iterable[Pair] = (),
    topic_preference: str = "similar",
    allow_off_size: bool = False,
    time_limit: float = TIME_LIMIT,
) -> Proposal:
    """Propose a partition into groups plus a waitlist; never raises for infeasible input.

    ``time_limit`` (seconds) bounds the solver stages: three quarters for the exact model,
    the rest for the improvement pass where that was cut short (all of it where the model is
    too large); with ``allow_off_size`` the search may run twice.  Within the limit the answer is
    deterministic; an answer cut short is not claimed optimal.

    Raises ValueError only for invalid arguments (duplicate ids, bad sizes, unknown
    ``topic_preference``).  Constraint pairs naming unknown ids are ignored.
    """
    if min_size < 1 or max_size < min_size or time_limit < 0:
        raise ValueError("need 1 <= min_size <= max_size and time_limit >= 0")
    comp = _check_preference(topic_preference)
    ctx = _prepare(applicants, min_size, max_size, keep_apart, keep_together, comp)
    if len(ctx.people) < min_size:
        return _too_few(ctx)
    ok = _placeable(ctx)
    units = [u for u in range(len(ctx.units)) if ok[u]]
    excluded = [u for u in range(len(ctx.units)) if not ok[u]]
    n_eff = sum(ctx.usize(u) for u in units)
    rng = random.Random(_seed(ctx, (min_size, max_size, comp, allow_off_size)))  # noqa: S311
    outcome = _solve(ctx, units, None, rng, time_limit)
    off = None
    if allow_off_size and size_plan(n_eff, min_size, max_size) is None:
        off = _off_size(n_eff, min_size, max_size)
        if off is not None:
            alt = _solve(ctx, units, off, rng, time_limit)
            if alt.state.placed > outcome.state.placed:
                outcome = alt
            else:
                off = None
    warnings = _result_warnings(ctx, outcome.state, excluded, n_eff, off)
    return _proposal(ctx, outcome, warnings, excluded)
