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
ENUMERATE_MAX = 1_000_000  # valid groups enumerated at most (else: improvement pass only)
PRICED_FROM = 4_000  # above this many valid groups: column generation (groups.matching.priced)
PRICED_FIRST_PER_UNIT = 12  # each unit's best groups (value per person) in its first model
PRICED_ADD_PER_ROUND = 300  # groups priced into that model per round at most
PRICED_FIXED_MAX = 40_000  # groups left after reduced-cost fixing that the last model takes


IMPROVE_MAX_N = 300  # the improvement pass runs up to this many applicants
IMPROVE_ROUNDS = 40  # neighbourhoods tried at most
IMPROVE_STALE_ROUNDS = 15  # stop after this many neighbourhoods without a gain
IMPROVE_NEIGHBOURS = 3  # groups around the seed that are re-solved together
IMPROVE_MAX_WAITING = 6  # waitlisted units added to a neighbourhood
IMPROVE_MAX_GROUPS = 6_000  # valid groups in one neighbourhood at most
IMPROVE_ROUND_LIMIT = 0.5  # seconds for one neighbourhood's model
