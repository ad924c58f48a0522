"""Agenda templates: the default, an intake's own, checking one, and scaling it to a meeting.

A template is a list of blocks ``(title, kind, minutes)``. An intake's template (its
:class:`~meetings.models.IntakeAgendaItem` rows, or the default when it has none) is what
each group formed from it starts with: :func:`meetings.services.schedule.ensure_agenda`
copies it, scaled to the group's meeting length, when the group's schedule is first saved.
From then on the group's agenda and the intake's template are separate rows.

A valid template (:func:`validate_agenda`): at least one block, every block at least one
minute, between one and :data:`~meetings.models.MAX_HOT_SEATS` hot-seat blocks, and the
minutes adding up to the meeting's length exactly.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from groups.models import Intake
from meetings.choices import AgendaKind
from meetings.models import MAX_HOT_SEATS, IntakeAgendaItem

Block = tuple[str, str, int]  # title, kind (AgendaKind), minutes

# The default agenda, the rhythm experienced facilitators use: scaled to the meeting's
# length (these minutes fill 85), with one hot-seat block per hot seat of the schedule.
DEFAULT_AGENDA = (
    (_("Check-in"), AgendaKind.CHECK_IN, 10),
    (_("Review of last time's commitments"), AgendaKind.REVIEW, 15),
    (_("Hot seat"), AgendaKind.HOT_SEAT, 45),
    (_("Next commitments"), AgendaKind.COMMITMENTS, 10),
    (pgettext_lazy("agenda block", "Close"), AgendaKind.CLOSE, 5),
)


def default_agenda(hot_seats: int = 1) -> list[Block]:
    """The default blocks, the hot-seat block once per hot seat (numbered from two on)."""
    blocks = []
    for title, kind, minutes in DEFAULT_AGENDA:
        if kind != AgendaKind.HOT_SEAT:
            blocks.append((str(title), kind, minutes))
            continue
        for seat in range(1, hot_seats + 1):
            name = str(title) if hot_seats == 1 else f"{title} {seat}"
            blocks.append((name, kind, minutes))
    return blocks


def scaled_minutes(weights: list[int], total: int) -> list[int]:
    """Scale ``weights`` to add up to ``total`` exactly, each at least 1 (largest remainder)."""
    if not weights:
        return []
    base = sum(weights) or 1
    raw = [w * total / base for w in weights]
    minutes = [max(1, int(x)) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(minutes) < total:
        minutes[order[i % len(order)]] += 1
        i += 1
    while sum(minutes) > total and max(minutes) > 1:
        minutes[minutes.index(max(minutes))] -= 1
    return minutes


def scaled_blocks(blocks: list[Block], total: int) -> list[Block]:
    """The same blocks with their minutes scaled to add up to ``total``."""
    minutes = scaled_minutes([m for _t, _k, m in blocks], total)
    return [(t, k, m) for (t, k, _m), m in zip(blocks, minutes, strict=True)]


def default_blocks(*, duration_minutes: int, hot_seats: int = 1) -> list[Block]:
    """The default agenda in the content language, scaled to ``duration_minutes``."""
    with translation.override(settings.CONTENT_LANGUAGE):  # organiser-written content
        blocks = default_agenda(hot_seats)
    return scaled_blocks(blocks, duration_minutes)


def intake_blocks(intake_id: int | None) -> list[Block]:
    """The intake's own template, in order; [] for none (the default applies)."""
    if intake_id is None:
        return []
    rows = IntakeAgendaItem.objects.filter(intake_id=intake_id).order_by("position", "pk")
    return list(rows.values_list("title", "kind", "minutes"))


def intake_hot_seats(intake_id: int | None) -> int:
    """Hot seats per meeting for the intake's groups: its template's hot-seat blocks."""
    blocks = intake_blocks(intake_id)
    if not blocks:
        return 1
    count = sum(1 for _t, kind, _m in blocks if kind == AgendaKind.HOT_SEAT)
    return min(max(count, 1), MAX_HOT_SEATS)


def validate_agenda(blocks: list[Block], *, duration_minutes: int) -> None:
    """Raise a ValidationError listing everything wrong with ``blocks``, else nothing."""
    errors = []
    if not blocks:
        errors.append(ValidationError(_("The agenda needs at least one block."), code="empty"))
    if any(minutes < 1 for _t, _k, minutes in blocks):
        errors.append(
            ValidationError(_("Every block needs at least one minute."), code="agenda_minutes")
        )
    seats = sum(1 for _t, kind, _m in blocks if kind == AgendaKind.HOT_SEAT)
    if blocks and not 1 <= seats <= MAX_HOT_SEATS:
        errors.append(
            ValidationError(
                _(
                    "The agenda has %(count)s hot-seat blocks; it needs at least 1 and at "
                    "most %(max)s."
                ),
                code="agenda_hot_seats",
                params={"count": seats, "max": MAX_HOT_SEATS},
            )
        )
    total = sum(minutes for _t, _k, minutes in blocks)
    if blocks and total != duration_minutes:
        errors.append(
            ValidationError(
                _(
                    "The agenda adds up to %(total)s minutes, but the meetings last "
                    "%(duration)s minutes. Please make the minutes add up exactly."
                ),
                code="agenda_total",
                params={"total": total, "duration": duration_minutes},
            )
        )
    if errors:
        raise ValidationError(errors)


def set_intake_agenda(*, intake: Intake, blocks: list[Block]) -> list[IntakeAgendaItem]:
    """Replace the intake's template with ``blocks`` (validated; [] goes back to the default).

    Groups already formed keep their own agendas.
    """
    if blocks:
        validate_agenda(blocks, duration_minutes=intake.meeting_duration_minutes)
    with transaction.atomic():
        IntakeAgendaItem.objects.filter(intake=intake).delete()
        return IntakeAgendaItem.objects.bulk_create(
            IntakeAgendaItem(intake=intake, position=i, title=title, kind=kind, minutes=minutes)
            for i, (title, kind, minutes) in enumerate(blocks)
        )
