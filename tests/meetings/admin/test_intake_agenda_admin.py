"""The intake's agenda template on its admin page: default pre-filled, checked whole, saved
all at once or not at all, and a page whose queries do not grow with the blocks."""

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Intake
from meetings.choices import AgendaKind
from meetings.models import IntakeAgendaItem
from meetings.services.agenda import set_intake_agenda
from tests.factories import IntakeFactory
from tests.helpers import admin_change_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
PREFIX = "agenda_items"
OWN = [
    ("Ankommen", AgendaKind.CHECK_IN, 20),
    ("Hot Seat", AgendaKind.HOT_SEAT, 90),
    ("Abschluss", AgendaKind.CLOSE, 10),
]


def change_url(intake) -> str:
    return reverse("admin:groups_intake_change", args=[intake.pk])


def page_data(client, intake) -> dict:
    """The intake's change page as rendered, submitted unchanged."""
    data = admin_change_data(client, change_url(intake))
    for name in ("opens_at", "deadline"):
        local = timezone.localtime(data.pop(name) and getattr(intake, name))
        data[f"{name}_0"], data[f"{name}_1"] = local.date().isoformat(), f"{local:%H:%M:%S}"
    data["topics"] = "\n".join(intake.topics)
    for i in range(int(data[f"{PREFIX}-TOTAL_FORMS"])):  # the helper leaves out a 0
        data.setdefault(f"{PREFIX}-{i}-position", "0")
    return data


def rows(intake) -> list[tuple]:
    return list(
        IntakeAgendaItem.objects.filter(intake=intake)
        .order_by("position")
        .values_list("title", "kind", "minutes")
    )


def test_an_intake_without_a_template_shows_the_default_pre_filled(staff_client):
    intake = IntakeFactory(meeting_duration_minutes=120)
    page = staff_client.get(change_url(intake))
    body = page.content.decode()
    assert "verwendet den Standardablauf" in body
    (inline,) = [i for i in page.context["inline_admin_formsets"] if i.formset.prefix == PREFIX]
    initial = [form.initial for form in inline.formset.forms]
    assert [(i["title"], i["kind"]) for i in initial] == [
        ("Check-in", AgendaKind.CHECK_IN),
        ("Rückblick auf die Vorhaben vom letzten Mal", AgendaKind.REVIEW),
        ("Hot Seat", AgendaKind.HOT_SEAT),
        ("Nächste Vorhaben", AgendaKind.COMMITMENTS),
        ("Abschluss", AgendaKind.CLOSE),
    ]
    assert sum(i["minutes"] for i in initial) == 120  # scaled to the intake's meetings


def test_the_default_left_alone_saves_nothing_even_with_a_new_duration(staff_client):
    intake = IntakeFactory(meeting_duration_minutes=120)
    data = page_data(staff_client, intake) | {"meeting_duration_minutes": "90"}
    response = staff_client.post(change_url(intake), data)
    assert response.status_code == 302, response.context["inline_admin_formsets"]
    assert Intake.objects.get(pk=intake.pk).meeting_duration_minutes == 90
    assert rows(intake) == []  # still the default, scaled for each group


def test_editing_one_default_row_saves_the_whole_template(staff_client):
    intake = IntakeFactory(meeting_duration_minutes=120)
    data = page_data(staff_client, intake) | {f"{PREFIX}-0-title": "Ankommen"}
    assert staff_client.post(change_url(intake), data).status_code == 302
    saved = rows(intake)
    assert [t for t, _k, _m in saved] == [
        "Ankommen",
        "Rückblick auf die Vorhaben vom letzten Mal",
        "Hot Seat",
        "Nächste Vorhaben",
        "Abschluss",
    ]
    assert sum(m for _t, _k, m in saved) == 120


