"""Each kind is claimed exactly when due, once, and a sweep repeats nothing."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mastermind.outbox.models import Notification
from meetings.models import Meeting
from meetings.reminders import health_digest, recaps
from meetings.reminders import sweep as reminders
from meetings.tasks import sweep_reminders
from tests.factories import StaffFactory
from tests.meetings.reminders.helpers import (
    END,
    MINUTE,
    START,
    deliver_all,
    keys,
    make_group,
    sweep_at,
)

pytestmark = pytest.mark.django_db

# (kind, schedule, due time, who gets it)
WINDOWS = [
    (reminders.MEETING_REMINDER, None, START - dt.timedelta(hours=24), "members"),
    (
        reminders.SECOND_REMINDER,
        {"second_reminder_minutes_before": 60},
        START - dt.timedelta(minutes=60),
        "members",
    ),
    (reminders.PREPARATION_REMINDER, None, START - dt.timedelta(days=5), "presenter"),
    (reminders.COMMITMENTS_PROMPT, None, END + dt.timedelta(minutes=60), "members"),
]


@pytest.mark.parametrize(("kind", "schedule", "due", "who"), WINDOWS)
def test_kind_is_claimed_at_its_due_time_exactly_once(kind, schedule, due, who):
    setup = make_group(members=3, schedule=schedule)
    expected = 1 if who == "presenter" else 3

    assert sweep_at(due - MINUTE).new[kind] == 0
    assert keys(kind) == []

    assert sweep_at(due).new[kind] == expected
    claimed = keys(kind)
    assert len(claimed) == expected
    assert all(key.startswith(f"{kind}:{setup.meeting.pk}:") for key in claimed)

    again = sweep_at(due + MINUTE)
    assert again.new[kind] == 0
    assert again.enqueued == 0
    assert keys(kind) == claimed


@pytest.mark.parametrize(("kind", "schedule", "due", "who"), WINDOWS)
def test_sweep_catches_up_within_the_lookback_but_not_after_it(kind, schedule, due, who):
    make_group(members=2, schedule=schedule)
    assert sweep_at(due + reminders.LOOKBACK + MINUTE).new[kind] == 0
    assert sweep_at(due + reminders.LOOKBACK).new[kind] > 0


def test_group_schedule_offsets_are_used():
    make_group(
        members=2,
        schedule={
            "reminder_hours_before": 48,
            "preparation_reminder_days": 3,
            "commitments_prompt_minutes_after": 10,
        },
    )
    assert sweep_at(START - dt.timedelta(hours=24)).new[reminders.MEETING_REMINDER] == 0
    assert sweep_at(START - dt.timedelta(hours=48)).new[reminders.MEETING_REMINDER] == 2
    assert sweep_at(START - dt.timedelta(days=5)).new[reminders.PREPARATION_REMINDER] == 0
    assert sweep_at(START - dt.timedelta(days=3)).new[reminders.PREPARATION_REMINDER] == 1
    assert sweep_at(END + dt.timedelta(minutes=10)).new[reminders.COMMITMENTS_PROMPT] == 2


def test_no_second_reminder_without_a_schedule_that_asks_for_one():
    make_group(members=2, schedule=None)
    make_group(members=2, schedule={}, start=START + dt.timedelta(days=1))
    for moment in (START - dt.timedelta(minutes=60), START + dt.timedelta(hours=23)):
        assert sweep_at(moment).new[reminders.SECOND_REMINDER] == 0


def test_zero_hours_turns_the_first_reminder_off():
    make_group(members=2, schedule={"reminder_hours_before": 0})
    assert sweep_at(START).new[reminders.MEETING_REMINDER] == 0


def test_the_dedup_key_names_kind_meeting_recipient_and_time():
    setup = make_group(members=1)
    sweep_at(START - dt.timedelta(hours=24))
    user = setup.members[0]
    assert keys(reminders.MEETING_REMINDER) == [
        f"meeting_reminder:{setup.meeting.pk}:{user.pk}:20270302T1800Z"
    ]


def test_nothing_is_published_with_an_eta(monkeypatch, django_capture_on_commit_callbacks):
    """Tasks are queued for now, after commit; the database is the only schedule."""
    from mastermind.outbox.tasks import send_notifications

    published = []
    monkeypatch.setattr(
        send_notifications, "apply_async", lambda *a, **kw: published.append((a, kw))
    )
    make_group(members=2)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_at(START - dt.timedelta(hours=24))
    assert sum(len(args[0][0]) for args, _kw in published) == 2
    assert all("eta" not in kw and "countdown" not in kw for _args, kw in published)


def test_sweep_task_has_an_explicit_name_and_runs_the_sweep(time_machine):
    make_group(members=2)
    time_machine.move_to(START - dt.timedelta(hours=24), tick=False)
    assert sweep_reminders.name == "meetings.sweep_reminders"
    result = sweep_reminders.run()
    assert result["new"][reminders.MEETING_REMINDER] == 2


def test_sweep_query_count_does_not_grow_with_due_reminders():
    ContentType.objects.get_for_model(Meeting)  # cached for the process: warm it for both
    make_group(members=2)
    moment = START - dt.timedelta(hours=24)
    with CaptureQueriesContext(connection) as one:
        sweep_at(moment)
    Notification.objects.all().delete()
    for index in range(6):
        make_group(members=4, start=START + dt.timedelta(minutes=index))
    with CaptureQueriesContext(connection) as many:
        result = sweep_at(moment + dt.timedelta(minutes=6))
    assert result.new[reminders.MEETING_REMINDER] == 2 + 6 * 4
    assert len(many) == len(one)


def test_sweep_query_count_is_the_same_for_1_and_100_groups_with_recaps_and_digest(settings):
    settings.ORGANISER_EMAILS = []
    ContentType.objects.get_for_model(Meeting)
    StaffFactory()
    # Monday 1 March 2027, 08:00 in Berlin: the weekly digest is due, and the recaps of
    # meetings that ended two hours before.
    moment = dt.datetime(2027, 3, 1, 7, 0, tzinfo=dt.UTC)
    start = moment - dt.timedelta(hours=4)
    make_group(members=2, start=start)
    with CaptureQueriesContext(connection) as one:
        result = sweep_at(moment)
    assert (result.new[recaps.RECAP], result.new[health_digest.HEALTH_DIGEST]) == (2, 1)
    Notification.objects.all().delete()
    for index in range(99):
        make_group(members=3, start=start - dt.timedelta(minutes=index))
    with CaptureQueriesContext(connection) as many:
        result = sweep_at(moment)
    assert (result.new[recaps.RECAP], result.new[health_digest.HEALTH_DIGEST]) == (2 + 99 * 3, 1)
    # The same queries; only the outbox's INSERT is split into batches (SQLite's variable
    # limit makes those small here: one per 5,000 rows on PostgreSQL).
    assert _selects(many) == _selects(one)


def _selects(captured) -> list[str]:
    return [q["sql"].split(" FROM ")[1][:40] for q in captured if q["sql"].startswith("SELECT")]


def test_emails_go_out_in_each_recipients_language_and_time_zone():
    setup = make_group(members=2)
    english, german = setup.members
    english.language, english.time_zone = "en", "America/New_York"
    english.save()
    sweep_at(START - dt.timedelta(hours=24))
    deliver_all(START - dt.timedelta(hours=24))
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {english.email, german.email}
    # 19:00 in Berlin is 1 pm in New York.
    assert "1 p.m." in by_recipient[english.email].body
    assert "19:00" in by_recipient[german.email].body
    assert "März" in by_recipient[german.email].body
    assert "Dienstag" in by_recipient[german.email].body


def test_sweep_claims_what_the_calendar_part_collects(monkeypatch):
    from meetings.calendar import invitations

    moment = START - dt.timedelta(days=3)
    seen = []

    def collect(now):
        seen.append(now)
        return [Notification(kind="test_invitation", dedup_key="invitation:1", email="a@b.org")]

    monkeypatch.setattr(invitations, "collect", collect)
    result = sweep_at(moment)
    assert seen == [moment]
    assert result.enqueued == 1
    assert keys("test_invitation") == ["invitation:1"]
    sweep_at(moment + MINUTE)
    assert keys("test_invitation") == ["invitation:1"]
