"""Batches (mastermind/outbox/batches.py): rows of one key pending together are one email,
sent once, with the outbox's claims, retries, circuit and "send again" intact."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache

from mastermind import outbox
from mastermind.core.mail import Email
from mastermind.outbox.circuit import release_waiting
from mastermind.outbox.models import Notification, NotificationStatus
from tests.mastermind.outbox.helpers import Watch

pytestmark = pytest.mark.django_db

BACKENDS = "tests.mastermind.outbox.helpers"
KIND_A, KIND_B = "test_batch_a", "test_batch_b"
WINDOW = dt.timedelta(minutes=5)
START = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
mode = {"now": "send"}


@outbox.register_batch(KIND_A, KIND_B)
def build(rows):
    if mode["now"] == "skip":
        return None
    if mode["now"] == "expired":
        raise outbox.Expired
    says = "|".join(row.payload["says"] for row in rows)
    counts_as = next((row for row in rows if row.kind == KIND_B), rows[0])
    return Email(template="mastermind/email/test", to=rows[0].email, context={"n": says}), counts_as


@pytest.fixture(autouse=True)
def _mode():
    mode["now"] = "send"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def row(says: str, *, key: str = "k:1", kind: str = KIND_A, **fields) -> Notification:
    batch = outbox.batched(key, window=WINDOW) if key else {}
    return Notification.objects.create(
        kind=kind,
        dedup_key=f"{kind}:{says}",
        email=f"{key or 'alone'}@example.org",
        payload={"says": says},
        **{**batch, **fields},
    )


def send_everything() -> list:
    """Every id, as a broker that redelivers everything would; returns the mails."""
    mail.outbox.clear()
    outbox.deliver_many(Notification.objects.order_by("-pk").values_list("pk", flat=True))
    return list(mail.outbox)


def bodies(messages) -> list[str]:
    return sorted(m.body.split("\n")[0] for m in messages)


def test_rows_of_one_key_pending_together_are_one_email_sent_once(clock):
    one = row("one")
    clock.shift(dt.timedelta(minutes=3))
    two = row("two", kind=KIND_B)
    three = row("three", key="k:2")
    assert send_everything() == []  # within the window
    clock.shift(WINDOW - dt.timedelta(minutes=2))  # the first row's window is over
    sent = send_everything()
    assert bodies(sent) == ["Test body one|two"]  # k:2's window is not over yet
    lead = Notification.objects.get(status=NotificationStatus.SENT)
    merged = Notification.objects.get(status=NotificationStatus.MERGED)
    assert {lead.pk, merged.pk} == {one.pk, two.pk} and merged.merged_into == lead
    assert mail.outbox[0].extra_headers["Message-ID"] == outbox.message_id(lead)
    clock.shift(dt.timedelta(minutes=3))
    assert bodies(send_everything()) == ["Test body three"]
    three.refresh_from_db()
    assert three.merged_into is None and three.status == NotificationStatus.SENT
    assert send_everything() == []  # again: nothing new


def test_a_row_in_its_window_is_published_only_once_due(clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        claimed = outbox.claim(
            kind=KIND_A,
            dedup_key="c1",
            email="a@example.org",
            payload={"says": "c"},
            **outbox.batched("k:1", window=WINDOW),
        )
        outbox.claim_many(
            [
                Notification(
                    kind=KIND_A,
                    dedup_key="c2",
                    email="a@example.org",
                    payload={"says": "d"},
                    **outbox.batched("k:1", window=WINDOW),
                )
            ]
        )
    assert claimed.enqueued_at is None and callbacks == []
    with django_capture_on_commit_callbacks():
        assert outbox.requeue_stuck(now=START + WINDOW - dt.timedelta(seconds=1)) == 0
        assert outbox.requeue_stuck(now=START + WINDOW) == 2


def test_a_row_claimed_without_a_window_is_published_at_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        outbox.claim(kind=KIND_A, dedup_key="now", email="a@example.org", payload={"says": "x"})
    assert len(callbacks) == 1


def test_a_retried_lead_tells_its_merged_rows_and_the_rows_pending_since(clock, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.WatchingBackend"
    Watch.fail_next = 1
    first, second = row("one"), row("two")
    clock.shift(WINDOW)
    assert outbox.deliver(first.pk)[0] == outbox.Outcome.RETRY
    second.refresh_from_db()
    assert (second.status, second.merged_into_id) == (NotificationStatus.MERGED, first.pk)
    third = row("three")  # while the lead waits in its backoff
    clock.shift(dt.timedelta(hours=1))
    assert outbox.deliver(first.pk)[0] == outbox.Outcome.SENT
    assert bodies(mail.outbox) == ["Test body one|two|three"]
    assert len(set(Watch.message_ids)) == 1  # the same Message-ID on both attempts
    third.refresh_from_db()
    assert third.status == NotificationStatus.MERGED and third.merged_into_id == first.pk


def test_a_pending_row_in_backoff_is_taken_in_by_a_row_due_before_it(clock, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.WatchingBackend"
    Watch.fail_next = 1
    first, second = row("one"), row("two")
    clock.shift(WINDOW)
    outbox.deliver(first.pk)  # fails: "one|two" waits in backoff, "two" merged into it
    cache.clear()  # close the circuit it opened
    late = row("late")
    clock.shift(WINDOW)
    assert outbox.deliver(late.pk)[0] == outbox.Outcome.SENT
    assert bodies(mail.outbox) == ["Test body one|two|late"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.merged_into_id == second.merged_into_id == late.pk
    assert send_everything() == []


def test_releasing_the_backlog_keeps_the_window(clock):
    waiting = row("window")
    backoff = row("backoff", key="")
    Notification.objects.filter(pk=backoff.pk).update(
        attempts=1, due_at=START + dt.timedelta(minutes=20)
    )
    assert release_waiting(now=START + dt.timedelta(minutes=1)) == 1
    waiting.refresh_from_db()
    backoff.refresh_from_db()
    assert waiting.due_at == START + WINDOW
    assert backoff.due_at == START + dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("how", "status"),
    [("skip", NotificationStatus.SKIPPED), ("expired", NotificationStatus.EXPIRED)],
)
def test_a_batch_not_wanted_or_too_late_shares_the_outcome(clock, how, status):
    first, second = row("one"), row("two")
    mode["now"] = how
    clock.shift(WINDOW)
    assert send_everything() == []
    for notification in (first, second):
        notification.refresh_from_db()
        assert notification.status == status
    assert second.merged_into_id == first.pk or first.merged_into_id == second.pk


def test_a_row_another_worker_is_sending_is_left_to_it(clock):
    first, second = row("one"), row("two")
    Notification.objects.filter(pk=second.pk).update(
        status=NotificationStatus.SENDING, attempts=1, due_at=START + dt.timedelta(hours=1)
    )
    clock.shift(WINDOW)
    assert outbox.deliver(first.pk)[0] == outbox.Outcome.SENT
    assert bodies(mail.outbox) == ["Test body one"]
    second.refresh_from_db()
    assert second.status == NotificationStatus.SENDING and second.merged_into_id is None


def test_send_again_sends_the_lead_with_its_batch_and_a_merged_row_alone(clock):
    row("one")
    row("two")
    clock.shift(WINDOW)
    send_everything()
    lead = Notification.objects.get(status=NotificationStatus.SENT)
    other = Notification.objects.get(status=NotificationStatus.MERGED)
    outbox.send_again([lead])
    assert bodies(send_everything()) == ["Test body one|two"]
    outbox.send_again([other])
    assert bodies(send_everything()) == [f"Test body {other.payload['says']}"]
    other.refresh_from_db()
    assert other.status == NotificationStatus.SENT and other.merged_into is None


def test_the_preview_of_a_merged_row_is_its_leads_email(clock):
    row("one")
    row("two")
    clock.shift(WINDOW)
    send_everything()
    merged = Notification.objects.get(status=NotificationStatus.MERGED)
    assert outbox.build_message(merged).body.startswith("Test body one|two")
