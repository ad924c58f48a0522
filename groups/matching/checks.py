"""Validation of a grouping someone edited by hand: its hard-constraint violations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from groups.matching.model import Applicant, MatchWarning, Pair
from groups.matching.scoring import _common_slots


def check_groups(
    applicants: Iterable[Applicant],
    groups: Iterable[Sequence[int]],
    *,
    min_size: int = 4,
    max_size: int = 5,
    keep_apart: Iterable[Pair] = (),
    keep_together: Iterable[Pair] = (),
) -> tuple[MatchWarning, ...]:
    """Hard-constraint violations of a (possibly hand-edited) grouping, as warnings."""
    by_id = {a.id: a for a in applicants}
    group_of: dict[int, int] = {}
    out: list[MatchWarning] = []
    sizes = (("min_size", min_size), ("max_size", max_size))
    for g, ids in enumerate(groups):
        key = tuple(sorted(ids))
        for i in key:
            group_of[i] = g
        if not min_size <= len(key) <= max_size:
            out.append(MatchWarning("off_size_group", key, (("size", len(key)), *sizes)))
        members = [by_id[i] for i in key if i in by_id]
        if not members or not _common_slots(members):
            out.append(MatchWarning("no_shared_slot", key, sizes[:1]))
    for a, b in sorted({(min(p), max(p)) for p in keep_apart}):
        if a != b and a in group_of and group_of.get(b) == group_of[a]:
            out.append(MatchWarning("keep_apart_violated", (a, b)))
    for a, b in sorted({(min(p), max(p)) for p in keep_together}):
        if a != b and (a in group_of or b in group_of) and group_of.get(a) != group_of.get(b):
            out.append(MatchWarning("keep_together_violated", (a, b)))
    return tuple(out)
