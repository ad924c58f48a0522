"""Validation of a grouping someone edited by hand: its hard-constraint violations.

Keep-together pins that :func:`propose_groups` would drop (their cluster is too large, has
no common evening, or holds a keep-apart pair) are reported once, as the same
``keep_together_unsatisfiable`` warning, and not as violations: the checks agree with the
proposal they check.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from groups.matching.model import Applicant, MatchWarning, Pair
from groups.matching.scoring import _common_slots
from groups.matching.units import _prepare


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
    keep_apart, keep_together = list(keep_apart), list(keep_together)
    ctx = _prepare(by_id.values(), min_size, max_size, keep_apart, keep_together, False)
    dropped = {i for w in ctx.warnings for i in w.applicant_ids}
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
    out.extend(ctx.warnings)
    for a, b in sorted({(min(p), max(p)) for p in keep_together}):
        if a in dropped and b in dropped:
            continue
        if a != b and (a in group_of or b in group_of) and group_of.get(a) != group_of.get(b):
            out.append(MatchWarning("keep_together_violated", (a, b)))
    return tuple(out)
