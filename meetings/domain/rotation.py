"""Fair hot-seat rotation: decide who presents at each upcoming meeting.

Pure Python (no Django). Entry points: :func:`plan_rotation` and :func:`changed_presenters`.
All datetimes must be timezone-aware.

Inputs
------
* ``members`` - everybody who is, was or will be in the group, each with a membership window.
  A member is *eligible* for a meeting iff ``joined_at <= starts_at`` and
  (``left_at is None`` or ``starts_at < left_at``).
* ``history`` - past hot seats as ``(when, member_id)``. Only entries with ``when <= now`` count
  (later entries are plans, not facts, and are recomputed); entries for unknown ids are ignored.
* ``meetings`` - the future meetings to plan, in any order. Meetings with ``starts_at <= now``
  are past and never changed: they are ignored and left out of the result.

Rule
----
Future meetings are processed in chronological order (ties by meeting id). For each meeting the
*available* members are those eligible at its start and not in ``absent``.

1. Pinned presenters (from an accepted swap) are seated first, in the given order, if they are
   available; duplicates and any beyond ``seats`` are dropped.
2. The remaining seats go to the other available members in *queue order*, smallest rank first::

       rank(m) = (has_presented, last_hot_seat, assignment_no, joined_at, id)

   ``last_hot_seat`` is the start of m's most recent hot seat (history, then the assignments
   already made in this run); members who never presented come first (``has_presented`` is
   False). ``assignment_no`` counts the seats assigned in this run (0 for history entries,
   whose seat order is unknown), so of two people whose last hot seat was at the same time the
   one seated first is due first again - this keeps a 2-seat rotation strictly round-robin
   (plain "ties by joined_at" would let the earliest joiner present at every 2-seat meeting of
   a 3-person group). Remaining ties go to the earlier ``joined_at``, then the smaller ``id``.
3. Every seated member's ``last_hot_seat`` becomes this meeting (with the next
   ``assignment_no``).
4. With fewer available members than seats, the seats are filled as far as possible (possibly
   an empty tuple).

The result maps meeting id -> presenter ids (pinned ones first, then queue order).

Guarantees
----------
* **Safety.** A presenter is always eligible and not absent at that meeting; nobody holds two
  seats of one meeting; a meeting gets ``min(seats, #available)`` presenters.
* **Fairness invariant.** Let ``last(x, M)`` be x's most recent hot seat before meeting M
  (history up to ``now`` plus this plan's earlier meetings; "never" is older than any time).
  For every meeting M, every presenter p of M who was *not pinned*, and every member q who is
  available at M but not presenting at M: ``last(q, M)`` is **not strictly older** than
  ``last(p, M)``. In particular nobody presents a second time while an available member has
  never presented - with no absences, "nobody presents twice before every current member has
  presented once". With stable membership, no absences, no pins and no history the presenters,
  read seat by seat, cycle through all members in a fixed order.
* **Only the future.** Keys of the result are exactly the ids of meetings with
  ``starts_at > now``.
* **Determinism.** The result depends only on the *sets* of members, history entries and
  meetings - not on their order. Member ids and meeting ids must be unique (``ValueError``).
* **Local effect of an absence.** Marking a planned (non-pinned) presenter absent leaves every
  earlier meeting unchanged, keeps that meeting's other presenters and gives the freed seat to
  the next available member in queue order; the absent member keeps their older
  ``last_hot_seat`` and is therefore due early at later meetings.

Roles (facilitator, timekeeper)
-------------------------------
:func:`plan_roles` rotates each meeting role with the same queue, kept *per role*:
``rank_r(m) = (has_served_r, last_served_r, assignment_no, joined_at, id)``. ``history`` holds
``(when, role, member_id)``; as above only entries with ``when <= now`` count. Roles are
filled in the order given (e.g. facilitator, then timekeeper), pinned ones first (below). For
each meeting and role the holder is the first in that role's queue among the *candidates*, the
first non-empty of

1. available members who neither present at that meeting (``presenters``) nor hold another
   role there,
2. available members who do not present there,
3. all available members.

Pinned roles (from an accepted role swap, ``pinned``: meeting id -> {role: member id}) come
first: in role order, a pin holds iff its member is among that role's candidates as defined
above ("another role" meaning the pins that held before it). Then the other roles and those
whose pin gave way are filled from the queue, in role order. So a pin gives way, and the role
is re-planned like any other, when its holder is absent or no longer a member - and also when
honouring it would make a presenter or a double role holder although someone free is
available (a hot-seat re-plan may have seated the holder since). A pin for a role the group
does not rotate is ignored.

So a role holder is never a presenter while more members are available than presenters, and
the holders are distinct while at least ``#presenters + #roles`` are available, pins or not.
No available member: the role stays empty (missing from that meeting's mapping). The same
guarantees of only the future and determinism hold; the fairness invariant holds per role with
"available but not presenting" replaced by "candidate" - every candidate q not chosen for role
r at M has ``last_r(q, M)`` not strictly older than the holder's, for every holder who was
*not pinned* (candidates computed after the pins of M that held; a pinned holder's turn counts
as served all the same). An absence only changes the plan from that meeting on. Counts
(tested, not proved): in a stable group without absences or pins, over any run of meetings
each role's counts differ by at most two, by at most one after the first #members meetings;
the greedy rule cannot always keep them within one, because keeping the presenter apart would
need look-ahead. With absences, those at every meeting stay within two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "RotationMeeting",
    "RotationMember",
    "changed_presenters",
    "plan_roles",
    "plan_rotation",
]

# (meeting start, assignment number) of a member's most recent hot seat.
_HotSeat = tuple[datetime, int]
_Rank = tuple[bool, datetime, int, datetime, int]


@dataclass(frozen=True)
class RotationMember:
    """A group member and their membership window (``left_at`` exclusive)."""

    id: int
    joined_at: datetime
    left_at: datetime | None = None

    def is_member_at(self, moment: datetime) -> bool:
        """Return True if the member belongs to the group at ``moment``."""
        return self.joined_at <= moment and (self.left_at is None or moment < self.left_at)


@dataclass(frozen=True)
class RotationMeeting:
    """A future meeting to plan: ``seats`` presenters, absences and swap pins."""

    id: int
    starts_at: datetime
    seats: int
    absent: frozenset[int] = frozenset()
    pinned: tuple[int, ...] = ()


def plan_rotation(
    *,
    members: Sequence[RotationMember],
    history: Sequence[tuple[datetime, int]],
    meetings: Sequence[RotationMeeting],
    now: datetime,
) -> dict[int, tuple[int, ...]]:
    """Assign presenters to every meeting after ``now``; see the module docstring for the rule."""
    by_id = _index_members(members)
    last = _last_hot_seats(history, now, by_id)
    plan: dict[int, tuple[int, ...]] = {}
    assignment_no = 0
    for meeting in _future_in_order(meetings, now):
        chosen = _choose(meeting, by_id.values(), last)
        for member_id in chosen:
            assignment_no += 1
            last[member_id] = (meeting.starts_at, assignment_no)
        plan[meeting.id] = chosen
    return plan


def plan_roles(
    *,
    members: Sequence[RotationMember],
    history: Sequence[tuple[datetime, str, int]],
    meetings: Sequence[RotationMeeting],
    presenters: Mapping[int, Sequence[int]],
    roles: Sequence[str],
    now: datetime,
    pinned: Mapping[int, Mapping[str, int]] | None = None,
) -> dict[int, dict[str, int]]:
    """Assign each role to one member at every meeting after ``now`` (see the module docstring).

    ``meetings`` supply start and absences (``seats`` and ``pinned`` are ignored; role pins
    come in ``pinned``, meeting id -> {role: member id}); the result maps meeting id ->
    {role: member id}, leaving out a role nobody is available for.
    """
    pinned = pinned or {}
    by_id = _index_members(members)
    last = {
        role: _last_hot_seats(((w, m) for w, r, m in history if r == role), now, by_id)
        for role in roles
    }
    plan: dict[int, dict[str, int]] = {}
    assignment_no = 0
    for meeting in _future_in_order(meetings, now):
        available = [
            member
            for member in by_id.values()
            if member.is_member_at(meeting.starts_at) and member.id not in meeting.absent
        ]
        seated = set(presenters.get(meeting.id, ()))
        pins = pinned.get(meeting.id, {})
        held: dict[str, int] = {}
        for role in roles:  # first the pins that hold
            candidates = _role_candidates(available, seated, set(held.values()))
            if any(m.id == pins.get(role) for m in candidates):
                held[role] = pins[role]
        for role in roles:  # then the queue, for the other roles and the pins that gave way
            candidates = _role_candidates(available, seated, set(held.values()))
            if role not in held and candidates:
                held[role] = min(candidates, key=lambda m, r=role: _rank(m, last[r].get(m.id))).id
        for role in roles:
            if role in held:
                assignment_no += 1
                last[role][held[role]] = (meeting.starts_at, assignment_no)
        plan[meeting.id] = {role: held[role] for role in roles if role in held}
    return plan


def _role_candidates(
    available: list[RotationMember], seated: set[int], taken: set[int]
) -> list[RotationMember]:
    """The first non-empty tier: free of the hot seat and other roles, of the hot seat, all."""
    tiers = (
        [m for m in available if m.id not in seated and m.id not in taken],
        [m for m in available if m.id not in seated],
        available,
    )
    return next((tier for tier in tiers if tier), [])


def changed_presenters(
    old: Mapping[int, tuple[int, ...]], new: Mapping[int, tuple[int, ...]]
) -> dict[int, set[int]]:
    """Return meeting id -> member ids who gained or lost a seat there (old vs. new plan).

    A meeting missing from one mapping counts as having no presenters in it. Meetings whose
    presenter *set* is unchanged (even if reordered) are omitted.
    """
    changes: dict[int, set[int]] = {}
    for meeting_id in sorted(set(old) | set(new)):
        moved = set(old.get(meeting_id, ())) ^ set(new.get(meeting_id, ()))
        if moved:
            changes[meeting_id] = moved
    return changes


def _index_members(members: Sequence[RotationMember]) -> dict[int, RotationMember]:
    by_id = {member.id: member for member in members}
    if len(by_id) != len(members):
        raise ValueError("Member ids must be unique.")
    return by_id


def _last_hot_seats(
    history: Iterable[tuple[datetime, int]], now: datetime, by_id: Mapping[int, RotationMember]
) -> dict[int, _HotSeat]:
    last: dict[int, _HotSeat] = {}
    for when, member_id in history:
        if member_id not in by_id or when > now:
            continue  # unknown member, or a plan rather than a fact
        if member_id not in last or last[member_id][0] < when:
            last[member_id] = (when, 0)
    return last


def _future_in_order(meetings: Sequence[RotationMeeting], now: datetime) -> list[RotationMeeting]:
    if len({meeting.id for meeting in meetings}) != len(meetings):
        raise ValueError("Meeting ids must be unique.")
    future = [meeting for meeting in meetings if meeting.starts_at > now]
    return sorted(future, key=lambda meeting: (meeting.starts_at, meeting.id))


def _choose(
    meeting: RotationMeeting,
    members: Iterable[RotationMember],
    last: Mapping[int, _HotSeat],
) -> tuple[int, ...]:
    available = {
        member.id: member
        for member in members
        if member.is_member_at(meeting.starts_at) and member.id not in meeting.absent
    }
    seats = max(meeting.seats, 0)
    pinned = list(dict.fromkeys(pid for pid in meeting.pinned if pid in available))[:seats]
    queue = sorted(
        (member for member_id, member in available.items() if member_id not in pinned),
        key=lambda member: _rank(member, last.get(member.id)),
    )
    return tuple(pinned) + tuple(member.id for member in queue[: seats - len(pinned)])


def _rank(member: RotationMember, hot_seat: _HotSeat | None) -> _Rank:
    if hot_seat is None:
        # Never presented: sorts before everyone who has; the middle fields are placeholders.
        return (False, member.joined_at, 0, member.joined_at, member.id)
    return (True, hot_seat[0], hot_seat[1], member.joined_at, member.id)
