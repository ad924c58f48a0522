"""A group's agenda in the admin: kinds shown, the whole agenda checked, bad input saves nothing."""

import pytest
from django.urls import reverse

from meetings.choices import AgendaKind
from meetings.models import AgendaItem
from tests.helpers import admin_change_data
from tests.meetings.helpers import make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def agenda_page(staff_client, hot_seats=1):
    group, _users = make_group(3)
    make_schedule(group, hot_seats=hot_seats)
    url = reverse("admin:meetings_groupagenda_change", args=[group.pk])
    return group, url, admin_change_data(staff_client, url)


def rows(data: dict) -> list[str]:
    """The prefixes of the agenda rows in a submitted change page."""
    return sorted(key[: -len("-title")] for key in data if key.endswith("-title"))


def stored(group) -> list[tuple[str, str, int]]:
    return list(AgendaItem.objects.filter(group=group).values_list("title", "kind", "minutes"))


def test_agenda_rows_show_their_kind(staff_client):
    _group, url, data = agenda_page(staff_client)
    kinds = [data[f"{prefix}-kind"] for prefix in rows(data)]
    assert AgendaKind.HOT_SEAT in kinds
    assert "hot_seat" in staff_client.get(url).content.decode()


def test_reordered_and_retimed_agenda_is_saved(staff_client):
    group, url, data = agenda_page(staff_client)
    first, second, *_ = rows(data)
    data[f"{first}-minutes"] = int(data[f"{first}-minutes"]) + 5
    data[f"{second}-minutes"] = int(data[f"{second}-minutes"]) - 5
    data[f"{first}-position"], data[f"{second}-position"] = 1, 0
    response = staff_client.post(url, data)
    assert response.status_code == 302
    assert sum(minutes for _t, _k, minutes in stored(group)) == group.schedule.duration_minutes
    assert stored(group)[0][2] == int(data[f"{second}-minutes"])  # now first, 5 minutes less


@pytest.mark.parametrize(
    ("change", "code"),
    [("total", "agenda_total"), ("no_hot_seat", "agenda_hot_seats"), ("two", "agenda_seats")],
)
def test_bad_agenda_is_refused_with_a_message_and_saves_nothing(staff_client, change, code):
    group, url, data = agenda_page(staff_client)
    before = stored(group)
    prefixes = rows(data)
    seat = next(p for p in prefixes if data[f"{p}-kind"] == AgendaKind.HOT_SEAT)
    other = next(p for p in prefixes if p != seat)
    if change == "total":
        data[f"{other}-minutes"] = int(data[f"{other}-minutes"]) + 1
    elif change == "no_hot_seat":
        data[f"{seat}-kind"] = AgendaKind.OTHER
    else:
        data[f"{other}-kind"] = AgendaKind.HOT_SEAT
    response = staff_client.post(url, data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert [error.code for error in formset.non_form_errors().as_data()] == [code]
    assert str(formset.non_form_errors()[0]) in response.content.decode()
    assert stored(group) == before


def test_one_block_per_hot_seat_is_accepted(staff_client):
    _group, url, data = agenda_page(staff_client, hot_seats=2)
    prefixes = rows(data)
    seats = [p for p in prefixes if data[f"{p}-kind"] == AgendaKind.HOT_SEAT]
    assert len(seats) == 2  # the default agenda gives each of the two presenters a block
    others = [p for p in prefixes if p not in seats]
    data[f"{others[0]}-kind"] = AgendaKind.HOT_SEAT
    assert staff_client.post(url, data).status_code == 200  # three blocks for two seats
    data[f"{others[0]}-kind"] = AgendaKind.OTHER
    assert staff_client.post(url, data).status_code == 302


@pytest.mark.parametrize("extra_blocks", [0, 12])
def test_agenda_page_query_count_does_not_grow(
    staff_client, django_assert_max_num_queries, extra_blocks
):
    group, url, _data = agenda_page(staff_client)
    AgendaItem.objects.bulk_create(
        AgendaItem(group=group, position=10 + i, title=f"Block {i}", minutes=1)
        for i in range(extra_blocks)
    )
    with django_assert_max_num_queries(10):
        assert staff_client.get(url).status_code == 200
