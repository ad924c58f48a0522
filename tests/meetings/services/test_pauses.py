"""Pauses (global and per group) and public holidays: skipped rows that keep their ids."""

import datetime as dt

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Meeting, MeetingStatus, Pause
from tests.factories import StaffFactory
from tests.meetings.helpers import make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

# The Tuesday series from 5 Jan 2027 every two weeks: 19 Jan, 2 Feb, 16 Feb, 2 Mar, ...


def status_on(group, day: dt.date) -> tuple[str, str]:
    meeting = Meeting.objects.get(group=group, series_date=day)
    return meeting.status, meeting.skip_reason


def test_global_pause_skips_meetings_on_its_first_and_last_day():
    group, _users = make_group()
    other, _users = make_group()
    Pause.objects.create(
        name="Winter", start_date=dt.date(2027, 1, 19), end_date=dt.date(2027, 2, 2)
    )
    make_schedule(group)
    make_schedule(other)
    for g in (group, other):
        assert status_on(g, dt.date(2027, 1, 19)) == (MeetingStatus.SKIPPED, "Winter")
        assert status_on(g, dt.date(2027, 2, 2)) == (MeetingStatus.SKIPPED, "Winter")
        assert status_on(g, dt.date(2027, 2, 16))[0] == MeetingStatus.SCHEDULED


def test_group_pause_only_affects_that_group():
    group, _users = make_group()
    other, _users = make_group()
    Pause.objects.create(
        name="Urlaub", group=group, start_date=dt.date(2027, 2, 2), end_date=dt.date(2027, 2, 2)
    )
    make_schedule(group)
    make_schedule(other)
    assert status_on(group, dt.date(2027, 2, 2)) == (MeetingStatus.SKIPPED, "Urlaub")
    assert status_on(other, dt.date(2027, 2, 2))[0] == MeetingStatus.SCHEDULED


def test_skipped_meetings_have_no_hot_seat():
    group, _users = make_group()
    Pause.objects.create(name="P", start_date=dt.date(2027, 1, 19), end_date=dt.date(2027, 1, 19))
    make_schedule(group)
    assert not Meeting.objects.get(group=group, series_date=dt.date(2027, 1, 19)).hot_seats.exists()


def test_adding_and_removing_a_pause_keeps_the_meeting_id():
    group, _users = make_group()
    make_schedule(group)
    before = Meeting.objects.get(group=group, series_date=dt.date(2027, 3, 2))
    pause = Pause.objects.create(
        name="März", start_date=dt.date(2027, 3, 1), end_date=dt.date(2027, 3, 7)
    )
    services.sync_after_pause_change(group=None)
    skipped = Meeting.objects.get(pk=before.pk)
    assert skipped.status == MeetingStatus.SKIPPED
    assert skipped.sequence > before.sequence
    pause.delete()
    services.sync_after_pause_change(group=None)
    back = Meeting.objects.get(pk=before.pk)
    assert back.status == MeetingStatus.SCHEDULED and back.skip_reason == ""
    assert back.hot_seats.exists()


def test_public_holidays_of_the_region_are_skipped():
    group, _users = make_group()
    # Corpus Christi, Thursday 27 May 2027, is a holiday in Bavaria but not in Berlin.
    make_schedule(group, weekday=3, every_weeks=1, holiday_region="DE-BY")
    assert status_on(group, dt.date(2027, 5, 27)) == (MeetingStatus.SKIPPED, "Corpus Christi")
    berlin, _users = make_group()
    make_schedule(berlin, weekday=3, every_weeks=1, holiday_region="DE-BE")
    assert status_on(berlin, dt.date(2027, 5, 27))[0] == MeetingStatus.SCHEDULED


def test_admin_saving_and_deleting_a_pause_updates_future_meetings(client):
    group, _users = make_group()
    make_schedule(group)
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:meetings_pause_add"),
        {
            "name": "Fasching",
            "group": group.pk,
            "start_date": "2027-02-16",
            "end_date": "2027-02-16",
        },
    )
    assert response.status_code == 302
    assert status_on(group, dt.date(2027, 2, 16)) == (MeetingStatus.SKIPPED, "Fasching")
    pause = Pause.objects.get()
    client.post(reverse("admin:meetings_pause_delete", args=[pause.pk]), {"post": "yes"})
    assert status_on(group, dt.date(2027, 2, 16))[0] == MeetingStatus.SCHEDULED


def test_admin_pause_form_rejects_last_day_before_first_day(client):
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:meetings_pause_add"),
        {"name": "Falsch", "start_date": "2027-02-16", "end_date": "2027-02-01"},
    )
    assert response.status_code == 200
    assert "darf nicht vor dem ersten Tag liegen" in response.content.decode()
    assert not Pause.objects.exists()
