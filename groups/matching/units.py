"""Input preparation: applicants as bitmasks, keep-together clusters as units.

The search never moves a person, only a *unit*: a keep-together cluster that can be
satisfied, or a single person.  :func:`_prepare` builds the :class:`_Ctx` every later
step reads; it also derives the random seed from the sorted input and the cheap
necessary conditions (:func:`_placeable`) and difficulty keys used to order seeds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from groups.matching.model import Applicant, MatchWarning, Pair
from groups.matching.scoring import _encode, _mask, _score_masks


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
