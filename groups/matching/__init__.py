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
moves.  Inputs up to ``SMALL_N`` applicants use exhaustive neighbourhoods and restarts; large
ones sample neighbourhoods restricted to groups sharing a slot.  This heuristic is
deterministic: iteration budgets, and a ``random.Random`` seeded with a hash of the sorted
input, so the order of the applicants never matters.

Then, unless a cheap bound already proves the heuristic's answer optimal (everyone placeable
placed, each scoring the most anyone with their evenings could), the *exact stage* enumerates
every valid group (up to ``ENUMERATE_MAX``, in at most half its time) and solves the
set-packing model over all of them: disjoint groups, at most one off-size, people placed first
and score second, starting from the best answer so far, within ``time_limit`` seconds (6 by
default).  Up to ``PRICED_FROM`` groups the HiGHS MIP solver takes the whole model; above, where
its branch and bound would not finish, *column generation* solves the linear relaxation over
a few hundred groups at a time, pricing all the others at once with its duals, and
*reduced-cost fixing* then leaves only the groups that can be part of a better answer, for
HiGHS to solve exactly (``priced`` explains the argument).  If that finishes, the proposal says
``proven_optimal``; if the time runs out the best answer found so far (never worse than the
heuristic's) stands, with ``gap`` from the bound when the head count is proven.  Where the
model is too large or was cut short, and up to ``IMPROVE_MAX_N`` people, an *improvement
pass* re-solves neighbourhoods (a few groups that share evenings, around a waitlisted person
when there is one, plus some of the waitlist) exactly and keeps each improvement.  Within
the time limits the answer is deterministic.

Measured by ``python bench/bench_matching.py`` (own instances, own CBC reference; figures in
bench/README.md): on 108 instances with n = 8-40, p = 0.2-0.6 per evening, with and without
pins: no hard constraint broken, none placed fewer people than possible, all 31 tight ones
that could be fully placed were, 107 of 108 proven optimal (60 of 60 with n <= 24); score
ratio to the optimum min 1.000, mean 1.000 (heuristic alone: 0.837, 0.974, 3 placed fewer);
1,000 people 0.50 s, 3,000 people 1.79 s.  Enumerating and scoring the valid groups uses
``numpy`` arrays (``arrays``), bit-identical to the plain scorer.

``size_plan`` prefers the fewest groups (hence larger groups), spreading people evenly.

Modules
-------
Import from ``groups.matching`` only; the modules behind it are the package's own (the
benchmark alone reaches into ``exact`` and ``improve`` to switch them off).

* ``model``: the plain data in and out (``Applicant``, ``Proposal``, ``ProposedGroup``,
  ``MatchWarning``) and ``describe``;
* ``sizes``: how many groups of which sizes a head count allows (``size_plan``);
* ``scoring``: the weights and terms above, ``group_score`` and ``is_valid_group``;
* ``units``: input preparation (bitmasks, keep-together clusters as units, the seed);
* ``state``: a (partial) solution and the checks every move uses;
* ``construction``, ``local_search``: the heuristic;
* ``arrays``: every valid group at once, enumerated and scored with ``numpy``;
* ``packing``: the set-packing model and its HiGHS call; ``priced``: column generation and
  reduced-cost fixing for the large ones; ``exact``: enumeration, the exact stage and its
  cheap bounds; ``improve``: the improvement pass;
* ``budgets``: thresholds, iteration budgets and time limits;
* ``solve``: ``propose_groups``, which runs the stages and builds the proposal;
* ``checks``: ``check_groups``, the hard-constraint violations of a hand-edited grouping
  (pins the proposal drops are reported as the same ``keep_together_unsatisfiable``).
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
