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
``EXACT_NODE_BUDGET`` candidate checks) starts from that result and usually proves it optimal
(if the budget runs out, the best grouping found so far is returned, unproven and unannounced).
Large inputs sample neighbourhoods restricted to groups sharing a slot.  Budgets are iteration
counts; randomness comes from a ``random.Random`` seeded with a hash of the sorted input, so the
same input always yields the same proposal, whatever the order of the applicants.

``size_plan`` prefers the fewest groups (hence larger groups), spreading people evenly.

Modules
-------
Import from ``groups.matching`` only; the modules behind it are the package's own (the
benchmark alone reaches into ``exact`` to switch the exact search off).

* ``model``: the plain data in and out (``Applicant``, ``Proposal``, ``ProposedGroup``,
  ``MatchWarning``) and ``describe``;
* ``sizes``: how many groups of which sizes a head count allows (``size_plan``);
* ``scoring``: the weights and terms above, ``group_score`` and ``is_valid_group``;
* ``units``: input preparation (bitmasks, keep-together clusters as units, the seed);
* ``state``: a (partial) solution and the checks every move uses;
* ``construction``, ``local_search``, ``exact``: the three search stages;
* ``budgets``: the heuristic's thresholds and iteration budgets (``exact`` holds its own);
* ``solve``: ``propose_groups``, which runs the stages and builds the proposal;
* ``checks``: ``check_groups``, the hard-constraint violations of a hand-edited grouping.
"""

from groups.matching.checks import check_groups
from groups.matching.model import Applicant, MatchWarning, Proposal, ProposedGroup, describe
from groups.matching.scoring import group_score, is_valid_group
from groups.matching.sizes import size_plan
from groups.matching.solve import propose_groups

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
