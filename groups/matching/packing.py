"""The set-packing model both the exact stage and the improvement pass solve with HiGHS (a
MIP solver; ``highspy``): choose disjoint candidate groups, at most one of them off-size,
maximising people placed first and score second, as one objective: ``weight`` per person,
more than any total score can be, plus the score.

HiGHS runs single-threaded with a fixed seed, with presolve only on models of at most
``PRESOLVE_MAX`` groups (on larger ones, with rows of thousands of groups, it costs more
than it saves), so the same model gives the
same answer unless the time limit strikes.  The heuristic's groups are passed as the
starting solution and are kept unless HiGHS finds something strictly better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np

_MAX_PERSON_SCORE = 200.0  # > 100 * 1.75 + 10 + 1, the best quality a member can bring
_TOL = 1e-6
PRESOLVE_MAX = 3_000


@dataclass(frozen=True)
class Cand:
    """A valid group: whole units (by index into the solve's list), bit ``k`` set for the
    ``k``-th unit of that list, its head count, score, and whether it is off-size."""

    units: tuple[int, ...]
    bits: int
    size: int
    score: float
    off: bool


@dataclass(frozen=True)
class Packing:
    chosen: tuple[int, ...]  # indices into the candidate list
    proven: bool  # optimal over the whole candidate list
    bound: float | None  # the solver's bound on the score at the same head count, if any


def _rows(cands: Sequence[Cand], n_bits: int) -> list[list[int]]:
    rows: list[list[int]] = [[] for _ in range(n_bits)]
    for j, cand in enumerate(cands):
        bits, k = cand.bits, 0
        while bits:
            if bits & 1:
                rows[k].append(j)
            bits >>= 1
            k += 1
    offs = [j for j, c in enumerate(cands) if c.off]
    return [r for r in (*rows, offs) if len(r) > 1]


def _model(cands: Sequence[Cand], n_bits: int, weight: float, placed: int | None) -> highspy.Highs:
    h = highspy.Highs()
    for name, value in (
        ("output_flag", False),
        ("threads", 1),
        ("random_seed", 1),
        ("presolve", "on" if len(cands) <= PRESOLVE_MAX else "off"),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", 1e-7),
    ):
        h.setOptionValue(name, value)
    n = len(cands)
    cols = np.arange(n, dtype=np.int32)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsCost(n, cols, np.array([weight * c.size + c.score for c in cands]))
    h.changeColsIntegrality(n, cols, np.full(n, highspy.HighsVarType.kInteger))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    rows = _rows(cands, n_bits)
    if rows:
        starts = np.cumsum([0] + [len(r) for r in rows[:-1]], dtype=np.int32)
        index = np.array([j for r in rows for j in r], dtype=np.int32)
        h.addRows(
            len(rows),
            np.full(len(rows), -highspy.kHighsInf),
            np.ones(len(rows)),
            len(index),
            starts,
            index,
            np.ones(len(index)),
        )
    if placed is not None:  # the head count is known: only the score is left to choose
        sizes = np.array([c.size for c in cands], dtype=float)
        h.addRow(placed, placed, n, cols, sizes)
    return h


def _disjoint(cands: Sequence[Cand], chosen: Sequence[int]) -> bool:
    seen = 0
    for j in chosen:
        if seen & cands[j].bits:
            return False
        seen |= cands[j].bits
    return sum(cands[j].off for j in chosen) <= 1


def solve_packing(
    cands: Sequence[Cand],
    n_bits: int,
    people: int,
    hint: Sequence[int],
    *,
    time_limit: float,
    placed: int | None = None,
) -> Packing:
    """Best packing of ``cands`` found within ``time_limit`` seconds (the hint at worst).
    ``people`` bounds the head count (it sets the weight of a placed person); ``placed``, if
    given, is the head count already proven best, which the hint must have."""
    weight = _MAX_PERSON_SCORE * max(people, 1) + 1.0
    h = _model(cands, n_bits, weight, placed)
    h.setOptionValue("time_limit", max(time_limit, 0.0))
    start = np.zeros(len(cands))
    start[list(hint)] = 1.0
    solution = highspy.HighsSolution()
    solution.col_value = list(start)
    h.setSolution(solution)
    h.run()

    def value(chosen: Sequence[int]) -> float:
        return sum(weight * cands[j].size + cands[j].score for j in chosen)

    hint = tuple(sorted(hint))
    chosen = hint
    proven = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    if h.getInfo().primal_solution_status == 2:  # a feasible solution
        found = tuple(j for j, v in enumerate(h.getSolution().col_value) if v > 0.5)
        if _disjoint(cands, found) and value(found) > value(hint) + _TOL:
            chosen = found
    placed = sum(cands[j].size for j in chosen)
    bound = value(chosen) if proven else h.getInfo().mip_dual_bound
    if not proven and not bound < value(chosen) + 1e9:  # no finite bound yet
        return Packing(chosen, False, None)
    if bound >= weight * (placed + 1) - _TOL:  # more people might fit: no score bound
        return Packing(chosen, False, None)
    return Packing(chosen, proven, max(bound - weight * placed, 0.0))
