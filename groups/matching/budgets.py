"""Thresholds and iteration budgets of the heuristic (counts, never wall-clock time).

The exact search has its own limits in :mod:`groups.matching.exact`.
"""

SMALL_N = 60  # up to this many applicants: exhaustive local search with restarts
GROW_CANDIDATES = 48  # candidates scored per growth step for large inputs
SAMPLED_ITERS_PER_UNIT = 12
