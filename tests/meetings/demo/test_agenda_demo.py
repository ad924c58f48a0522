"""The demo gives its open intake an agenda template of its own, once."""

import pytest

from groups.demo import intake as demo_intake
from groups.models import Intake
from mastermind import demo
from meetings.choices import AgendaKind
from meetings.demo import agenda as demo_agenda
from meetings.models import IntakeAgendaItem
from meetings.services.agenda import intake_blocks, validate_agenda

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_the_demo_intake_gets_a_valid_template_once():
    demo_intake.seed([])
    intake = Intake.objects.get(slug=demo_intake.SLUG)
    report = []
    demo_agenda.seed(report)
    demo_agenda.seed(report)
    assert len(report) == 1 and report[0].startswith("Agenda:")
    blocks = intake_blocks(intake.pk)
    assert len(blocks) == len(demo_agenda.TEMPLATE) == IntakeAgendaItem.objects.count()
    validate_agenda(blocks, duration_minutes=intake.meeting_duration_minutes)
    assert [k for _t, k, _m in blocks].count(AgendaKind.HOT_SEAT) == 2


def test_the_whole_demo_seeds_the_template_before_the_groups():
    assert demo.PARTS.index(demo_agenda) < demo.PARTS.index(demo.demo_schedules)
    demo.seed()
    assert IntakeAgendaItem.objects.filter(intake__slug=demo_intake.SLUG).exists()
