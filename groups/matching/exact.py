"""Exact stage for small and medium inputs: enumerate every valid group, then solve the
set-packing model over all of them, starting from the heuristic's answer: directly with
HiGHS (:mod:`groups.matching.packing`) up to ``PRICED_FROM`` groups, by column generation
and reduced-cost fixing above (:mod:`groups.matching.priced`).  Gives up (the heuristic's
answer stands, unproven) when there are more than ``ENUMERATE_MAX`` valid groups or
enumerating them takes half the time; within its limits it proves its answer optimal or
reports the solver's bound as a gap.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from groups.matching.arrays import Groups, TooManyGroupsError, enumerate_arrays
from groups.matching.budgets import ENUMERATE_MAX, PRICED_FROM
from groups.matching.packing import Cand, solve_packing
from groups.matching.priced import solve_priced
from groups.matching.scoring import EPS, W_LANG, W_SLOT, W_TOPIC, _slot_term
from groups.matching.sizes import _largest_splittable
from groups.matching.state import _State
from groups.matching.units import _Ctx


class _TooManyGroupsError(Exception):
    pass


@dataclass(frozen=True)
class Outcome:
    state: _State
    proven: bool
    bound: float | None  # the solver's bound on the score; None: head count not proven

    def gap(self) -> float | None:
        """How far the score may be below the best possible, as a fraction of the bound."""
        if self.proven or self.bound is None:
            return None
        return max(1.0 - self.state.total / self.bound, 0.0) if self.bound > 0 else 0.0


def enumerate_groups(
    ctx: _Ctx, units: list[int], sizes: set[int], cap: int, deadline: float = math.inf
) -> list[Cand]:
    """All valid groups of whole ``units`` (allowed size, a shared slot, no keep-apart pair);
    raises _TooManyGroupsError past ``cap`` groups or past ``deadline`` (``time.monotonic``)."""
    out: list[Cand] = []
    top = max(sizes)
    chosen: list[int] = []

    def rec(start: int, mask: int, size: int, bits: int) -> None:
        if size in sizes:
            members = tuple(chosen)
            off = not ctx.min_size <= size <= ctx.max_size
            out.append(Cand(members, bits, size, ctx.score_units(members), off))
            if len(out) > cap or (not len(out) % 4096 and time.monotonic() > deadline):
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


def allowed_sizes(ctx: _Ctx, off: int | None) -> set[int]:
    return set(range(ctx.min_size, ctx.max_size + 1)) | ({off} if off else set())


def state_from(ctx: _Ctx, units: list[int], groups: list[Cand], rest: _State | None) -> _State:
    """A state with ``groups`` (over ``units``) plus, if given, ``rest``'s other groups."""
    st = _State([], [], [], [], [], [-1] * len(ctx.units), set(units))
    inside = set(units)
    if rest is not None:
        st.waitlist |= rest.waitlist
        for g, members in enumerate(rest.groups):
            if members and not inside.intersection(members):
                st.add_group(ctx, list(members), rest.lo[g], rest.hi[g])
    for cand in groups:
        bounds = (cand.size, cand.size) if cand.off else (ctx.min_size, ctx.max_size)
        st.add_group(ctx, list(cand.units), *bounds)
    return st


def hint_for(cands: list[Cand], units: list[int], st: _State) -> list[int]:
    index = {u: k for k, u in enumerate(units)}
    by_bits = {c.bits: j for j, c in enumerate(cands)}
    hint = []
    for members in st.groups:
        if all(u in index for u in members):
            j = by_bits.get(sum(1 << index[u] for u in members))
            if j is not None:
                hint.append(j)
    return hint


def _obviously_optimal(ctx: _Ctx, units: list[int], off: int | None, st: _State) -> bool:
    """Cheap proof: as many placed as the sizes allow, and each placed person scoring the
    most any member with their evenings could (as in a crowd sharing one evening)."""
    people = sum(ctx.usize(u) for u in units)
    most = people if off else _largest_splittable(people, ctx.min_size, ctx.max_size)
    if st.placed < most:
        return False
    best = sorted(
        (
            W_SLOT * _slot_term(ctx.smask[i].bit_count()) + W_TOPIC + W_LANG
            for u in units
            for i in ctx.units[u]
        ),
        reverse=True,
    )
    return st.total >= sum(best[: st.placed]) - EPS


def _surely_too_many(ctx: _Ctx, units: list[int], sizes: set[int], cap: int) -> bool:
    """True if the groups sharing one single evening already exceed ``cap`` (counted by
    size, ignoring keep-apart pins, which are few): enumerating would be wasted."""
    bits = 0
    for u in units:
        bits |= ctx.umask[u]
    top = max(sizes)
    while bits:
        low = bits & -bits
        bits ^= low
        ways = [1] + [0] * top
        for u in units:
            if ctx.umask[u] & low:
                k = ctx.usize(u)
                for size in range(top, k - 1, -1):
                    ways[size] += ways[size - k]
        if sum(ways[s] for s in sizes) > 2 * cap:
            return True
    return False


def exact(
    ctx: _Ctx, units: list[int], off: int | None, incumbent: _State, seconds: float
) -> Outcome | None:
    """Solve over all valid groups within ``seconds`` (enumerating them may take half);
    None if there are too many to enumerate in that time."""
    start = time.monotonic()
    if not units or _obviously_optimal(ctx, units, off, incumbent):
        return Outcome(incumbent, True, incumbent.total)
    if _surely_too_many(ctx, units, allowed_sizes(ctx, off), ENUMERATE_MAX):
        return None
    sizes, deadline = allowed_sizes(ctx, off), start + seconds / 2
    try:
        groups = enumerate_arrays(ctx, units, sizes, ENUMERATE_MAX, deadline)
        if groups is None:  # masks too wide for arrays
            cands = enumerate_groups(ctx, units, sizes, ENUMERATE_MAX, deadline)
            groups = Groups.from_cands(cands, units) if cands else None
    except (_TooManyGroupsError, TooManyGroupsError):
        return None
    if not groups:
        return Outcome(incumbent, True, incumbent.total)
    people = sum(ctx.usize(u) for u in units)
    hint = groups.find([tuple(members) for members in incumbent.groups if members])
    left = max(seconds - (time.monotonic() - start), 0.0)
    if len(groups) > PRICED_FROM:
        result = solve_priced(groups, people, hint, time_limit=left)
    else:
        cands = [groups.cand(j) for j in range(len(groups))]
        result = solve_packing(cands, len(units), people, hint, time_limit=left)
    st = state_from(ctx, units, [groups.cand(j) for j in result.chosen], None)
    return Outcome(st, result.proven, result.bound)
