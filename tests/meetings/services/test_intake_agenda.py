"""The intake's agenda template: checked whole, copied into each new group scaled to its
meetings (also at round start, with as many hot seats as it has blocks), then separate."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from groups.models import Group
from groups.services import proposals
from meetings import services
from meetings.choices import AgendaKind
from meetings.models import AgendaItem, HotSeat, IntakeAgendaItem, Meeting, Schedule
from meetings.services.agenda import intake_hot_seats, set_intake_agenda, validate_agenda
from tests.factories import GroupFactory, IntakeFactory
from tests.groups.helpers import accept, make_intake
from tests.helpers import create_groups_post_data
from tests.meetings.helpers import NOW, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TWO_SEATS = [
    ("Ankommen", AgendaKind.CHECK_IN, 10),
    ("Hot Seat 1", AgendaKind.HOT_SEAT, 40),
    ("Pause", AgendaKind.OTHER, 10),
    ("Hot Seat 2", AgendaKind.HOT_SEAT, 40),
    ("Vorhaben", AgendaKind.COMMITMENTS, 15),
    ("Abschluss", AgendaKind.CLOSE, 5),
]  # 120 minutes


def codes(blocks, duration=120) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        validate_agenda(blocks, duration_minutes=duration)
    return {error.code for error in caught.value.error_list}


def agenda(group) -> list[tuple]:
    rows = AgendaItem.objects.filter(group=group).order_by("position")
    return list(rows.values_list("title", "kind", "minutes"))


def test_a_valid_template_passes():
    validate_agenda(TWO_SEATS, duration_minutes=120)


@pytest.mark.parametrize(
    ("blocks", "code"),
    [
        ([("Hot Seat", AgendaKind.HOT_SEAT, 100)], "agenda_total"),
        ([("Hot Seat", AgendaKind.HOT_SEAT, 130)], "agenda_total"),
        ([("Reden", AgendaKind.OTHER, 120)], "agenda_hot_seats"),
        ([("Hot Seat", AgendaKind.HOT_SEAT, 30)] * 4, "agenda_hot_seats"),
        ([("Hot Seat", AgendaKind.HOT_SEAT, 120), ("Leer", AgendaKind.OTHER, 0)], "agenda_minutes"),
        ([], "empty"),
    ],
)
def test_a_bad_template_is_refused_with_its_reason(blocks, code):
    assert code in codes(blocks)


def test_every_problem_is_named_at_once():
    assert codes([("Reden", AgendaKind.OTHER, 0)]) == {
        "agenda_minutes",
        "agenda_hot_seats",
        "agenda_total",
    }


def test_setting_a_bad_template_keeps_the_old_one():
    intake = IntakeFactory(meeting_duration_minutes=120)
    set_intake_agenda(intake=intake, blocks=TWO_SEATS)
    with pytest.raises(ValidationError):
        set_intake_agenda(intake=intake, blocks=[("Hot Seat", AgendaKind.HOT_SEAT, 60)])
    assert IntakeAgendaItem.objects.filter(intake=intake).count() == len(TWO_SEATS)


def test_a_group_of_the_intake_starts_with_its_template_scaled_to_its_meetings():
    intake = IntakeFactory(meeting_duration_minutes=120)
    set_intake_agenda(intake=intake, blocks=TWO_SEATS)
    group = GroupFactory(intake=intake)
    make_schedule(group, duration_minutes=90)
    copied = agenda(group)
    assert [(t, k) for t, k, _m in copied] == [(t, k) for t, k, _m in TWO_SEATS]
    assert [m for _t, _k, m in copied] == [8, 30, 7, 30, 11, 4]  # 3/4, adding up to 90
    assert sum(m for _t, _k, m in copied) == 90


def test_a_group_of_an_intake_without_a_template_gets_the_default():
    group = GroupFactory(intake=IntakeFactory())
    make_schedule(group, duration_minutes=120)
    kinds = [k for _t, k, _m in agenda(group)]
    assert kinds == ["check_in", "review", "hot_seat", "commitments", "close"]


def test_group_agenda_and_intake_template_are_separate_once_copied():
    intake = IntakeFactory(meeting_duration_minutes=120)
    set_intake_agenda(intake=intake, blocks=TWO_SEATS)
    first = GroupFactory(intake=intake)
    make_schedule(first)
    AgendaItem.objects.filter(group=first, position=0).update(title="Unser Check-in")
    assert IntakeAgendaItem.objects.get(intake=intake, position=0).title == "Ankommen"
    changed = [("Einstieg", AgendaKind.CHECK_IN, 20), ("Hot Seat", AgendaKind.HOT_SEAT, 100)]
    set_intake_agenda(intake=intake, blocks=changed)
    assert agenda(first)[0][0] == "Unser Check-in" and len(agenda(first)) == len(TWO_SEATS)
    second = GroupFactory(intake=intake)
    make_schedule(second)
    assert agenda(second) == changed


def test_rescaling_a_copied_agenda_keeps_its_blocks():
    intake = IntakeFactory(meeting_duration_minutes=120)
    set_intake_agenda(intake=intake, blocks=TWO_SEATS)
    group = GroupFactory(intake=intake)
    schedule = make_schedule(group)
    schedule.duration_minutes = 60
    services.save_schedule(schedule=schedule)
    assert [m for _t, _k, m in agenda(group)] == [5, 20, 5, 20, 8, 2]
    template = IntakeAgendaItem.objects.filter(intake=intake)
    assert sum(template.values_list("minutes", flat=True)) == 120  # the template stays


def test_hot_seats_per_meeting_follow_the_template():
    intake = IntakeFactory(meeting_duration_minutes=120)
    assert intake_hot_seats(intake.pk) == 1  # the default has one
    set_intake_agenda(intake=intake, blocks=TWO_SEATS)
    assert intake_hot_seats(intake.pk) == 2


def test_round_start_gives_every_group_a_copy_and_its_hot_seats(staff_client):
    intake = make_intake(deadline=NOW - dt.timedelta(days=3), meeting_duration_minutes=120)
    set_intake_agenda(intake=intake, blocks=TWO_SEATS)
    accept(intake, 9, slots=("mon-19",))
    proposals.run_matching(intake=intake)
    intake.refresh_from_db()
    data = create_groups_post_data(staff_client, intake, duration_minutes=90)
    url = reverse("meetings:create_groups", args=[intake.pk])
    assert staff_client.post(url, data).status_code == 302
    groups = list(Group.objects.filter(intake=intake))
    assert len(groups) == 2
    for group in groups:
        copied = agenda(group)
        assert [t for t, _k, _m in copied] == [t for t, _k, _m in TWO_SEATS]
        assert sum(m for _t, _k, m in copied) == 90
        assert Schedule.objects.get(group=group).hot_seats == 2
        first = Meeting.objects.filter(group=group).order_by("starts_at").first()
        assert HotSeat.objects.filter(meeting=first).count() == 2
    assert IntakeAgendaItem.objects.filter(intake=intake).count() == len(TWO_SEATS)
