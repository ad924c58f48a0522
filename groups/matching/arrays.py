"""Every valid group at once, as arrays (``numpy``): the exact stage's enumeration.

Groups of whole units are grown one unit at a time, all partial groups of one length
together: a partial group takes any later unit that shares one of its evenings, keeps the
size within the largest allowed and sits with none of its keep-apart units.  The scores are
then computed for all groups at once by the package's formula (``scoring``; a test checks
them against ``_Ctx.score_units``).  Masks must fit into 62 bits (slots and topics); larger
inputs return None and the caller enumerates in plain Python.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np

from groups.matching.packing import Cand
from groups.matching.scoring import W_LANG, W_SLOT, W_TOPIC
from groups.matching.units import _Ctx

_BITS = 62
EXTEND_MAX = 6_000_000  # partial groups tried in one growth step at most (memory)


class TooManyGroupsError(Exception):
    pass


@dataclass
class Groups:
    """Valid groups: ``members`` are positions in the solve's unit list, padded with
    ``n_units``; ``size`` is the head count, ``off`` whether the size is off-size."""

    members: np.ndarray
    size: np.ndarray
    score: np.ndarray
    off: np.ndarray
    n_units: int
    units: list[int]

    @classmethod
    def from_cands(cls, cands: list[Cand], units: list[int]) -> Groups:
        n = len(units)
        members = np.full((len(cands), max(len(c.units) for c in cands)), n, dtype=np.int32)
        where = {u: k for k, u in enumerate(units)}
        for j, cand in enumerate(cands):
            members[j, : len(cand.units)] = sorted(where[u] for u in cand.units)
        return cls(
            members,
            np.array([c.size for c in cands], dtype=np.int64),
            np.array([c.score for c in cands]),
            np.array([c.off for c in cands], dtype=bool),
            n,
            list(units),
        )

    def __len__(self) -> int:
        return len(self.size)

    def cand(self, j: int) -> Cand:
        positions = [int(k) for k in self.members[j] if k < self.n_units]
        return Cand(
            tuple(self.units[k] for k in positions),
            sum(1 << k for k in positions),
            int(self.size[j]),
            float(self.score[j]),
            bool(self.off[j]),
        )

    def find(self, groups: list[tuple[int, ...]]) -> list[int]:
        """Indices of these groups (as unit ids), where they are valid ones."""
        where = {u: k for k, u in enumerate(self.units)}
        out = []
        for members in groups:
            if not all(u in where for u in members):
                continue
            row = np.full(self.members.shape[1], self.n_units, dtype=self.members.dtype)
            row[: len(members)] = sorted(where[u] for u in members)
            hits = np.flatnonzero((self.members == row).all(axis=1))
            out.extend(int(j) for j in hits[:1])
        return out


def enumerate_arrays(
    ctx: _Ctx, units: list[int], sizes: set[int], cap: int, deadline: float
) -> Groups | None:
    """All valid groups of ``units``; None where masks are too wide for arrays; raises
    TooManyGroupsError past ``cap`` groups or ``deadline`` (``time.monotonic``)."""
    if any(m >> _BITS for m in (*ctx.smask, *ctx.tmask)):
        return None
    n, top = len(units), max(sizes)
    usize = np.array([ctx.usize(u) for u in units], dtype=np.int64)
    umask = np.array([ctx.umask[u] for u in units], dtype=np.int64)
    apart = np.zeros((n, n), dtype=bool)
    where = {u: k for k, u in enumerate(units)}
    for k, u in enumerate(units):
        for v in ctx.apart[u]:
            if v in where:
                apart[k, where[v]] = True
    found: list[np.ndarray] = []
    mem = np.arange(n, dtype=np.int32)[:, None]
    mask, size = umask.copy(), usize.copy()
    keep = size <= top
    mem, mask, size = mem[keep], mask[keep], size[keep]
    count = 0
    while len(mem):
        done = np.isin(size, list(sizes))
        if done.any():
            found.append(np.pad(mem[done], ((0, 0), (0, top - mem.shape[1])), constant_values=n))
            count += int(done.sum())
        if count > cap or time.monotonic() > deadline:
            raise TooManyGroupsError
        if mem.shape[1] == top:
            break
        if int((n - 1 - mem[:, -1]).sum()) > EXTEND_MAX:  # the next step would not fit
            raise TooManyGroupsError
        mem, mask, size = _extend(mem, mask, size, umask, usize, apart, top)
    if not found:
        return Groups(np.zeros((0, top), dtype=np.int32), *_empty(), n, list(units))
    members = np.concatenate(found)
    total = np.concatenate([usize, [0]])[members].sum(axis=1)
    off = (total < ctx.min_size) | (total > ctx.max_size)
    return Groups(members, total, _scores(ctx, units, members), off, n, list(units))


def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=bool)


def _extend(mem, mask, size, umask, usize, apart, top):
    n = len(umask)
    rows, ks = np.nonzero(np.arange(n)[None, :] > mem[:, -1][:, None])
    new_mask = mask[rows] & umask[ks]
    new_size = size[rows] + usize[ks]
    ok = (new_mask != 0) & (new_size <= top)
    for i in range(mem.shape[1]):
        ok &= ~apart[mem[rows, i], ks]
    rows, ks = rows[ok], ks[ok]
    return np.column_stack([mem[rows], ks]).astype(np.int32), new_mask[ok], new_size[ok]


def _popcount(values: np.ndarray) -> np.ndarray:
    return np.bitwise_count(values.astype(np.uint64)).astype(np.int64)


def _scores(ctx: _Ctx, units: list[int], members: np.ndarray) -> np.ndarray:
    """``_score_masks`` for every group at once (people in index order, as it takes them)."""
    width = max(ctx.usize(u) for u in units) if units else 1
    by_unit = np.full((len(units) + 1, width), -1, dtype=np.int64)
    for k, u in enumerate(units):
        by_unit[k, : ctx.usize(u)] = ctx.units[u]
    people = by_unit[members].reshape(len(members), -1)
    people = np.sort(np.where(people < 0, np.iinfo(np.int64).max, people), axis=1)
    real = people != np.iinfo(np.int64).max
    index = np.where(real, people, 0)
    smask = np.array(ctx.smask, dtype=np.int64)[index]
    tmask = np.array(ctx.tmask, dtype=np.int64)[index]
    codes = {lang: i for i, lang in enumerate(sorted(set(ctx.lang)))}
    lang = np.array([codes[x] for x in ctx.lang], dtype=np.int64)[index]
    count = real.sum(axis=1)
    shared = np.bitwise_and.reduce(np.where(real, smask, -1), axis=1)
    slots = np.minimum(_popcount(shared), 3)
    slot_term = np.where(slots > 0, 2.0 - 0.5 ** (slots - 1.0), 0.0)
    topic = _topic_terms(tmask, real, count, ctx.comp)
    first = lang[:, :1]
    same = (np.where(real, lang, first) == first).all(axis=1)
    quality = W_SLOT * slot_term + W_TOPIC * topic + W_LANG * same
    return count * quality


def _topic_terms(tmask: np.ndarray, real: np.ndarray, count: np.ndarray, comp: bool):
    tmask = np.where(real, tmask, 0)
    if comp:
        seen = np.bitwise_or.reduce(tmask, axis=1)
        listed = _popcount(tmask).sum(axis=1)
        dup = np.zeros(len(tmask), dtype=bool)
        for i, j in itertools.combinations(range(tmask.shape[1]), 2):
            dup |= (tmask[:, i] & tmask[:, j]) != 0
        ratio = _popcount(seen) / np.maximum(listed, 1)
        return np.where(dup & (count >= 2), ratio, 0.0)
    total = np.zeros(len(tmask))
    for i, j in itertools.combinations(range(tmask.shape[1]), 2):
        union = _popcount(tmask[:, i] | tmask[:, j])
        both = _popcount(tmask[:, i] & tmask[:, j])
        pair = real[:, i] & real[:, j]
        total += np.where(pair & (union > 0), both / np.maximum(union, 1), 0.0)
    pairs = count * (count - 1) / 2
    return np.where(count >= 2, total / np.maximum(pairs, 1), 0.0)