def test_the_own_template_is_shown_sorted_and_edited(staff_client):
    intake = IntakeFactory(meeting_duration_minutes=120)
    set_intake_agenda(intake=intake, blocks=OWN)
    data = page_data(staff_client, intake)
    assert (
        "verwendet den Standardablauf" not in staff_client.get(change_url(intake)).content.decode()
    )
    # Swap the first two blocks by their positions and retime them.
    data |= {f"{PREFIX}-0-position": "1", f"{PREFIX}-1-position": "0"}
    data |= {f"{PREFIX}-0-minutes": "30", f"{PREFIX}-1-minutes": "80"}
    assert staff_client.post(change_url(intake), data).status_code == 302
    assert rows(intake) == [
        ("Hot Seat", AgendaKind.HOT_SEAT, 80),
        ("Ankommen", AgendaKind.CHECK_IN, 30),
        ("Abschluss", AgendaKind.CLOSE, 10),
    ]


def _refused(client, intake, data, message: str) -> None:
    before = rows(intake)
    response = client.post(change_url(intake), data | {"title": "Umbenannt"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert rows(intake) == before
    assert Intake.objects.get(pk=intake.pk).title == intake.title  # nothing saved at all


def test_a_total_that_does_not_match_the_meetings_is_refused(staff_client):
    intake = IntakeFactory(meeting_duration_minutes=120)
    set_intake_agenda(intake=intake, blocks=OWN)
    data = page_data(staff_client, intake) | {f"{PREFIX}-1-minutes": "60"}
    _refused(staff_client, intake, data, "ergibt zusammen 90 Minuten, die Treffen dauern aber 120")


def test_a_new_duration_must_be_matched_by_the_own_template(staff_client):
    intake = IntakeFactory(meeting_duration_minutes=120)
    set_intake_agenda(intake=intake, blocks=OWN)
    data = page_data(staff_client, intake) | {"meeting_duration_minutes": "90"}
    _refused(staff_client, intake, data, "ergibt zusammen 120 Minuten, die Treffen dauern aber 90")


def test_more_hot_seats_than_a_meeting_can_hold_are_refused(staff_client):
    intake = IntakeFactory(meeting_duration_minutes=120)
    data = page_data(staff_client, intake)
    for i in range(5):  # every pre-filled row a hot seat: 5 > 3
        data[f"{PREFIX}-{i}-kind"] = AgendaKind.HOT_SEAT
    _refused(staff_client, intake, data, "hat 5 Hot-Seat-Blöcke; er braucht mindestens 1")


def test_an_agenda_without_a_hot_seat_is_refused(staff_client):
    intake = IntakeFactory(meeting_duration_minutes=120)
    data = page_data(staff_client, intake) | {f"{PREFIX}-2-kind": AgendaKind.OTHER}
    _refused(staff_client, intake, data, "hat 0 Hot-Seat-Blöcke")


def test_a_block_of_zero_minutes_is_refused(staff_client):
    intake = IntakeFactory(meeting_duration_minutes=120)
    set_intake_agenda(intake=intake, blocks=OWN)
    data = page_data(staff_client, intake)
    data |= {f"{PREFIX}-0-minutes": "0", f"{PREFIX}-1-minutes": "110"}
    _refused(staff_client, intake, data, "größer oder gleich 1")


def test_deleting_every_block_goes_back_to_the_default(staff_client):
    intake = IntakeFactory(meeting_duration_minutes=120)
    set_intake_agenda(intake=intake, blocks=OWN)
    data = page_data(staff_client, intake)
    data |= {f"{PREFIX}-{i}-DELETE": "on" for i in range(len(OWN))}
    assert staff_client.post(change_url(intake), data).status_code == 302
    assert rows(intake) == []
    assert "verwendet den Standardablauf" in staff_client.get(change_url(intake)).content.decode()


@pytest.mark.parametrize("blocks", [1, 30])
def test_the_change_page_queries_do_not_grow_with_the_blocks(
    staff_client, blocks, django_assert_max_num_queries
):
    intake = IntakeFactory(meeting_duration_minutes=240)
    template = [("Hot Seat", AgendaKind.HOT_SEAT, 240 - (blocks - 1) * 5)]
    template += [(f"Block {i}", AgendaKind.OTHER, 5) for i in range(blocks - 1)]
    set_intake_agenda(intake=intake, blocks=template)
    # session, user, the intake (with its counts), the template rows
    with django_assert_max_num_queries(5):
        response = staff_client.get(change_url(intake))
    assert response.status_code == 200
    assert response.content.decode().count('name="agenda_items-') >= blocks * 4
