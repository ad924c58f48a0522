"""A group's health over its last held meetings: three rates and the signals of trouble.

Pure Python (no Django). Entry point: :func:`assess`. The organiser's home shows the result
(:mod:`meetings.dashboard`); :mod:`meetings.health` loads the facts from the database and
puts the signals into words, for the home and for a weekly digest alike.

Facts
-----
A *held* meeting is one that was neither cancelled nor skipped and has started. For each
the caller gives a :class:`HeldMeeting`:

* ``expected``: the members of the group at its start (joined, not yet left);
* ``absent``: those of them who said "I can't come";
* ``presenters``: who sat on the hot seat, in seat order;
* ``prepared``: the presenters who wrote a preparation for it (a Preparation row);
* ``commitments``: the status of each commitment recorded at it (``open``, ``done``,
  ``not_done``, the values of ``meetings.models.CommitmentStatus``).

Figures, over the window of the last :data:`WINDOW` held meetings
----------------------------------------------------------------
* **attendance**: came / expected, where came = expected minus absent;
* **hot seats prepared**: prepared hot seats / hot seats;
* **commitments done**: done / due. A commitment is *due* once its owner marked it done or
  not done, or once a later meeting of the group was held (it was reviewed there: still
  open then counts as not done). Open commitments of the latest held meeting are not due.

Each figure is a :class:`Share` per meeting and in total; a share of nothing has no percent.

Signals ("needs attention", each with its reason)
-------------------------------------------------
* :data:`LOW_ATTENDANCE`: attendance under :data:`LOW_ATTENDANCE_PERCENT` % in at least two
  of the last three held meetings (of the last two, if only two were held).
* :data:`UNPREPARED_HOT_SEATS`: the last two hot seats, counted seat by seat across
  meetings, both without a preparation.
* :data:`ABSENT_IN_A_ROW`: a current member absent from each of the last three held meetings
  they were expected at (one signal per member, with their id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

WINDOW = 6
LOW_ATTENDANCE_PERCENT = 60
LOW_ATTENDANCE_OF_LAST = 3
LOW_ATTENDANCE_TIMES = 2
UNPREPARED_IN_A_ROW = 2
ABSENT_TIMES_IN_A_ROW = 3

LOW_ATTENDANCE = "low_attendance"
UNPREPARED_HOT_SEATS = "unprepared_hot_seats"
ABSENT_IN_A_ROW = "absent_in_a_row"

OPEN, DONE, NOT_DONE = "open", "done", "not_done"


@dataclass(frozen=True)
class HeldMeeting:
    starts_at: dt.datetime
    expected: frozenset[int]
    absent: frozenset[int] = frozenset()
    presenters: tuple[int, ...] = ()
    prepared: frozenset[int] = frozenset()
    commitments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Share:
    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        """Rounded half up; ``None`` for a share of nothing."""
        if not self.whole:
            return None
        return (200 * self.part + self.whole) // (2 * self.whole)

    def below(self, percent: int) -> bool:
        return bool(self.whole) and 100 * self.part < percent * self.whole

    def __add__(self, other: Share) -> Share:
        return Share(self.part + other.part, self.whole + other.whole)


@dataclass(frozen=True)
class MeetingFigures:
    starts_at: dt.datetime
    attendance: Share
    preparation: Share
    commitments: Share


@dataclass(frozen=True)
class Signal:
    kind: str
    count: int
    of: int = 0
    user_id: int | None = None


@dataclass(frozen=True)
class Health:
    meetings: tuple[MeetingFigures, ...]
    attendance: Share
    preparation: Share
    commitments: Share
    signals: tuple[Signal, ...]

    @property
    def needs_attention(self) -> bool:
        return bool(self.signals)


def assess(held: Sequence[HeldMeeting], current_members: Collection[int] = ()) -> Health:
    """The figures and signals of the last :data:`WINDOW` of ``held`` (in any order)."""
    window = sorted(held, key=lambda meeting: meeting.starts_at)[-WINDOW:]
    figures = tuple(
        _figures(meeting, latest=index == len(window) - 1) for index, meeting in enumerate(window)
    )
    return Health(
        meetings=figures,
        attendance=_total(f.attendance for f in figures),
        preparation=_total(f.preparation for f in figures),
        commitments=_total(f.commitments for f in figures),
        signals=(
            *low_attendance(figures),
            *unprepared_hot_seats(window),
            *absent_in_a_row(window, current_members),
        ),
    )


def _total(shares) -> Share:
    return sum(shares, Share(0, 0))


def _figures(meeting: HeldMeeting, *, latest: bool) -> MeetingFigures:
    absent = meeting.absent & meeting.expected
    prepared = sum(1 for user_id in meeting.presenters if user_id in meeting.prepared)
    due = [status for status in meeting.commitments if status != OPEN or not latest]
    return MeetingFigures(
        starts_at=meeting.starts_at,
        attendance=Share(len(meeting.expected) - len(absent), len(meeting.expected)),
        preparation=Share(prepared, len(meeting.presenters)),
        commitments=Share(due.count(DONE), len(due)),
    )


def low_attendance(figures: Sequence[MeetingFigures]) -> list[Signal]:
    recent = [f.attendance for f in figures if f.attendance.whole][-LOW_ATTENDANCE_OF_LAST:]
    low = sum(1 for share in recent if share.below(LOW_ATTENDANCE_PERCENT))
    if low < LOW_ATTENDANCE_TIMES:
        return []
    return [Signal(LOW_ATTENDANCE, count=low, of=len(recent))]


def unprepared_hot_seats(window: Sequence[HeldMeeting]) -> list[Signal]:
    seats = [user_id in m.prepared for m in window for user_id in m.presenters]
    last = seats[-UNPREPARED_IN_A_ROW:]
    if len(last) < UNPREPARED_IN_A_ROW or any(last):
        return []
    return [Signal(UNPREPARED_HOT_SEATS, count=UNPREPARED_IN_A_ROW)]


def absent_in_a_row(window: Sequence[HeldMeeting], current: Collection[int]) -> list[Signal]:
    signals = []
    for user_id in sorted(current):
        expected_at = [m for m in window if user_id in m.expected]
        last = expected_at[-ABSENT_TIMES_IN_A_ROW:]
        if len(last) == ABSENT_TIMES_IN_A_ROW and all(user_id in m.absent for m in last):
            signals.append(Signal(ABSENT_IN_A_ROW, count=ABSENT_TIMES_IN_A_ROW, user_id=user_id))
    return signals
