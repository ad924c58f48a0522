import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from mastermind import outbox
from mastermind.core.mail import Email
from mastermind.outbox.models import Notification, NotificationStatus

pytestmark = pytest.mark.django_db

KIND = "test_outbox"
calls = {"mode": "send"}


@outbox.register(KIND)
def build(notification: Notification) -> Email | None:
    if calls["mode"] == "skip":
        return None
    if calls["mode"] == "expired":
        raise outbox.Expired
    return Email(template="mastermind/email/test", to=notification.email, context={"n": 1})


@pytest.fixture(autouse=True)
def _mode():
    calls["mode"] = "send"
    yield


def test_claiming_the_same_key_twice_creates_one_row(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = outbox.claim(kind=KIND, dedup_key="k1", email="a@example.org")
        second = outbox.claim(kind=KIND, dedup_key="k1", email="a@example.org")
    assert first is not None
    assert second is None
    assert Notification.objects.count() == 1
    assert len(callbacks) == 1


def test_delivering_twice_sends_once():
    notification = Notification.objects.create(kind=KIND, dedup_key="k", email="a@example.org")
    assert outbox.deliver(notification.pk)[0] == outbox.Outcome.SENT
    assert outbox.deliver(notification.pk)[0] == outbox.Outcome.DONE
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 1


def test_builder_returning_none_skips():
    calls["mode"] = "skip"
    notification = Notification.objects.create(kind=KIND, dedup_key="k", email="a@example.org")
    outbox.deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SKIPPED
    assert mail.outbox == []


def test_expired_is_recorded_not_sent():
    calls["mode"] = "expired"
    notification = Notification.objects.create(kind=KIND, dedup_key="k", email="a@example.org")
    outbox.deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.EXPIRED
    assert mail.outbox == []


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


def test_smtp_errors_retry_then_fail(settings):
    settings.EMAIL_BACKEND = "tests.mastermind.outbox.test_outbox.BrokenBackend"
    notification = Notification.objects.create(kind=KIND, dedup_key="k", email="a@example.org")
    clock, outcomes = timezone.now(), []
    for _ in range(outbox.MAX_ATTEMPTS):
        outcome, delay = outbox.deliver(notification.pk, now=clock)
        outcomes.append(outcome)
        clock += dt.timedelta(seconds=delay)
    assert outcomes == [outbox.Outcome.RETRY] * (outbox.MAX_ATTEMPTS - 1) + [outbox.Outcome.DONE]
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == outbox.MAX_ATTEMPTS
    assert "connection lost" in notification.last_error


def test_backoff_grows_and_is_capped():
    import random

    rng = random.Random(1)
    ceilings = [max(outbox.backoff_seconds(a, rng=rng) for _ in range(200)) for a in (1, 3, 10)]
    assert ceilings[0] <= 60
    assert ceilings[1] > 60
    assert ceilings[2] <= outbox.BACKOFF_CAP_SECONDS


def test_send_again_resets_a_failed_notification(django_capture_on_commit_callbacks):
    notification = Notification.objects.create(
        kind=KIND,
        dedup_key="k",
        email="a@example.org",
        status=NotificationStatus.FAILED,
        attempts=5,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox.send_again([notification])
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 0
    assert len(callbacks) == 1


def test_a_redelivered_message_during_the_backoff_does_not_send_early(settings):
    settings.EMAIL_BACKEND = "tests.mastermind.outbox.test_outbox.BrokenBackend"
    notification = Notification.objects.create(kind=KIND, dedup_key="k", email="a@example.org")
    now = timezone.now()
    outcome, delay = outbox.deliver(notification.pk, now=now)
    assert outcome == outbox.Outcome.RETRY
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    early = outbox.deliver(notification.pk, now=now + dt.timedelta(seconds=1))
    assert early[0] == outbox.Outcome.RETRY
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.attempts == 1
    on_time = outbox.deliver(notification.pk, now=now + dt.timedelta(seconds=delay + 1))
    assert on_time[0] == outbox.Outcome.SENT
    assert len(mail.outbox) == 1
