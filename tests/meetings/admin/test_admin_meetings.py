"""Organiser admin: schedules sync on save, cancel and move via an intermediate form."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from meetings.models import AgendaItem, Meeting, MeetingStatus, Schedule
from tests.factories import GroupFactory
from tests.meetings.helpers import (
    BERLIN,
    after_window,
    deliver_all,
    future,
    make_group,
    make_schedule,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

SCHEDULE = {
    "every_weeks": 2,
    "weekday": 2,
    "start_time": "19:30",
    "duration_minutes": 90,
    "time_zone": "",
    "first_date": "2027-01-06",
    "end_date": "",
    "hot_seats": 1,
    "holiday_region": "",
    "reminder_hours_before": 24,
    "second_reminder_minutes_before": "",
    "preparation_reminder_days": 5,
    "commitments_prompt_minutes_after": 60,
}


def test_adding_a_schedule_in_the_admin_creates_meetings_and_agenda(staff_client):
    group = GroupFactory()
    response = staff_client.post(
        reverse("admin:meetings_schedule_add"), {**SCHEDULE, "group": group.pk}
    )
    assert response.status_code == 302
    assert Schedule.objects.get().time_zone == "Europe/Berlin"
    meetings = Meeting.objects.filter(group=group)
    assert meetings.count() == 26  # Wednesdays within 365 days
    assert meetings.first().starts_at.astimezone(BERLIN).time() == dt.time(19, 30)
    assert sum(AgendaItem.objects.filter(group=group).values_list("minutes", flat=True)) == 90


def test_invalid_schedule_shows_messages_and_saves_nothing(staff_client):
    group = GroupFactory()
    data = {**SCHEDULE, "group": group.pk, "every_weeks": 0, "end_date": "2027-01-01"}
    response = staff_client.post(reverse("admin:meetings_schedule_add"), data)
    assert response.status_code == 200
    assert "darf nicht vor dem ersten Termin liegen" in response.content.decode()
    assert not Schedule.objects.exists() and not Meeting.objects.exists()


def test_cancel_action_asks_for_a_reason_then_cancels_and_tells_members(staff_client, clock):
    group, users = make_group(2)
    make_schedule(group)
    meeting = future(group)[1]
    url = reverse("admin:meetings_meeting_changelist")
    data = {"action": "cancel_meetings", ACTION_CHECKBOX_NAME: [meeting.pk]}
    page = staff_client.post(url, data)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED
    staff_client.post(url, {**data, "apply": "1", "reason": "Urlaub"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.cancel_reason == "Urlaub"
    assert deliver_all("meeting_changed") == []  # members are told once the window is over
    after_window(clock)
    assert sorted(m.to[0] for m in deliver_all("meeting_changed")) == sorted(u.email for u in users)


def test_move_action_moves_one_meeting_in_its_local_time(staff_client, clock):
    group, _users = make_group(2)
    make_schedule(group)
    meeting = future(group)[1]
    url = reverse("admin:meetings_meeting_changelist")
    data = {
        "action": "move_meeting",
        ACTION_CHECKBOX_NAME: [meeting.pk],
        "apply": "1",
        "date": "2027-01-20",
        "time": "18:00",
        "reason": "Feiertag",
    }
    staff_client.post(url, data)
    meeting.refresh_from_db()
    assert meeting.starts_at == dt.datetime(2027, 1, 20, 18, tzinfo=BERLIN)
    assert meeting.is_override
    after_window(clock)
    assert len(deliver_all("meeting_changed")) == 2


def test_the_move_form_keeps_the_meetings_date_and_time_in_german_too(staff_client):
    """A date input drops a value that is not ISO: the form must prefill 2027-01-19."""
    group, _users = make_group(2)
    make_schedule(group)
    meeting = future(group)[1]  # Tuesday 19 January 2027, 19:00 in Berlin
    page = staff_client.post(
        reverse("admin:meetings_meeting_changelist"),
        {"action": "move_meeting", ACTION_CHECKBOX_NAME: [meeting.pk]},
        HTTP_ACCEPT_LANGUAGE="de",
    ).content.decode()
    assert 'type="date"' in page and 'value="2027-01-19"' in page
    assert 'type="time"' in page and 'value="19:00"' in page


def test_move_action_rejects_a_past_time(staff_client):
    group, _users = make_group(2)
    make_schedule(group)
    meeting = future(group)[1]
    data = {
        "action": "move_meeting",
        ACTION_CHECKBOX_NAME: [meeting.pk],
        "apply": "1",
        "date": "2026-12-01",
        "time": "18:00",
        "reason": "x",
    }
    page = staff_client.post(reverse("admin:meetings_meeting_changelist"), data)
    assert "in der Zukunft" in page.content.decode()
    assert not Meeting.objects.get(pk=meeting.pk).is_override


def test_meeting_changelist_filters_and_never_deletes(staff_client):
    group, _users = make_group(2)
    make_schedule(group)
    url = reverse("admin:meetings_meeting_changelist")
    assert (
        staff_client.get(url, {"group__id__exact": group.pk, "status": "scheduled"}).status_code
        == 200
    )
    meeting = future(group)[0]
    assert (
        staff_client.get(reverse("admin:meetings_meeting_delete", args=[meeting.pk])).status_code
        == 403
    )


def test_editing_the_schedule_in_the_admin_keeps_meeting_ids(staff_client):
    group, _users = make_group(2)
    schedule = make_schedule(group)
    ids = list(Meeting.objects.filter(group=group).values_list("pk", flat=True))
    data = {
        **SCHEDULE,
        "group": group.pk,
        "weekday": 1,
        "first_date": "2027-01-05",
        "start_time": "18:00",
        "duration_minutes": 120,
        "confirm_changes": "on",
    }
    response = staff_client.post(
        reverse("admin:meetings_schedule_change", args=[schedule.pk]), data
    )
    assert response.status_code == 302
    assert list(Meeting.objects.filter(group=group).values_list("pk", flat=True)) == ids


def test_admin_pages_render(staff_client):
    group, _users = make_group(2)
    schedule = make_schedule(group)
    for url in (
        reverse("admin:meetings_schedule_change", args=[schedule.pk]),
        reverse("admin:meetings_groupagenda_changelist"),
        reverse("admin:meetings_groupagenda_change", args=[group.pk]),
        reverse("admin:meetings_meeting_change", args=[future(group)[0].pk]),
        reverse("admin:meetings_pause_changelist"),
    ):
        assert staff_client.get(url).status_code == 200, url


def test_deleting_a_schedule_cancels_future_meetings_but_keeps_rows(staff_client):
    group, _users = make_group(2)
    schedule = make_schedule(group)
    count = Meeting.objects.filter(group=group).count()
    staff_client.post(
        reverse("admin:meetings_schedule_delete", args=[schedule.pk]), {"post": "yes"}
    )
    assert not Schedule.objects.exists()
    assert Meeting.objects.filter(group=group).count() == count
    assert not Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED).exists()
