"""Does a person waiting for a place share the evening a group meets, in their own zone?

The group's evening comes from the app that keeps schedules (``groups.extensions
.group_evening``); a person's evenings are the slots they gave, in their own zone. The
evening is converted at the coming week, so daylight-saving offsets are today's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from groups.extensions import group_evening, group_evenings
from groups.models import Application, Group
from groups.slots import availability_summary, convert_slot, slot_label


@dataclass(frozen=True)
class EveningFit:
    shares: bool
    group_evening: str  # "Thursday 19:00 (Europe/Berlin)"
    their_time: str  # the same moment in the person's zone: "Thursday 13:00 (America/New_York)"
    their_evenings: str  # what they gave: "Tue 19:00 (America/New_York)"


def evening_of(group: Group) -> tuple[str, str] | None:
    for _name, hook in group_evening:
        if found := hook(group=group):
            return found
    return None


def evenings_of(group_ids: list[int]) -> dict[int, tuple[str, str]]:
    """:func:`evening_of` for many groups at once (one query); groups without one left out."""
    for _name, hook in group_evenings:
        return hook(group_ids=group_ids)
    return {}


def evening_label(evening: tuple[str, str] | None) -> str:
    """``("thu-19", "Europe/Berlin")`` -> "Thursday 19:00 (Europe/Berlin)" ("" for None)."""
    return f"{slot_label(evening[0])} ({evening[1]})" if evening else ""


def evening_fit(
    application: Application, evening: tuple[str, str] | None, *, today: dt.date | None = None
) -> EveningFit | None:
    """None when the group has no evening yet (nothing to compare)."""
    if evening is None:
        return None
    slot, zone = evening
    today = today or timezone.localdate()
    theirs = convert_slot(slot, from_zone=zone, to_zone=application.time_zone, reference=today)
    return EveningFit(
        shares=theirs in set(application.availability or []),
        group_evening=f"{slot_label(slot)} ({zone})",
        their_time=f"{slot_label(theirs or slot)} ({application.time_zone})",
        their_evenings=availability_summary(application.availability or [], application.time_zone),
    )
