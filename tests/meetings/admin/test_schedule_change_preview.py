"""Editing a schedule says what it does to the meetings first, on its page and the group's."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mastermind.outbox.models import Notification
from meetings.models import Meeting, MeetingStatus, Pause
from tests.factories import StaffFactory
from tests.helpers import admin_change_data
from tests.meetings.admin.test_admin_meetings import SCHEDULE
from tests.meetings.helpers import BERLIN, make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

PREVIEW = re.compile(r"Saving adds (\d+) meetings, moves (\d+) and cancels (\d+)")
DONE = re.compile(r"Meetings updated: (\d+) new, (\d+) changed, (\d+) cancelled")


@pytest.fixture
def staff_client(client):
    """An organiser who reads the admin in English (the messages are matched below)."""
    client.force_login(StaffFactory(language="en"))
    return client


def edit_data(group, **changes) -> dict:
    data = {
        **SCHEDULE,
        "group": group.pk,
        "weekday": 1,
        "first_date": "2027-01-05",
        "start_time": "19:00",
        "duration_minutes": 120,
    }
    return {**data, **changes}


def future_rows(group):
    return Meeting.objects.filter(group=group, starts_at__gt=timezone.now()).order_by("pk")


def test_a_time_change_is_previewed_and_saved_only_when_confirmed(staff_client):
    group, _users = make_group(3)
    schedule = make_schedule(group, start_time=dt.time(19))
    before = list(future_rows(group).values_list("pk", "starts_at", "sequence"))
    notifications = Notification.objects.count()
    url = reverse("admin:meetings_schedule_change", args=[schedule.pk])

    response = staff_client.post(
        url, edit_data(group, start_time="20:00"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    shown = PREVIEW.search(response.content.decode().replace("\n", " "))
    assert shown, "the page says what the save would do"
    scheduled = future_rows(group).filter(status=MeetingStatus.SCHEDULED).count()
    assert tuple(map(int, shown.groups())) == (0, scheduled, 0)
    assert list(future_rows(group).values_list("pk", "starts_at", "sequence")) == before
    assert Notification.objects.count() == notifications

    confirmed = edit_data(group, start_time="20:00", confirm_changes="on")
    response = staff_client.post(url, confirmed, follow=True)
    assert response.redirect_chain
    for meeting in future_rows(group).filter(status=MeetingStatus.SCHEDULED):
        assert meeting.starts_at.astimezone(BERLIN).hour == 20


def test_the_preview_counts_what_the_save_then_does(staff_client):
    group, _users = make_group(3)
    schedule = make_schedule(group)
    url = reverse("admin:meetings_schedule_change", args=[schedule.pk])
    change = {"weekday": 3, "every_weeks": 3, "first_date": "2027-01-07"}
    response = staff_client.post(url, edit_data(group, **change))
    preview = PREVIEW.search(response.content.decode().replace("\n", " "))
    response = staff_client.post(url, edit_data(group, **change, confirm_changes="on"), follow=True)
    messages = " ".join(str(m) for m in response.context["messages"])
    done = DONE.search(messages) or re.search(
        r"(\d+) neu, (\d+) geändert, (\d+) abgesagt", messages
    )
    assert preview and done
    assert preview.groups() == done.groups()
    assert int(preview.group(1)) + int(preview.group(2)) > 0


def test_changing_only_the_reminders_saves_without_asking(staff_client):
    group, _users = make_group(3)
    schedule = make_schedule(group)
    url = reverse("admin:meetings_schedule_change", args=[schedule.pk])
    response = staff_client.post(url, edit_data(group, reminder_hours_before=48))
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.reminder_hours_before == 48


def group_page_data(staff_client, group) -> tuple[str, dict]:
    url = reverse("admin:groups_group_change", args=[group.pk])
    return url, admin_change_data(staff_client, url)


def test_the_group_page_edits_its_schedule_with_the_same_preview(staff_client):
    group, _users = make_group(3)
    make_schedule(group, start_time=dt.time(19))
    url, data = group_page_data(staff_client, group)
    prefix = next(k for k in data if k.endswith("-start_time")).removesuffix("-start_time")
    data[f"{prefix}-start_time"] = "18:30"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert future_rows(group).first().starts_at.astimezone(BERLIN).hour == 19
    data[f"{prefix}-confirm_changes"] = "on"
    response = staff_client.post(url, data)
    assert response.status_code == 302
    first = future_rows(group).filter(status=MeetingStatus.SCHEDULED).first()
    assert first.starts_at.astimezone(BERLIN).time() == dt.time(18, 30)


def test_a_pause_added_on_the_group_page_skips_its_meetings(staff_client):
    group, _users = make_group(3)
    make_schedule(group)
    url, data = group_page_data(staff_client, group)
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS") and "pause" in k).removesuffix(
        "-TOTAL_FORMS"
    )
    data |= {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-0-name": "Osterpause",
        f"{prefix}-0-start_date": "2027-03-22",
        f"{prefix}-0-end_date": "2027-04-04",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    pause = Pause.objects.get()
    assert pause.group == group
    skipped = Meeting.objects.filter(group=group, status=MeetingStatus.SKIPPED)
    assert skipped.exists()
    for meeting in skipped:
        assert (
            dt.date(2027, 3, 22)
            <= meeting.starts_at.astimezone(BERLIN).date()
            <= dt.date(2027, 4, 4)
        )
