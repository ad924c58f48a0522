"""The exact stage for models too large for HiGHS's branch and bound within the time limit
(thousands to hundreds of thousands of valid groups): column generation on the linear
relaxation, then reduced-cost fixing, then the integer model over what is left.

1. *Pricing.*  The relaxation of the set-packing model (:mod:`groups.matching.packing`) is
   solved by HiGHS over a few groups at a time, starting with the starting answer's groups
   and each unit's best ones.  Its duals ``pi`` (one per unit, one for the off-size row)
   price every enumerated group at once (``numpy``): ``reduced = value - sum(pi)``.  The
   groups with the largest positive reduced value join the model, until none is left.
2. *Bound.*  For any ``pi >= 0`` and any packing ``x`` (weak duality)::

       value(x) <= D + sum_j max(reduced_j, 0) * x_j,   D = sum(pi)

   so ``D`` (plus, if pricing was cut short, the most groups a packing has times the largest
   positive reduced value) bounds every answer.
3. *Fixing.*  A packing that contains group ``j`` is worth at most ``D + reduced_j`` (plus
   that same slack), so a group with ``reduced_j`` below ``incumbent - D - slack`` is in no
   packing better than the incumbent.  The integer model over the remaining groups, solved
   to optimality, is therefore optimal over all of them: that is the proof.

Only the linear algebra and the solver are libraries (``numpy``, ``highspy``); the model
and the argument are the ones above.  The answer is never worse than the starting one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import highspy
import numpy as np

from groups.matching.arrays import Groups
from groups.matching.budgets import PRICED_ADD_PER_ROUND, PRICED_FIRST_PER_UNIT, PRICED_FIXED_MAX
from groups.matching.packing import _MAX_PERSON_SCORE, Packing, solve_packing

_SLACK = 1e-3  # absolute margin on reduced values (the model's values reach ~10^5)


def _lp(n_rows: int) -> highspy.Highs:
    h = highspy.Highs()
    for name, value in (("output_flag", False), ("threads", 1), ("random_seed", 1)):
        h.setOptionValue(name, value)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.addRows(n_rows, np.full(n_rows, -highspy.kHighsInf), np.ones(n_rows), 0, [], [], [])
    return h


class _Columns:
    """The groups as the model sees them: value, rows (padded with a dummy row), off."""

    def __init__(self, groups: Groups, weight: float) -> None:
        n_units = groups.n_units
        rows = np.full((len(groups), groups.members.shape[1] + 1), n_units, dtype=np.int32)
        rows[:, :-1] = groups.members
        rows[groups.off, -1] = n_units + 1  # the off-size row
        self.rows, self.off, self.size = rows, groups.off, groups.size
        self.value = weight * groups.size + groups.score
        self.n_units = n_units

    def reduced(self, pi: np.ndarray) -> np.ndarray:
        padded = np.concatenate([pi[: self.n_units], [0.0], pi[self.n_units :]])
        return self.value - padded[self.rows].sum(axis=1)

    def column(self, j: int) -> np.ndarray:
        rows = self.rows[j]
        return np.unique(np.where(rows > self.n_units, rows - 1, rows)[rows != self.n_units])


def _first_columns(cols: _Columns, hint: Sequence[int]) -> list[int]:
    """The hint's groups and each unit's ``PRICED_FIRST_PER_UNIT`` best (value per person)."""
    per_person = cols.value / cols.size
    groups = np.repeat(np.arange(len(cols.value)), cols.rows.shape[1])
    units = cols.rows.ravel()
    real = units < cols.n_units
    groups, units = groups[real], units[real]
    order = np.lexsort((groups, -per_person[groups], units))
    groups, units = groups[order], units[order]
    first = np.searchsorted(units, units, side="left")
    rank = np.arange(len(units)) - first
    return sorted({*hint, *groups[rank < PRICED_FIRST_PER_UNIT].tolist()})


def _add(h: highspy.Highs, cols: _Columns, js: Sequence[int]) -> None:
    for j in js:
        index = cols.column(j).astype(np.int32)
        ones = np.ones(len(index))
        h.addCol(float(cols.value[j]), 0.0, highspy.kHighsInf, len(index), index, ones)


def _price(cols: _Columns, h: highspy.Highs, in_model: list[int], deadline: float, allowed=None):
    """Column generation until no group prices in (or the deadline); (pi, reduced, done).
    Only ``allowed`` groups (a mask; all by default) are priced in."""
    mask = np.zeros(len(cols.value), dtype=bool)
    mask[in_model] = True
    while True:
        h.run()
        pi = np.maximum(np.abs(np.asarray(h.getSolution().row_dual, dtype=float)), 0.0)
        reduced = cols.reduced(pi)
        reduced[mask] = np.minimum(reduced[mask], 0.0)  # in the model: already priced
        if allowed is not None:
            reduced[~allowed] = -np.inf
        positive = np.flatnonzero(reduced > _SLACK)
        if not len(positive) or time.monotonic() > deadline:
            return pi, cols.reduced(pi), not len(positive)
        best = positive[np.argsort(-reduced[positive], kind="stable")[:PRICED_ADD_PER_ROUND]]
        _add(h, cols, best.tolist())
        mask[best] = True
        in_model.extend(best.tolist())


def _dive(cols: _Columns, pool: list[int], deadline: float) -> list[int]:
    """A good packing fast: solve the relaxation (priced over the groups still possible), fix
    the group it uses most, drop the groups that overlap it, repeat until none is left."""
    free = np.ones(cols.n_units + 2, dtype=bool)
    chosen: list[int] = []
    while True:
        allowed = free[cols.rows].all(axis=1)
        if not allowed.any():
            break
        if time.monotonic() > deadline:  # out of time: finish greedily
            best = int(np.flatnonzero(allowed)[np.argmax(cols.value[allowed])])
            chosen.append(best)
            free[cols.rows[best]] = False
            free[cols.n_units] = True
            continue
        start = [j for j in pool if allowed[j]]
        if not start:
            start = np.flatnonzero(allowed)[:PRICED_ADD_PER_ROUND].tolist()
        h = _lp(cols.n_units + 1)
        _add(h, cols, start)
        _price(cols, h, start, deadline, allowed)
        x = np.asarray(h.getSolution().col_value, dtype=float)
        k = int(np.lexsort((-cols.value[start], -x))[0])
        if x[k] <= _SLACK:
            break
        chosen.append(start[k])
        free[cols.rows[start[k]]] = False
        free[cols.n_units] = True  # the padding row is never used up
        pool = start
    return chosen


def solve_priced(groups: Groups, people: int, hint: Sequence[int], *, time_limit: float) -> Packing:
    """Best packing of ``groups`` within ``time_limit`` seconds, proven optimal where fixing
    leaves a model HiGHS solves in time (else as ``solve_packing``: the hint at worst)."""
    start = time.monotonic()
    weight = _MAX_PERSON_SCORE * max(people, 1) + 1.0
    cols = _Columns(groups, weight)
    n_units = groups.n_units
    h = _lp(n_units + 1)
    in_model = _first_columns(cols, hint)
    _add(h, cols, in_model)
    pi, reduced, _ = _price(cols, h, in_model, start + time_limit / 3)
    dual = float(pi.sum())
    most_groups = people // max(int(groups.size.min()), 1)
    slack = most_groups * max(float(reduced.max()), 0.0)
    incumbent = _better(cols, list(hint), _dive(cols, list(in_model), start + time_limit / 4))
    pool = sorted({*in_model, *incumbent})
    restricted = solve_packing(
        [groups.cand(j) for j in pool], n_units, people, _within(incumbent, pool),
        time_limit=max(time_limit / 6, 0.0),
    )  # fmt: skip
    incumbent = _better(cols, incumbent, [pool[j] for j in restricted.chosen])
    best = float(cols.value[incumbent].sum())
    keep = np.flatnonzero(reduced >= best - dual - slack - _SLACK)
    bound = dual + slack
    if len(keep) > PRICED_FIXED_MAX:
        return _packing(cols, incumbent, False, bound, weight)
    left = start + time_limit - time.monotonic()
    kept = keep.tolist()
    placed = int(cols.size[incumbent].sum())
    known = placed if bound < weight * (placed + 1) - _SLACK else None
    final = solve_packing(
        [groups.cand(j) for j in kept], n_units, people, _within(incumbent, kept),
        time_limit=left, placed=known,
    )  # fmt: skip
    chosen = [kept[j] for j in final.chosen]
    if cols.value[chosen].sum() < best - _SLACK:  # the incumbent fell to rounding: keep it
        return _packing(cols, incumbent, False, bound, weight)
    return _packing(cols, chosen, final.proven, bound, weight)


def _better(cols: _Columns, first: list[int], second: list[int]) -> list[int]:
    return second if cols.value[second].sum() > cols.value[first].sum() + _SLACK else first


def _within(chosen: Sequence[int], subset: Sequence[int]) -> list[int]:
    where = {j: k for k, j in enumerate(subset)}
    return [where[j] for j in chosen if j in where]


def _packing(cols: _Columns, chosen: list[int], proven: bool, bound: float, weight: float):
    chosen = sorted(chosen)
    value = float(cols.value[chosen].sum())
    placed = int(cols.size[chosen].sum())
    if proven:
        return Packing(tuple(chosen), True, max(value - weight * placed, 0.0))
    if bound >= weight * (placed + 1) - 1e-6:  # more people might fit: no score bound
        return Packing(tuple(chosen), False, None)
    return Packing(tuple(chosen), False, max(bound - weight * placed, 0.0))
