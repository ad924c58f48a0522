"""Demo: the open intake's own agenda template, with two hot seats (idempotent).

Its groups, once the organiser starts the round, begin with a copy of it; the past demo
intake keeps the default agenda, so both kinds can be seen.
"""

from groups.demo.intake import SLUG
from groups.models import Intake
from meetings.choices import AgendaKind
from meetings.models import IntakeAgendaItem
from meetings.services.agenda import scaled_blocks, set_intake_agenda

TEMPLATE = (  # organiser-written content, in the demo's language; adds up to 120 minutes
    ("Ankommen und Check-in", AgendaKind.CHECK_IN, 15),
    ("Rückblick auf die Vorhaben", AgendaKind.REVIEW, 15),
    ("Hot Seat 1", AgendaKind.HOT_SEAT, 35),
    ("Kurze Pause", AgendaKind.OTHER, 5),
    ("Hot Seat 2", AgendaKind.HOT_SEAT, 35),
    ("Nächste Vorhaben", AgendaKind.COMMITMENTS, 10),
    ("Abschluss", AgendaKind.CLOSE, 5),
)


def seed(report: list[str]) -> None:
    intake = Intake.objects.filter(slug=SLUG).first()
    if intake is None or IntakeAgendaItem.objects.filter(intake=intake).exists():
        return
    # Scaled in case the intake's meeting length was changed by hand (a no-op for 120).
    template = [(title, str(kind), minutes) for title, kind, minutes in TEMPLATE]
    blocks = scaled_blocks(template, intake.meeting_duration_minutes)
    set_intake_agenda(intake=intake, blocks=blocks)
    report.append(f"Agenda:    {intake.title} has its own template ({len(blocks)} blocks)")
