"""Schedule -> stored meetings: horizon, DST, edits in place, cancel and move, validation."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from meetings import services
from meetings.forms.meetings import ScheduleAdminForm
from meetings.models import Meeting, MeetingStatus
from meetings.tasks import extend_meeting_horizon
from tests.factories import GroupFactory
from tests.meetings.helpers import (
    BERLIN,
    NOW,
    after_window,
    deliver_all,
    future,
    make_group,
    make_schedule,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def local(meeting: Meeting) -> dt.datetime:
    return meeting.starts_at.astimezone(BERLIN)


def test_meetings_are_created_for_the_horizon_at_local_time():
    group, _users = make_group()
    make_schedule(group)
    meetings = list(Meeting.objects.filter(group=group))
    assert len(meetings) == 27  # every two weeks for 365 days from Tuesday 5 Jan 2027
    assert meetings[-1].series_date <= (NOW + dt.timedelta(days=365)).date()
    assert all(local(m).time() == dt.time(19) and local(m).weekday() == 1 for m in meetings)
    assert all(m.ends_at - m.starts_at == dt.timedelta(minutes=120) for m in meetings)


def test_series_across_both_dst_changes_keeps_local_time_via_sync():
    group, _users = make_group()
    make_schedule(group, every_weeks=1, first_date=dt.date(2027, 3, 20), weekday=5)
    by_date = {m.series_date: m for m in Meeting.objects.filter(group=group)}
    # Saturdays before and after the last Sundays of March (28th) and October (31st).
    before, after = by_date[dt.date(2027, 3, 27)], by_date[dt.date(2027, 4, 3)]
    autumn_before, autumn_after = by_date[dt.date(2027, 10, 30)], by_date[dt.date(2027, 11, 6)]
    assert [local(m).hour for m in (before, after, autumn_before, autumn_after)] == [19] * 4
    assert before.starts_at.astimezone(dt.UTC).hour == 18
    assert after.starts_at.astimezone(dt.UTC).hour == 17
    assert autumn_before.starts_at.astimezone(dt.UTC).hour == 17
    assert autumn_after.starts_at.astimezone(dt.UTC).hour == 18


def test_time_change_updates_future_rows_in_place_and_bumps_sequence():
    group, _users = make_group()
    schedule = make_schedule(group)
    ids = list(Meeting.objects.filter(group=group).values_list("pk", flat=True))
    sequences = dict(Meeting.objects.values_list("pk", "sequence"))
    schedule.start_time = dt.time(18, 30)
    services.save_schedule(schedule=schedule)
    after = list(Meeting.objects.filter(group=group))
    assert [m.pk for m in after] == ids
    assert all(local(m).time() == dt.time(18, 30) for m in after)
    assert all(m.sequence == sequences[m.pk] + 1 for m in after)
    assert all(m.time_changed_at == NOW for m in after)


def test_schedule_edit_leaves_past_meetings_and_overrides_alone(clock):
    group, _users = make_group()
    schedule = make_schedule(group)
    clock.move_to(NOW + dt.timedelta(days=20))  # two meetings now lie in the past
    past = list(Meeting.objects.filter(group=group, starts_at__lte=NOW + dt.timedelta(days=20)))
    assert len(past) == 2
    moved = future(group, NOW + dt.timedelta(days=20))[0]
    services.move_meeting(
        meeting=moved, starts_at=moved.starts_at + dt.timedelta(days=1), reason=""
    )
    moved.refresh_from_db()
    schedule.start_time = dt.time(20)
    services.save_schedule(schedule=schedule)
    for meeting in past:
        fresh = Meeting.objects.get(pk=meeting.pk)
        assert (fresh.starts_at, fresh.sequence) == (meeting.starts_at, meeting.sequence)
    kept = Meeting.objects.get(pk=moved.pk)
    assert (kept.starts_at, kept.sequence) == (moved.starts_at, moved.sequence)
    assert local(kept).time() == dt.time(19)


def test_weekday_change_reuses_rows_instead_of_deleting():
    group, _users = make_group()
    schedule = make_schedule(group)
    ids = set(Meeting.objects.filter(group=group).values_list("pk", flat=True))
    schedule.weekday = 2  # Wednesday
    services.save_schedule(schedule=schedule)
    meetings = list(Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED))
    assert all(local(m).weekday() == 2 for m in meetings)
    assert {m.pk for m in meetings} <= ids  # no new rows, same UIDs
    assert all(m.sequence >= 1 and m.time_changed_at == NOW for m in meetings)


def test_fewer_meetings_cancel_rows_but_never_delete_them():
    group, _users = make_group()
    schedule = make_schedule(group)
    count = Meeting.objects.filter(group=group).count()
    sequences = dict(Meeting.objects.values_list("pk", "sequence"))
    schedule.every_weeks = 4
    services.save_schedule(schedule=schedule)
    assert Meeting.objects.filter(group=group).count() == count
    cancelled = Meeting.objects.filter(group=group, status=MeetingStatus.CANCELLED)
    assert cancelled.count() == count // 2
    assert all(m.sequence == sequences[m.pk] + 1 for m in cancelled)


def test_end_date_cancels_later_meetings_and_removing_it_restores_them():
    group, _users = make_group()
    schedule = make_schedule(group)
    schedule.end_date = dt.date(2027, 3, 1)
    services.save_schedule(schedule=schedule)
    assert len(future(group)) == 4
    schedule.end_date = None
    services.save_schedule(schedule=schedule)
    assert len(future(group)) == 27
    assert Meeting.objects.filter(group=group).count() == 27


def test_horizon_task_adds_new_meetings_daily_and_is_idempotent(clock):
    group, _users = make_group()
    make_schedule(group)
    clock.move_to(NOW + dt.timedelta(days=14))
    assert extend_meeting_horizon() == 1
    assert extend_meeting_horizon() == 0
    assert Meeting.objects.filter(group=group).count() == 28


def test_cancel_keeps_the_row_with_reason_and_tells_members(clock):
    group, users = make_group(3)
    make_schedule(group)
    meeting = future(group)[1]
    services.cancel_meeting(meeting=meeting, reason="Krankheit")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.cancel_reason == "Krankheit" and meeting.is_override
    assert not meeting.hot_seats.exists()
    after_window(clock)
    sent = deliver_all("meeting_changed")
    assert sorted(m.to[0] for m in sent) == sorted(u.email for u in users)
    assert "Krankheit" in sent[0].body


def test_move_keeps_duration_marks_override_and_tells_members(clock):
    group, _users = make_group(2)
    make_schedule(group)
    meeting = future(group)[0]
    sequence = meeting.sequence
    new_start = meeting.starts_at + dt.timedelta(days=1, hours=-1)
    services.move_meeting(meeting=meeting, starts_at=new_start, reason="Feiertag")
    meeting.refresh_from_db()
    assert meeting.starts_at == new_start
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(minutes=120)
    assert meeting.is_override and meeting.sequence == sequence + 1
    assert meeting.time_changed_at == NOW
    after_window(clock)
    assert len(deliver_all("meeting_changed")) == 2


def test_schedule_form_rejects_end_before_first_and_out_of_range_values():
    group = GroupFactory()
    data = {
        "group": group.pk,
        "every_weeks": 9,
        "weekday": 1,
        "start_time": "19:00",
        "duration_minutes": 20,
        "time_zone": "",
        "first_date": "2027-02-01",
        "end_date": "2027-01-01",
        "hot_seats": 4,
        "holiday_region": "",
        "reminder_hours_before": 24,
        "preparation_reminder_days": 5,
        "commitments_prompt_minutes_after": 60,
    }
    form = ScheduleAdminForm(data)
    assert not form.is_valid()
    assert set(form.errors) == {"every_weeks", "duration_minutes", "end_date", "hot_seats"}
    assert "darf nicht vor dem ersten Termin liegen" in form.errors["end_date"][0]


def test_schedule_form_defaults_to_the_groups_time_zone():
    group = GroupFactory(time_zone="Europe/London")
    form = ScheduleAdminForm(
        {
            "group": group.pk,
            "every_weeks": 2,
            "weekday": 1,
            "start_time": "19:00",
            "duration_minutes": 90,
            "time_zone": "",
            "first_date": "2027-02-01",
            "hot_seats": 1,
            "reminder_hours_before": 24,
            "preparation_reminder_days": 5,
            "commitments_prompt_minutes_after": 60,
        }
    )
    assert form.is_valid(), form.errors
    assert form.save(commit=False).time_zone == "Europe/London"


def test_no_mail_without_changes(clock):
    group, _users = make_group()
    schedule = make_schedule(group)
    mail.outbox.clear()
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        services.save_schedule(schedule=schedule)
    assert deliver_all() == []


# -- no two meetings of one group on one evening ------------------------------------------


def evenings(group) -> list[dt.date]:
    return [local(m).date() for m in future(group)]


def test_weekday_change_onto_a_hand_moved_meeting_keeps_one_meeting_that_evening():
    group, _users = make_group()
    schedule = make_schedule(group)  # Tuesdays from 5 Jan 2027, every two weeks
    tuesday = Meeting.objects.get(group=group, series_date=dt.date(2027, 1, 19))
    thursday = tuesday.starts_at + dt.timedelta(days=2)
    services.move_meeting(meeting=tuesday, starts_at=thursday, reason="Feiertag")

    schedule.weekday = 3  # Thursday
    services.save_schedule(schedule=schedule)

    days = evenings(group)
    assert len(days) == len(set(days))
    assert days.count(dt.date(2027, 1, 21)) == 1
    kept = Meeting.objects.get(pk=tuesday.pk)
    assert (kept.starts_at, kept.is_override) == (thursday, True)
    held = future(group)
    assert all(a.ends_at <= b.starts_at for a, b in itertools.pairwise(held))


def test_time_change_never_overlaps_a_hand_moved_meeting_on_another_day():
    group, _users = make_group()
    schedule = make_schedule(group, every_weeks=1)
    tuesday = Meeting.objects.get(group=group, series_date=dt.date(2027, 1, 12))
    services.move_meeting(
        meeting=tuesday, starts_at=tuesday.starts_at + dt.timedelta(days=1), reason=""
    )
    schedule.weekday = 2  # Wednesday, the day it was moved to
    schedule.start_time = dt.time(20)
    services.save_schedule(schedule=schedule)
    held = future(group)
    assert all(a.ends_at <= b.starts_at for a, b in itertools.pairwise(held))
    assert len(evenings(group)) == len(set(evenings(group)))


def test_moving_a_meeting_onto_another_meetings_evening_is_refused():
    group, _users = make_group()
    make_schedule(group, every_weeks=1)
    first, second = future(group)[:2]
    with pytest.raises(ValidationError):
        services.move_meeting(
            meeting=first, starts_at=second.starts_at - dt.timedelta(hours=3), reason=""
        )
    assert Meeting.objects.get(pk=first.pk).starts_at == first.starts_at
