"""Local search: inserts from the waitlist, moves and swaps between groups, swaps with the
waitlist, one-step ejection chains, and steal moves (a new group from waitlisted people
plus spare members of other groups).  A move is made only if it keeps every hard
constraint and places more people or raises the score.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from groups.matching.state import _compatible, _delta_better, _State, _units_mask
from groups.matching.units import _Ctx


def _try_swap(
    ctx: _Ctx, st: _State, u: int, v: int, g: int
) -> tuple[tuple[int, float], list[int], float] | None:
    """Replace v (in group g) by u (from elsewhere); returns (delta, members, new score)."""
    members = [w for w in st.groups[g] if w != v]
    size = st.size[g] - (ctx.usize(v) if v >= 0 else 0) + ctx.usize(u)
    if not st.lo[g] <= size <= st.hi[g]:
        return None
    if not _compatible(ctx, members, _units_mask(ctx, members), u):
        return None
    members.append(u)
    sc = ctx.score_units(members)
    return (0, sc - st.score[g]), members, sc


@dataclass
class _Move:
    delta: tuple[int, float]
    changes: list[tuple[int, list[int], float]]  # (group, new members, new score)
    to_waitlist: tuple[int, ...] = ()
    from_waitlist: tuple[int, ...] = ()


def _removal(ctx: _Ctx, st: _State, u: int) -> tuple[list[int], float] | None:
    g = st.where[u]
    members = [w for w in st.groups[g] if w != u]
    if st.size[g] - ctx.usize(u) < st.lo[g]:
        return None
    return members, ctx.score_units(members)


def _moves_from_group(ctx: _Ctx, st: _State, u: int, b: int) -> list[_Move]:
    a = st.where[u]
    out: list[_Move] = []
    rem = _removal(ctx, st, u)
    if rem is not None:
        ins = _try_swap(ctx, st, u, -1, b)
        if ins is not None:
            d = ins[0][1] + rem[1] - st.score[a]
            out.append(_Move((0, d), [(a, rem[0], rem[1]), (b, ins[1], ins[2])]))
    for v in st.groups[b]:
        fwd = _try_swap(ctx, st, u, v, b)
        if fwd is None:
            continue
        back = _try_swap(ctx, st, v, u, a)
        if back is None:
            continue
        d = fwd[0][1] + back[0][1]
        out.append(_Move((0, d), [(a, back[1], back[2]), (b, fwd[1], fwd[2])]))
    return out


def _moves_from_waitlist(ctx: _Ctx, st: _State, u: int, b: int) -> list[_Move]:
    out: list[_Move] = []
    for v in [-1, *st.groups[b]]:
        res = _try_swap(ctx, st, u, v, b)
        if res is None:
            continue
        gain = ctx.usize(u) - (ctx.usize(v) if v >= 0 else 0)
        back = (v,) if v >= 0 else ()
        out.append(_Move((gain, res[0][1]), [(b, res[1], res[2])], back, (u,)))
    return out


def _candidate_moves(ctx: _Ctx, st: _State, u: int, b: int) -> list[_Move]:
    if st.where[u] == b:
        return []
    if st.where[u] == -1:
        return _moves_from_waitlist(ctx, st, u, b)
    return _moves_from_group(ctx, st, u, b)


def _apply(ctx: _Ctx, st: _State, move: _Move) -> None:
    for g, members, sc in move.changes:
        st.set_group(ctx, g, members, sc)
    for u in move.to_waitlist:
        st.where[u] = -1
        st.waitlist.add(u)
    for u in move.from_waitlist:
        st.waitlist.discard(u)


def _best_move(ctx: _Ctx, st: _State, u: int, targets: Iterable[int]) -> _Move | None:
    best: _Move | None = None
    for b in targets:
        for mv in _candidate_moves(ctx, st, u, b):
            if _delta_better(mv.delta, best.delta if best else (0, 0.0)):
                best = mv
    return best


def _ejection(ctx: _Ctx, st: _State, u: int) -> _Move | None:
    """Place waitlisted u into a group by pushing one member into another group with room."""
    for b in range(len(st.groups)):
        for mv in _moves_from_waitlist(ctx, st, u, b):
            if mv.delta[0] != 0 or not mv.to_waitlist:
                continue
            v = mv.to_waitlist[0]
            for c in range(len(st.groups)):
                if c == b or st.size[c] + ctx.usize(v) > st.hi[c]:
                    continue
                members = st.groups[c]
                if _compatible(ctx, members, _units_mask(ctx, members), v):
                    new = [*members, v]
                    sc = ctx.score_units(new)
                    changes = [*mv.changes, (c, new, sc)]
                    d = mv.delta[1] + sc - st.score[c]
                    return _Move((ctx.usize(u), d), changes, (), (u,))
    return None


def _exhaustive_search(ctx: _Ctx, st: _State, max_passes: int) -> None:
    units = sorted([*st.waitlist, *(u for grp in st.groups for u in grp)])
    for _ in range(max_passes):
        improved = False
        for u in units:
            mv = _best_move(ctx, st, u, range(len(st.groups)))
            if mv is None and st.where[u] == -1:
                mv = _ejection(ctx, st, u)
            if mv is not None:
                _apply(ctx, st, mv)
                improved = True
        if not improved:
            return


def _slot_index(st: _State, ctx: _Ctx) -> dict[int, list[int]]:
    index: dict[int, list[int]] = {}
    for g, members in enumerate(st.groups):
        m = _units_mask(ctx, members)
        while m:
            low = m & -m
            index.setdefault(low, []).append(g)
            m ^= low
    return index


def _sample_target(ctx: _Ctx, u: int, index: dict[int, list[int]], rng: random.Random) -> int:
    m, bits = ctx.umask[u], []
    while m:
        low = m & -m
        if low in index:
            bits.append(low)
        m ^= low
    if not bits:
        return -1
    return rng.choice(index[rng.choice(bits)])


def _sampled_search(ctx: _Ctx, st: _State, iters: int, rng: random.Random) -> None:
    units = sorted([*st.waitlist, *(u for grp in st.groups for u in grp)])
    if not units or not st.groups:
        return
    index = _slot_index(st, ctx)
    refresh = max(50, len(st.groups))
    for it in range(iters):
        if it % refresh == 0:
            index = _slot_index(st, ctx)
        u = units[rng.randrange(len(units))]
        b = _sample_target(ctx, u, index, rng)
        if b < 0:
            continue
        mv = _best_move(ctx, st, u, (b,))
        if mv is not None:
            _apply(ctx, st, mv)
    for u in sorted(st.waitlist):  # final deterministic sweep: place whoever fits
        mv = _best_move(ctx, st, u, range(len(st.groups)))
        if mv is not None:
            _apply(ctx, st, mv)


def _donors(ctx: _Ctx, st: _State, bit: int) -> list[tuple[float, int, int]]:
    """(score loss, unit, group) for members holding `bit` whose group can spare them."""
    out = []
    for g, members in enumerate(st.groups):
        for v in members:
            if ctx.umask[v] & bit and st.size[g] - ctx.usize(v) >= st.lo[g]:
                rest = [w for w in members if w != v]
                out.append((st.score[g] - ctx.score_units(rest), v, g))
    return sorted(out)


def _steal_for(ctx: _Ctx, st: _State, u: int, bit: int) -> bool:
    """Form a new group around waitlisted u on slot `bit` from the waitlist plus at most
    one spare member per existing group."""
    waiting = [(0.0, w, -1) for w in sorted(st.waitlist) if w != u and ctx.umask[w] & bit]
    chosen, size, used = [u], ctx.usize(u), set()
    for _, v, g in [*waiting, *_donors(ctx, st, bit)]:
        if size >= ctx.min_size:
            break
        if g in used or size + ctx.usize(v) > ctx.max_size:
            continue
        if ctx.apart[v] and ctx.apart[v].intersection(chosen):
            continue
        chosen.append(v)
        size += ctx.usize(v)
        if g >= 0:
            used.add(g)
    if size < ctx.min_size:
        return False
    for v in chosen:
        g = st.where[v]
        if g >= 0:
            rest = [w for w in st.groups[g] if w != v]
            st.set_group(ctx, g, rest, ctx.score_units(rest))
    st.add_group(ctx, chosen, ctx.min_size, ctx.max_size)
    return True


def _steal(ctx: _Ctx, st: _State) -> bool:
    for u in sorted(st.waitlist):
        if u not in st.waitlist:
            continue
        m = ctx.umask[u]
        while m:
            bit = m & -m
            m ^= bit
            if _steal_for(ctx, st, u, bit):
                return True
    return False
