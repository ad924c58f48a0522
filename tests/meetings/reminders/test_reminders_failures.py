"""Failures are retried with backoff, then recorded as failed; nothing loops unseen."""

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail

from mastermind import outbox
from mastermind.outbox import claims
from mastermind.outbox.models import Notification, NotificationStatus
from meetings.reminders import sweep as reminders
from tests.meetings.reminders.helpers import END, START, make_group, sweep_at

pytestmark = pytest.mark.django_db


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


KIND_MOMENTS = [
    (reminders.MEETING_REMINDER, START - dt.timedelta(hours=24)),
    (reminders.PREPARATION_REMINDER, START - dt.timedelta(days=5)),
    (reminders.COMMITMENTS_PROMPT, END + dt.timedelta(hours=1)),
]


@pytest.mark.parametrize(("kind", "moment"), KIND_MOMENTS)
def test_smtp_errors_are_retried_with_growing_backoff_then_failed(settings, kind, moment):
    settings.EMAIL_BACKEND = "tests.meetings.reminders.test_reminders_failures.BrokenBackend"
    make_group(members=1)
    sweep_at(moment)
    notification = Notification.objects.get(kind=kind)
    outcomes, delays = [], []
    clock = moment
    for _ in range(outbox.MAX_ATTEMPTS):
        with time_machine.travel(clock, tick=False):
            outcome, delay = outbox.deliver(notification.pk)
        outcomes.append(outcome)
        delays.append(delay)
        clock += dt.timedelta(seconds=delay)
    assert outcomes == [outbox.Outcome.RETRY] * (outbox.MAX_ATTEMPTS - 1) + [outbox.Outcome.DONE]
    assert all(outbox.BACKOFF_BASE_SECONDS <= d <= outbox.BACKOFF_CAP_SECONDS for d in delays[:-1])
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == outbox.MAX_ATTEMPTS
    assert notification.last_error == "SMTPServerDisconnected: connection lost"
    assert mail.outbox == []


def test_a_retry_that_succeeds_sends_once_and_clears_the_error(settings):
    settings.EMAIL_BACKEND = "tests.meetings.reminders.test_reminders_failures.BrokenBackend"
    make_group(members=1)
    moment = START - dt.timedelta(hours=24)
    sweep_at(moment)
    notification = Notification.objects.get()
    with time_machine.travel(moment, tick=False):
        assert outbox.deliver(notification.pk)[0] == outbox.Outcome.RETRY
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(moment + dt.timedelta(minutes=2), tick=False):
        assert outbox.deliver(notification.pk)[0] == outbox.Outcome.SENT
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == (
        NotificationStatus.SENT,
        2,
        "",
    )
    assert len(mail.outbox) == 1


def test_a_builder_error_counts_as_an_attempt_and_ends_failed(monkeypatch):
    """A bug must not crash the task before anything is recorded (it would loop forever)."""
    make_group(members=1)
    moment = START - dt.timedelta(hours=24)
    sweep_at(moment)
    notification = Notification.objects.get()

    def broken(notification):
        raise RuntimeError("template exploded")

    monkeypatch.setitem(claims._builders, reminders.MEETING_REMINDER, broken)
    outcomes, clock = [], moment
    for _ in range(outbox.MAX_ATTEMPTS):
        with time_machine.travel(clock, tick=False):
            outcome, delay = outbox.deliver(notification.pk)
        outcomes.append(outcome)
        clock += dt.timedelta(seconds=delay)
    assert outcomes[-1] == outbox.Outcome.DONE
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert "template exploded" in notification.last_error


def test_lost_task_is_requeued_by_the_minute_requeue(django_capture_on_commit_callbacks):
    make_group(members=1)
    moment = START - dt.timedelta(hours=24)
    sweep_at(moment)  # its message was lost: nothing delivered it
    later = moment + outbox.STUCK_AFTER + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert outbox.requeue_stuck() == 1
