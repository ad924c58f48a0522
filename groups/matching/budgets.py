"""Thresholds, iteration budgets and solver time limits.

The heuristic's budgets are iteration counts (so it is deterministic).  The solver stages
(``exact``, ``improve``) have wall-clock limits in seconds; an answer cut short by one is
the best found so far (at worst the heuristic's) and is not claimed optimal.
"""

SMALL_N = 60  # up to this many applicants: exhaustive local search with restarts
GROW_CANDIDATES = 48  # candidates scored per growth step for large inputs
SAMPLED_ITERS_PER_UNIT = 12
RESTART_MAX_UNITS = 24  # up to this many units: 6 restarts of the heuristic, else 2

TIME_LIMIT = 6.0  # default ``time_limit`` of propose_groups: seconds for the solver stages
ENUMERATE_MAX = 150_000  # valid groups enumerated at most (else: improvement pass only)
EXACT_MAX_GROUPS = 40_000  # valid groups in the full model at most (else: the pool only)
POOL_FROM = 4_000  # above this many valid groups, first a quick model over a pool of them
POOL_PER_UNIT = 60  # the best groups (score per person) of each unit in that pool


IMPROVE_MAX_N = 300  # the improvement pass runs up to this many applicants
IMPROVE_ROUNDS = 40  # neighbourhoods tried at most
IMPROVE_STALE_ROUNDS = 15  # stop after this many neighbourhoods without a gain
IMPROVE_NEIGHBOURS = 3  # groups around the seed that are re-solved together
IMPROVE_MAX_WAITING = 6  # waitlisted units added to a neighbourhood
IMPROVE_MAX_GROUPS = 6_000  # valid groups in one neighbourhood at most
IMPROVE_ROUND_LIMIT = 0.5  # seconds for one neighbourhood's model
