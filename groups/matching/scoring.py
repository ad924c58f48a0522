"""Scoring of one group (the weights and terms of the package docstring) and its hard
constraints, on :class:`Applicant` objects and on the bitmasks the search works with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import reduce

from groups.matching.model import Applicant, Pair

W_SLOT = 100.0
W_TOPIC = 10.0
W_LANG = 1.0
EPS = 1e-9


def _slot_term(k: int) -> float:
    return 0.0 if k <= 0 else 2.0 - 0.5 ** (min(k, 3) - 1)


def _jaccard(a: int, b: int) -> float:
    union = a | b
    return (a & b).bit_count() / union.bit_count() if union else 0.0


def _topic_term(topic_masks: Sequence[int], complementary: bool) -> float:
    n = len(topic_masks)
    if n < 2:
        return 0.0
    if complementary:
        seen = dup = listed = 0
        for m in topic_masks:
            dup |= seen & m
            seen |= m
            listed += m.bit_count()
        return seen.bit_count() / listed if dup else 0.0
    total = 0.0
    for i in range(n):
        a = topic_masks[i]
        for j in range(i + 1, n):
            total += _jaccard(a, topic_masks[j])
    return total / (n * (n - 1) / 2)


def _score_masks(
    slot_masks: Sequence[int], topic_masks: Sequence[int], langs: Sequence[object], comp: bool
) -> float:
    if not slot_masks:
        return 0.0
    shared = -1
    for m in slot_masks:
        shared &= m
    quality = (
        W_SLOT * _slot_term(shared.bit_count())
        + W_TOPIC * _topic_term(topic_masks, comp)
        + W_LANG * (1.0 if len(set(langs)) == 1 else 0.0)
    )
    return len(slot_masks) * quality


def _encode(values: Iterable[frozenset[str]]) -> dict[str, int]:
    universe = sorted(set().union(*values))
    return {name: 1 << i for i, name in enumerate(universe)}


def _mask(items: Iterable[str], bits: dict[str, int]) -> int:
    out = 0
    for item in items:
        out |= bits[item]
    return out


def _check_preference(topic_preference: str) -> bool:
    if topic_preference not in ("similar", "complementary"):
        raise ValueError(f"unknown topic_preference {topic_preference!r}")
    return topic_preference == "complementary"


def group_score(members: Sequence[Applicant], *, topic_preference: str = "similar") -> float:
    """Score of one group (see module docstring); independent of member order."""
    comp = _check_preference(topic_preference)
    people = sorted(members, key=lambda a: a.id)
    if not people:
        return 0.0
    sbits = _encode(a.slots for a in people)
    tbits = _encode(a.topics for a in people)
    return _score_masks(
        [_mask(a.slots, sbits) for a in people],
        [_mask(a.topics, tbits) for a in people],
        [a.language for a in people],
        comp,
    )


def _common_slots(members: Sequence[Applicant]) -> frozenset[str]:
    if not members:
        return frozenset()
    return reduce(lambda acc, a: acc & frozenset(a.slots), members[1:], frozenset(members[0].slots))


def is_valid_group(members: Sequence[Applicant], *, keep_apart: Iterable[Pair] = ()) -> bool:
    """Hard constraints of one group, size aside: non-empty, a common slot, no keep-apart pair."""
    if not members:
        return False
    if not _common_slots(members):
        return False
    ids = {a.id for a in members}
    return not any(a in ids and b in ids and a != b for a, b in keep_apart)
