"""The priced exact stage (column generation and reduced-cost fixing) against brute force.

The brute force here is the test's own: every valid group by its own rules (a shared
evening, no keep-apart pair, allowed size), then the lexicographic best packing (people
placed, then score) by plain recursion; scores come from the public ``group_score``, which
the benchmark cross-checks against its own scorer.
"""

from __future__ import annotations

import itertools
import random
import time
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groups.matching import Applicant, arrays, group_score, propose_groups
from groups.matching import exact as exact_stage
from groups.matching.arrays import Groups, enumerate_arrays
from groups.matching.exact import enumerate_groups
from groups.matching.packing import Cand, solve_packing
from groups.matching.priced import solve_priced
from groups.matching.units import _placeable, _prepare

SLOTS = ("mon", "tue", "wed", "thu", "fri")
TOPICS = ("a", "b", "c", "d", "e")


def brute_force(people: list[Applicant], apart: list[tuple[int, int]], lo: int, hi: int):
    """(placed, score) of the best packing, by exhaustive search."""
    forbidden = {frozenset(p) for p in apart}
    groups = []
    for size in range(lo, hi + 1):
        for combo in itertools.combinations(people, size):
            ids = {a.id for a in combo}
            if not frozenset.intersection(*(a.slots for a in combo)):
                continue
            if any(pair <= ids for pair in forbidden):
                continue
            groups.append((frozenset(ids), group_score(list(combo))))
    order = sorted(a.id for a in people)

    @cache
    def best(free: frozenset) -> tuple[int, float]:
        left = [i for i in order if i in free]
        if not left:
            return (0, 0.0)
        first = left[0]
        answer = best(free - {first})  # the first free person waits
        for ids, score in groups:
            if first in ids and ids <= free:
                placed, total = best(free - ids)
                candidate = (placed + len(ids), total + score)
                if candidate[0] > answer[0] or (
                    candidate[0] == answer[0] and candidate[1] > answer[1] + 1e-9
                ):
                    answer = candidate
        return answer

    return best(frozenset(order))


@st.composite
def instances(draw):
    n = draw(st.integers(4, 11))
    people = [
        Applicant(
            i,
            frozenset(draw(st.sets(st.sampled_from(SLOTS), min_size=1, max_size=4))),
            frozenset(draw(st.sets(st.sampled_from(TOPICS), min_size=1, max_size=3))),
            draw(st.sampled_from(("de", "en"))),
        )
        for i in range(n)
    ]
    ids = st.integers(0, n - 1)
    apart = draw(st.lists(st.tuples(ids, ids).filter(lambda p: p[0] != p[1]), max_size=3))
    lo = draw(st.sampled_from((3, 4)))
    return people, apart, lo, draw(st.sampled_from((lo, lo + 1)))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(instances())
def test_priced_stage_is_as_good_as_brute_force_and_honest_about_it(monkeypatch, case):
    people, apart, lo, hi = case
    monkeypatch.setattr(exact_stage, "PRICED_FROM", 0)  # every model goes through pricing
    proposal = propose_groups(people, keep_apart=apart, min_size=lo, max_size=hi, time_limit=5)
    placed, score = brute_force(people, apart, lo, hi)
    assert len(people) - len(proposal.waitlist) == placed
    assert proposal.score == pytest.approx(score, abs=1e-6)
    assert proposal.proven_optimal


def random_cands(rng: random.Random, n_units: int, count: int) -> list[Cand]:
    seen, out = set(), []
    while len(out) < count:
        units = tuple(sorted(rng.sample(range(n_units), rng.choice((3, 4, 5)))))
        if units in seen:
            continue
        seen.add(units)
        bits = sum(1 << u for u in units)
        score = len(units) * rng.choice((100.0, 150.0, 175.0)) + rng.random() * 11
        out.append(Cand(units, bits, len(units), score, len(units) == 3))
    return out


def as_groups(cands: list[Cand], n_units: int) -> Groups:
    return Groups.from_cands(cands, list(range(n_units)))


