"""Partition accepted applicants into mastermind groups (pure Python, no Django).

Hard constraints (always hold for every proposed group)
-------------------------------------------------------
* size within ``[min_size, max_size]``; the only exception is a single off-size group when
  ``allow_off_size=True`` and the head count cannot be split, announced by ``off_size_group``;
* the members share at least one availability slot;
* no ``keep_apart`` pair sits in one group;
* ``keep_together`` pairs (closed transitively into clusters) sit in the same group.  A cluster
  larger than ``max_size``, without a common slot, or containing a keep-apart pair is reported
  as ``keep_together_unsatisfiable`` and its pins are dropped (the people are still matched).

Objective (soft, maximised)
---------------------------
First place as many people as possible (fewest on the waitlist), then maximise the sum of group
scores.  The score of one group of ``n`` members is ``n * quality`` (so it is neutral to how
people are split into 4s or 5s) where::

    quality = 100 * slot_term + 10 * topic_term + 1 * language_term

* ``slot_term`` = 1, 1.5, 1.75 for 1, 2, >=3 shared slots (diminishing returns; 0 if none);
* ``topic_term`` in [0, 1]: ``similar`` = mean pairwise Jaccard similarity of topic sets;
  ``complementary`` = distinct topics / listed topics, but 0 unless some topic is held by at
  least two members (a complementary group still needs common ground);
* ``language_term`` = 1 if all members give the same language, else 0.

The smallest slot step (0.25 * 100 = 25) exceeds the whole topic range (10), which exceeds the
language bonus (1), so slots dominate topics, which dominate language.

Algorithm
---------
Applicants are pre-filtered (no slot shared by ``min_size`` people -> ``no_shared_slot``), then
groups are built greedily, each seeded by the hardest-to-place remaining unit (fewest slots,
fewest slot-compatible people) and grown by the best-scoring compatible unit; the default
("tight") construction grows groups to ``min_size`` to maximise the number of groups, other
variants aim at fewer, larger groups.  Local search then applies inserts from the waitlist,
moves and swaps between groups, swaps with the waitlist, one-step ejection chains and "steal"
moves (a new group from waitlisted people plus spare members of other groups).  Only moves that
keep every hard constraint are made; a move is accepted if it places more people or raises the
score.  Inputs up to ``SMALL_N`` applicants use exhaustive neighbourhoods and several restarts;
up to ``EXACT_MAX_UNITS`` units, a branch and bound over all valid groups (bounded by
``EXACT_NODE_BUDGET`` candidate checks) starts from that result and usually proves it optimal.
Large inputs sample neighbourhoods restricted to groups sharing a slot.  Budgets are iteration
counts; randomness comes from a ``random.Random`` seeded with a hash of the sorted input, so the
same input always yields the same proposal, whatever the order of the applicants.

``size_plan`` prefers the fewest groups (hence larger groups), spreading people evenly.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce

__all__ = [
    "Applicant",
    "MatchWarning",
    "Proposal",
    "ProposedGroup",
    "check_groups",
    "describe",
    "group_score",
    "is_valid_group",
    "propose_groups",
    "size_plan",
]

W_SLOT = 100.0
W_TOPIC = 10.0
W_LANG = 1.0
EPS = 1e-9
SMALL_N = 60  # up to this many applicants: exhaustive local search with restarts
GROW_CANDIDATES = 48  # candidates scored per growth step for large inputs
SAMPLED_ITERS_PER_UNIT = 12
EXACT_MAX_UNITS = 22  # up to this many units: branch and bound over all valid groups
EXACT_MAX_GROUPS = 30_000
EXACT_NODE_BUDGET = 2_000_000  # candidate checks

Pair = tuple[int, int]


@dataclass(frozen=True)
class Applicant:
    id: int
    slots: frozenset[str]
    topics: frozenset[str]
    language: str


@dataclass(frozen=True)
class MatchWarning:
    code: str
    applicant_ids: tuple[int, ...] = ()
    params: tuple[tuple[str, object], ...] = ()

    def param(self, name: str, default: object = None) -> object:
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class ProposedGroup:
    member_ids: tuple[int, ...]
    shared_slots: tuple[str, ...]
    shared_topics: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class Proposal:
    groups: tuple[ProposedGroup, ...]
    waitlist: tuple[int, ...]
    warnings: tuple[MatchWarning, ...]
    score: float


# --------------------------------------------------------------------------- descriptions

_MESSAGES = {
    "too_few": "Only {n} applicant(s); a group needs at least {min_size}. Everyone is waitlisted.",
    "size_infeasible": (
        "{n} people cannot be split into groups of {min_size}-{max_size}; {waitlisted} must wait."
    ),
    "waitlisted": "Waitlisted (no room in a valid group): {ids}.",
    "no_shared_slot": (
        "No slot shared with at least {min_size} people, so no group is possible for: {ids}."
    ),
    "off_size_group": "Group {ids} has {size} members, outside {min_size}-{max_size}.",
    "keep_apart_violated": "Keep-apart pair {ids} is in the same group.",
    "keep_together_violated": "Keep-together people {ids} are not in one group.",
    "keep_together_unsatisfiable": (
        "Cannot keep {ids} together ({reason}); they are matched individually."
    ),
}


def describe(warning: MatchWarning) -> str:
    """Plain-English text of a warning (for logs and tests; the UI translates the code)."""
    values = dict(warning.params)
    values["ids"] = ", ".join(str(i) for i in warning.applicant_ids)
    template = _MESSAGES.get(warning.code, warning.code + ": {ids}")
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return f"{warning.code}: {values}"


# --------------------------------------------------------------------------- size plans


def _group_count_range(n: int, min_size: int, max_size: int) -> tuple[int, int]:
    return -(-n // max_size), n // min_size


def _even_plan(n: int, groups: int) -> list[int]:
    if groups == 0:
        return []
    q, r = divmod(n, groups)
    return [q + 1] * r + [q] * (groups - r)


def size_plan(n: int, min_size: int, max_size: int) -> list[int] | None:
    """Group sizes (descending) splitting ``n`` exactly, or None if impossible.

    Uses the fewest groups (so groups are as large as allowed) and spreads people evenly,
    e.g. 13 -> [5, 4, 4], 16 -> [4, 4, 4, 4].  ``size_plan(0, ...) == []``.
    """
    if n < 0 or min_size < 1 or max_size < min_size:
        return None
    lo, hi = _group_count_range(n, min_size, max_size)
    return _even_plan(n, lo) if lo <= hi else None


def _largest_splittable(n: int, min_size: int, max_size: int) -> int:
    while n > 0 and size_plan(n, min_size, max_size) is None:
        n -= 1
    return n


def _off_size(n: int, min_size: int, max_size: int) -> int | None:
    """Size of the single off-size group that lets everyone be placed (closest to range,
    ties broken towards the larger group), or None."""
    best: tuple[int, int] | None = None
    for s in range(2, n + 1):
        if min_size <= s <= max_size or size_plan(n - s, min_size, max_size) is None:
            continue
        key = (min_size - s if s < min_size else s - max_size, -s)
        if best is None or key < best:
            best = key
    return None if best is None else -best[1]


# --------------------------------------------------------------------------- scoring


def _slot_term(k: int) -> float:
    return 0.0 if k <= 0 else 2.0 - 0.5 ** (min(k, 3) - 1)


def _jaccard(a: int, b: int) -> float:
    union = a | b
    return (a & b).bit_count() / union.bit_count() if union else 0.0


def _topic_term(topic_masks: Sequence[int], complementary: bool) -> float:
    n = len(topic_masks)
    if n < 2:
        return 0.0
    if complementary:
        seen = dup = listed = 0
        for m in topic_masks:
            dup |= seen & m
            seen |= m
            listed += m.bit_count()
        return seen.bit_count() / listed if dup else 0.0
    total = 0.0
    for i in range(n):
        a = topic_masks[i]
        for j in range(i + 1, n):
            total += _jaccard(a, topic_masks[j])
    return total / (n * (n - 1) / 2)


def _score_masks(
    slot_masks: Sequence[int], topic_masks: Sequence[int], langs: Sequence[object], comp: bool
) -> float:
    if not slot_masks:
        return 0.0
    shared = -1
    for m in slot_masks:
        shared &= m
    quality = (
        W_SLOT * _slot_term(shared.bit_count())
        + W_TOPIC * _topic_term(topic_masks, comp)
        + W_LANG * (1.0 if len(set(langs)) == 1 else 0.0)
    )
    return len(slot_masks) * quality


def _encode(values: Iterable[frozenset[str]]) -> dict[str, int]:
    universe = sorted(set().union(*values))
    return {name: 1 << i for i, name in enumerate(universe)}


def _mask(items: Iterable[str], bits: dict[str, int]) -> int:
    out = 0
    for item in items:
        out |= bits[item]
    return out


def _check_preference(topic_preference: str) -> bool:
    if topic_preference not in ("similar", "complementary"):
        raise ValueError(f"unknown topic_preference {topic_preference!r}")
    return topic_preference == "complementary"


def group_score(members: Sequence[Applicant], *, topic_preference: str = "similar") -> float:
    """Score of one group (see module docstring); independent of member order."""
    comp = _check_preference(topic_preference)
    people = sorted(members, key=lambda a: a.id)
    if not people:
        return 0.0
    sbits = _encode(a.slots for a in people)
    tbits = _encode(a.topics for a in people)
    return _score_masks(
        [_mask(a.slots, sbits) for a in people],
        [_mask(a.topics, tbits) for a in people],
        [a.language for a in people],
        comp,
    )


def _common_slots(members: Sequence[Applicant]) -> frozenset[str]:
    if not members:
        return frozenset()
    return reduce(lambda acc, a: acc & frozenset(a.slots), members[1:], frozenset(members[0].slots))


def is_valid_group(members: Sequence[Applicant], *, keep_apart: Iterable[Pair] = ()) -> bool:
    """Hard constraints of one group, size aside: non-empty, a common slot, no keep-apart pair."""
    if not members:
        return False
    if not _common_slots(members):
        return False
    ids = {a.id for a in members}
    return not any(a in ids and b in ids and a != b for a, b in keep_apart)


# --------------------------------------------------------------------------- input preparation


@dataclass
class _Ctx:
    people: list[Applicant]
    slot_bits: dict[str, int]
    topic_bits: dict[str, int]
    smask: list[int]
    tmask: list[int]
    lang: list[str]
    comp: bool
    min_size: int
    max_size: int
    units: list[tuple[int, ...]] = field(default_factory=list)
    umask: list[int] = field(default_factory=list)
    apart: list[frozenset[int]] = field(default_factory=list)
    warnings: list[MatchWarning] = field(default_factory=list)

    def usize(self, u: int) -> int:
        return len(self.units[u])

    def score_units(self, units: Iterable[int]) -> float:
        idx = sorted(i for u in units for i in self.units[u])
        return _score_masks(
            [self.smask[i] for i in idx],
            [self.tmask[i] for i in idx],
            [self.lang[i] for i in idx],
            self.comp,
        )


def _find(parent: dict[int, int], x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _clusters(n: int, pairs: Iterable[Pair]) -> list[list[int]]:
    parent = {i: i for i in range(n)}
    for a, b in pairs:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    out: dict[int, list[int]] = {}
    for i in range(n):
        out.setdefault(_find(parent, i), []).append(i)
    return sorted(out.values())


def _index_pairs(pairs: Iterable[Pair], pos: dict[int, int]) -> list[Pair]:
    out = set()
    for a, b in pairs:
        if a in pos and b in pos and a != b:
            i, j = pos[a], pos[b]
            out.add((min(i, j), max(i, j)))
    return sorted(out)


def _cluster_problem(ctx: _Ctx, members: list[int], apart: set[Pair]) -> str | None:
    if len(members) > ctx.max_size:
        return "too_large"
    shared = -1
    for i in members:
        shared &= ctx.smask[i]
    if not shared:
        return "no_shared_slot"
    inside = set(members)
    if any(a in inside and b in inside for a, b in apart):
        return "keep_apart"
    return None


def _build_units(ctx: _Ctx, together: list[Pair], apart: list[Pair]) -> None:
    apart_set = set(apart)
    for members in _clusters(len(ctx.people), together):
        problem = _cluster_problem(ctx, members, apart_set) if len(members) > 1 else None
        if problem is None:
            ctx.units.append(tuple(members))
            continue
        ids = tuple(ctx.people[i].id for i in members)
        ctx.warnings.append(
            MatchWarning("keep_together_unsatisfiable", ids, (("reason", problem),))
        )
        ctx.units.extend((i,) for i in members)
    ctx.units.sort()
    unit_of = {i: u for u, members in enumerate(ctx.units) for i in members}
    for members in ctx.units:
        shared = -1
        for i in members:
            shared &= ctx.smask[i]
        ctx.umask.append(shared)
    apart_units: list[set[int]] = [set() for _ in ctx.units]
    for a, b in apart:
        ua, ub = unit_of[a], unit_of[b]
        apart_units[ua].add(ub)
        apart_units[ub].add(ua)
    ctx.apart = [frozenset(s) for s in apart_units]


def _prepare(
    applicants: Iterable[Applicant],
    min_size: int,
    max_size: int,
    keep_apart: Iterable[Pair],
    keep_together: Iterable[Pair],
    comp: bool,
) -> _Ctx:
    people = sorted(applicants, key=lambda a: a.id)
    if len({a.id for a in people}) != len(people):
        raise ValueError("duplicate applicant ids")
    sbits = _encode([a.slots for a in people] or [frozenset()])
    tbits = _encode([a.topics for a in people] or [frozenset()])
    ctx = _Ctx(
        people=people,
        slot_bits=sbits,
        topic_bits=tbits,
        smask=[_mask(a.slots, sbits) for a in people],
        tmask=[_mask(a.topics, tbits) for a in people],
        lang=[a.language for a in people],
        comp=comp,
        min_size=min_size,
        max_size=max_size,
    )
    pos = {a.id: i for i, a in enumerate(people)}
    _build_units(ctx, _index_pairs(keep_together, pos), _index_pairs(keep_apart, pos))
    return ctx


def _seed(ctx: _Ctx, extra: object) -> int:
    h = hashlib.sha256()
    for a in ctx.people:
        h.update(repr((a.id, sorted(a.slots), sorted(a.topics), a.language)).encode())
    h.update(repr((ctx.units, [sorted(s) for s in ctx.apart], extra)).encode())
    return int.from_bytes(h.digest()[:8], "big")


def _slot_counts(ctx: _Ctx) -> dict[int, int]:
    counts: dict[int, int] = {}
    for m in ctx.smask:
        while m:
            low = m & -m
            counts[low] = counts.get(low, 0) + 1
            m ^= low
    return counts


def _placeable(ctx: _Ctx) -> list[bool]:
    """Necessary condition: some slot of the unit is held by >= min_size people."""
    counts = _slot_counts(ctx)
    out = []
    for m in ctx.umask:
        ok = False
        while m and not ok:
            low = m & -m
            ok = counts.get(low, 0) >= ctx.min_size
            m ^= low
        out.append(ok)
    return out


def _difficulty(ctx: _Ctx) -> list[tuple[int, int, int]]:
    buckets: dict[int, set[int]] = {}
    for i, m in enumerate(ctx.smask):
        while m:
            low = m & -m
            buckets.setdefault(low, set()).add(i)
            m ^= low
    keys = []
    for u, m in enumerate(ctx.umask):
        reach: set[int] = set()
        bits = m
        while bits:
            low = bits & -bits
            reach |= buckets[low]
            bits ^= low
        keys.append((m.bit_count(), len(reach), -ctx.usize(u)))
    return keys


# --------------------------------------------------------------------------- solution state


@dataclass
class _State:
    groups: list[list[int]]
    lo: list[int]
    hi: list[int]
    size: list[int]
    score: list[float]
    where: list[int]  # unit -> group index, -1 = waitlist (or not part of this solve)
    waitlist: set[int]

    @property
    def placed(self) -> int:
        return sum(self.size)

    @property
    def total(self) -> float:
        return sum(self.score)

    def add_group(self, ctx: _Ctx, members: list[int], lo: int, hi: int) -> None:
        g = len(self.groups)
        self.groups.append(sorted(members))
        self.lo.append(lo)
        self.hi.append(hi)
        self.size.append(sum(ctx.usize(u) for u in members))
        self.score.append(ctx.score_units(members))
        for u in members:
            self.where[u] = g
            self.waitlist.discard(u)

    def set_group(self, ctx: _Ctx, g: int, members: list[int], score: float) -> None:
        self.groups[g] = sorted(members)
        self.size[g] = sum(ctx.usize(u) for u in members)
        self.score[g] = score
        for u in members:
            self.where[u] = g


def _compatible(ctx: _Ctx, members: Sequence[int], mask: int, u: int) -> bool:
    if not ctx.umask[u] & mask:
        return False
    apart = ctx.apart[u]
    return not (apart and any(v in apart for v in members))


def _units_mask(ctx: _Ctx, members: Iterable[int]) -> int:
    shared = -1
    for u in members:
        shared &= ctx.umask[u]
    return shared


def _valid(ctx: _Ctx, members: Sequence[int]) -> bool:
    if not _units_mask(ctx, members):
        return False
    return not any(ctx.apart[u] and ctx.apart[u].intersection(members) for u in members)


# --------------------------------------------------------------------------- construction


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


# --------------------------------------------------------------------------- local search


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


def _delta_better(d: tuple[int, float], best: tuple[int, float]) -> bool:
    return d[0] > best[0] or (d[0] == best[0] and d[1] > best[1] + EPS)


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


# --------------------------------------------------------------------------- exact search


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


# --------------------------------------------------------------------------- driver


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


def _solve(ctx: _Ctx, units: list[int], off: int | None, rng: random.Random) -> _State:
    n = sum(ctx.usize(u) for u in units)
    small = len(ctx.people) <= SMALL_N
    restarts = 1 if not small else (6 if len(units) <= EXACT_MAX_UNITS + 2 else 2)
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
    return _exact(ctx, units, off, best) or best


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


def _proposal(ctx: _Ctx, st: _State, warnings: list[MatchWarning], extra: list[int]) -> Proposal:
    groups = sorted((_proposed_group(ctx, m) for m in st.groups), key=lambda g: g.member_ids)
    waitlist = tuple(sorted(_ids(ctx, [*st.waitlist, *extra])))
    return Proposal(
        groups=tuple(groups),
        waitlist=waitlist,
        warnings=tuple(warnings),
        score=sum(g.score for g in groups),
    )


def _too_few(ctx: _Ctx) -> Proposal:
    ids = tuple(a.id for a in ctx.people)
    params = (("n", len(ids)), ("min_size", ctx.min_size))
    warnings = (*ctx.warnings, MatchWarning("too_few", ids, params))
    return Proposal((), ids, warnings, 0.0)


def propose_groups(
    applicants: Iterable[Applicant],
    *,
    min_size: int = 4,
    max_size: int = 5,
    keep_apart: Iterable[Pair] = (),
    keep_together: Iterable[Pair] = (),
    topic_preference: str = "similar",
    allow_off_size: bool = False,
) -> Proposal:
    """Propose a partition into groups plus a waitlist; never raises for infeasible input.

    Raises ValueError only for invalid arguments (duplicate ids, bad sizes, unknown
    ``topic_preference``).  Constraint pairs naming unknown ids are ignored.
    """
    if min_size < 1 or max_size < min_size:
        raise ValueError("need 1 <= min_size <= max_size")
    comp = _check_preference(topic_preference)
    ctx = _prepare(applicants, min_size, max_size, keep_apart, keep_together, comp)
    if len(ctx.people) < min_size:
        return _too_few(ctx)
    ok = _placeable(ctx)
    units = [u for u in range(len(ctx.units)) if ok[u]]
    excluded = [u for u in range(len(ctx.units)) if not ok[u]]
    n_eff = sum(ctx.usize(u) for u in units)
    rng = random.Random(_seed(ctx, (min_size, max_size, comp, allow_off_size)))  # noqa: S311
    st = _solve(ctx, units, None, rng)
    off = None
    if allow_off_size and size_plan(n_eff, min_size, max_size) is None:
        off = _off_size(n_eff, min_size, max_size)
        if off is not None:
            alt = _solve(ctx, units, off, rng)
            if alt.placed > st.placed:
                st = alt
            else:
                off = None
    warnings = _result_warnings(ctx, st, excluded, n_eff, off)
    return _proposal(ctx, st, warnings, excluded)


# --------------------------------------------------------------------------- validation


def check_groups(
    applicants: Iterable[Applicant],
    groups: Iterable[Sequence[int]],
    *,
    min_size: int = 4,
    max_size: int = 5,
    keep_apart: Iterable[Pair] = (),
    keep_together: Iterable[Pair] = (),
) -> tuple[MatchWarning, ...]:
    """Hard-constraint violations of a (possibly hand-edited) grouping, as warnings."""
    by_id = {a.id: a for a in applicants}
    group_of: dict[int, int] = {}
    out: list[MatchWarning] = []
    sizes = (("min_size", min_size), ("max_size", max_size))
    for g, ids in enumerate(groups):
        key = tuple(sorted(ids))
        for i in key:
            group_of[i] = g
        if not min_size <= len(key) <= max_size:
            out.append(MatchWarning("off_size_group", key, (("size", len(key)), *sizes)))
        members = [by_id[i] for i in key if i in by_id]
        if not members or not _common_slots(members):
            out.append(MatchWarning("no_shared_slot", key, sizes[:1]))
    for a, b in sorted({(min(p), max(p)) for p in keep_apart}):
        if a != b and a in group_of and group_of.get(b) == group_of[a]:
            out.append(MatchWarning("keep_apart_violated", (a, b)))
    for a, b in sorted({(min(p), max(p)) for p in keep_together}):
        if a != b and (a in group_of or b in group_of) and group_of.get(a) != group_of.get(b):
            out.append(MatchWarning("keep_together_violated", (a, b)))
    return tuple(out)
