"""Agenda with timeboxes: defaults scaled to the meeting, validated sums, clock times."""

import datetime as dt

import pytest
from django.urls import reverse

from meetings.models import AgendaItem
from meetings.services.schedule import scaled_minutes
from tests.factories import StaffFactory
from tests.meetings.helpers import future, make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_new_schedule_gets_the_default_agenda_scaled_to_its_duration():
    group, _users = make_group()
    make_schedule(group, duration_minutes=90)
    items = list(AgendaItem.objects.filter(group=group))
    assert len(items) == 5  # check-in, review, one hot seat, next commitments, close
    assert sum(i.minutes for i in items) == 90


@pytest.mark.parametrize("total", [30, 61, 90, 120, 240])
def test_scaled_minutes_add_up_exactly(total):
    minutes = scaled_minutes([15, 15, 20, 30, 25, 15], total)
    assert sum(minutes) == total and min(minutes) >= 1


def test_changing_the_duration_rescales_the_agenda():
    group, _users = make_group()
    schedule = make_schedule(group)
    schedule.duration_minutes = 60
    from meetings import services

    services.save_schedule(schedule=schedule)
    assert sum(AgendaItem.objects.filter(group=group).values_list("minutes", flat=True)) == 60


def _formset_data(group, minutes: list[int]) -> dict:
    items = list(AgendaItem.objects.filter(group=group))
    data = {
        "name": group.name,
        "agenda_items-TOTAL_FORMS": str(len(items)),
        "agenda_items-INITIAL_FORMS": str(len(items)),
        "agenda_items-MIN_NUM_FORMS": "0",
        "agenda_items-MAX_NUM_FORMS": "1000",
    }
    for i, (item, m) in enumerate(zip(items, minutes, strict=True)):
        data |= {
            f"agenda_items-{i}-id": str(item.pk),
            f"agenda_items-{i}-group": str(group.pk),
            f"agenda_items-{i}-position": str(i),
            f"agenda_items-{i}-title": item.title,
            f"agenda_items-{i}-kind": item.kind,
            f"agenda_items-{i}-minutes": str(m),
        }
    return data


def test_admin_rejects_an_agenda_that_does_not_add_up(client):
    group, _users = make_group()
    make_schedule(group)
    client.force_login(StaffFactory())
    url = reverse("admin:meetings_groupagenda_change", args=[group.pk])
    response = client.post(url, _formset_data(group, [15, 20, 60, 15, 15]))
    assert response.status_code == 200
    assert "ergibt zusammen 125 Minuten, die Treffen dauern aber 120" in response.content.decode()
    assert sum(AgendaItem.objects.filter(group=group).values_list("minutes", flat=True)) == 120
    response = client.post(url, _formset_data(group, [10, 20, 60, 15, 15]))
    assert response.status_code == 302
    assert AgendaItem.objects.filter(group=group).first().minutes == 10


def test_meeting_page_shows_agenda_with_local_clock_times_and_timer(client):
    group, users = make_group()
    make_schedule(group)
    meeting = future(group)[0]
    client.force_login(users[0])
    page = client.get(meeting.get_absolute_url()).content.decode()
    start = meeting.starts_at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert start.strftime("%H:%M") == "19:00"
    clock = meeting.starts_at.astimezone(start.tzinfo)
    for minutes in AgendaItem.objects.filter(group=group).values_list("minutes", flat=True):
        assert f'<span class="agenda-time">{clock:%H:%M}</span>' in page
        clock += dt.timedelta(minutes=minutes)
    assert "js/meetings-timer.js" in page and "data-agenda-timer" in page
