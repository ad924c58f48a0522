"""A (partial) solution: groups of units, each with its size bounds and score, plus the
waitlist; and the helpers every search step uses to test and compare changes to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from groups.matching.scoring import EPS
from groups.matching.units import _Ctx


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


def _delta_better(d: tuple[int, float], best: tuple[int, float]) -> bool:
    return d[0] > best[0] or (d[0] == best[0] and d[1] > best[1] + EPS)
