"""The matching core's plain data: applicants in, proposed groups and warnings out.

``describe`` renders a warning as plain English for logs and tests; the pages translate
the warning's ``code`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

Pair = tuple[int, int]


@dataclass(frozen=True)
class Applicant:
    id: int
    slots: frozenset[str]
    topics: frozenset[str]
    language: str


@dataclass(frozen=True)
class MatchWarning:
    code: str
    applicant_ids: tuple[int, ...] = ()
    params: tuple[tuple[str, object], ...] = ()

    def param(self, name: str, default: object = None) -> object:
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class ProposedGroup:
    member_ids: tuple[int, ...]
    shared_slots: tuple[str, ...]
    shared_topics: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class Proposal:
    groups: tuple[ProposedGroup, ...]
    waitlist: tuple[int, ...]
    warnings: tuple[MatchWarning, ...]
    score: float
    # True when no grouping places more people or, placing as many, scores higher.
    proven_optimal: bool = False
    # When not proven: how far the score may be below the best possible, as a fraction of
    # the solver's bound (0.004 = within 0.4 %); None when there is no bound.
    gap: float | None = None


_MESSAGES = {
    "too_few": "Only {n} applicant(s); a group needs at least {min_size}. Everyone is waitlisted.",
    "size_infeasible": (
        "{n} people cannot be split into groups of {min_size}-{max_size}; {waitlisted} must wait."
    ),
    "waitlisted": "Waitlisted (no room in a valid group): {ids}.",
    "no_shared_slot": (
        "No slot shared with at least {min_size} people, so no group is possible for: {ids}."
    ),
    "off_size_group": "Group {ids} has {size} members, outside {min_size}-{max_size}.",
    "keep_apart_violated": "Keep-apart pair {ids} is in the same group.",
    "keep_together_violated": "Keep-together people {ids} are not in one group.",
    "keep_together_unsatisfiable": (
        "Cannot keep {ids} together ({reason}); they are matched individually."
    ),
}


def describe(warning: MatchWarning) -> str:
    """Plain-English text of a warning (for logs and tests; the UI translates the code)."""
    values = dict(warning.params)
    values["ids"] = ", ".join(str(i) for i in warning.applicant_ids)
    template = _MESSAGES.get(warning.code, warning.code + ": {ids}")
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return f"{warning.code}: {values}"