@pytest.mark.parametrize("seed", range(8))
def test_priced_and_direct_models_agree_on_the_optimum(seed):
    rng = random.Random(seed)
    n_units = rng.randint(10, 18)
    cands = random_cands(rng, n_units, rng.randint(60, 400))
    direct = solve_packing(cands, n_units, n_units, [], time_limit=30)
    priced = solve_priced(as_groups(cands, n_units), n_units, [], time_limit=30)
    assert direct.proven and priced.proven

    def value(chosen):
        return sum(1e4 * cands[j].size + cands[j].score for j in chosen)

    assert value(priced.chosen) == pytest.approx(value(direct.chosen), abs=1e-6)
    used = [u for j in priced.chosen for u in cands[j].units]
    assert len(used) == len(set(used))  # disjoint
    assert sum(cands[j].off for j in priced.chosen) <= 1  # at most one off-size group


def test_priced_answer_is_never_worse_than_its_hint_even_without_time():
    rng = random.Random(5)
    cands = random_cands(rng, 15, 300)
    hint = solve_packing(cands, 15, 15, [], time_limit=30).chosen
    rushed = solve_priced(as_groups(cands, 15), 15, list(hint), time_limit=0)
    total = sum(cands[j].score + 1e4 * cands[j].size for j in rushed.chosen)
    assert total >= sum(cands[j].score + 1e4 * cands[j].size for j in hint) - 1e-6


def dense(n: int, p: float, seed: int) -> list[Applicant]:
    rng = random.Random(seed)
    slots = [f"{d}-{h}" for d in SLOTS for h in (19, 20)]
    return [
        Applicant(
            i,
            frozenset(s for s in slots if rng.random() < p) or frozenset({rng.choice(slots)}),
            frozenset(rng.sample(TOPICS, rng.randint(1, 3))),
            "de" if rng.random() < 0.8 else "en",
        )
        for i in range(n)
    ]


def test_dense_instance_beyond_the_direct_model_is_proven_optimal():
    people = dense(24, 0.4, 24040)
    ctx_groups = sum(
        1
        for size in (4, 5)
        for combo in itertools.combinations(people, size)
        if frozenset.intersection(*(a.slots for a in combo))
    )
    assert ctx_groups > exact_stage.PRICED_FROM  # the priced stage is the one that runs
    proposal = propose_groups(people, time_limit=20)
    assert not proposal.waitlist
    assert proposal.proven_optimal
    assert proposal.gap is None
    assert proposal.score >= propose_groups(people, time_limit=0).score


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    instances(),
    st.sampled_from(("similar", "complementary")),
    st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10)), max_size=3),
)
def test_array_enumeration_finds_the_same_groups_with_the_same_scores(case, preference, together):
    people, apart, lo, hi = case
    ctx = _prepare(people, lo, hi, apart, together, preference == "complementary")
    units = [u for u, ok in enumerate(_placeable(ctx)) if ok]
    sizes = set(range(lo, hi + 1))
    plain = {c.units: (c.score, c.size, c.off) for c in enumerate_groups(ctx, units, sizes, 10**6)}
    groups = enumerate_arrays(ctx, units, sizes, 10**6, deadline=time.monotonic() + 60)
    found = {c.units: (c.score, c.size, c.off) for c in map(groups.cand, range(len(groups)))}
    assert found == plain  # scores bit for bit: the same formula in the same order


def test_array_enumeration_gives_up_before_a_growth_step_too_large_for_memory(monkeypatch):
    people = dense(30, 0.6, 7)
    ctx = _prepare(people, 4, 5, [], [], False)
    units = list(range(len(ctx.units)))
    monkeypatch.setattr(arrays, "EXTEND_MAX", 1_000)
    with pytest.raises(arrays.TooManyGroupsError):
        enumerate_arrays(ctx, units, {4, 5}, 10**6, deadline=time.monotonic() + 60)
    proposal = propose_groups(people, time_limit=1)  # the solve goes on without it
    assert not proposal.waitlist
