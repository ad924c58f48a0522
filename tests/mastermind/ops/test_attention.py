"""The organiser's admin index lists what needs attention now (issues 18 and 19)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from mastermind import outbox
from mastermind.accounts.models import FailedSignIn, User
from mastermind.outbox.circuit import open_circuit
from mastermind.outbox.models import Notification, NotificationStatus
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 1, 17, 30, tzinfo=dt.UTC)  # 18:30 in Berlin


@pytest.fixture(name="clock", autouse=True)
def clock_fixture():
    with time_machine.travel(NOW, tick=False):
        outbox.requeue_stuck()  # beat's minute job ran just now
        yield


@pytest.fixture(name="organiser")
def organiser_fixture(clock, client):  # signed in at NOW: the session is fresh then
    client.force_login(StaffFactory(time_zone="Europe/Berlin", language="en"))
    return client


def _index(client, language="en") -> str:
    with translation.override(language):
        response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_a_quiet_round_shows_no_attention_list(organiser):
    page = _index(organiser)
    assert "Needs your attention" not in page
    assert "Organise intakes, groups and meetings" in page


def test_failed_sign_ins_of_the_last_day_are_counted_and_linked(organiser):
    FailedSignIn.objects.create(email="old@example.org", attempted_at=NOW - dt.timedelta(hours=25))
    for _ in range(3):
        FailedSignIn.objects.create(email="x@example.org", attempted_at=NOW)
    page = _index(organiser)
    assert "3 failed sign-ins in the last 24 hours." in page
    assert reverse("admin:mastermind_failedsignin_changelist") in page


def test_a_failing_mail_server_is_shown_at_once_in_local_time(organiser):
    for i in range(2):
        Notification.objects.create(kind="welcome", dedup_key=f"w{i}", email="a@example.org")
    open_circuit(timezone.now(), "ConnectionRefusedError")
    page = _index(organiser)
    assert "Urgent:" in page
    assert "The mail server has not answered since 03/01/2027 6:30 p.m.; 2 emails" in page
    User.objects.update(language="de")
    german = _index(organiser, "de")
    assert "Der Mailserver antwortet seit 01.03.2027 18:30 nicht" in german


def test_undeliverable_emails_are_counted_and_their_list_opens(organiser):
    for i, status in enumerate([NotificationStatus.FAILED, NotificationStatus.REJECTED]):
        Notification.objects.create(
            kind="welcome", dedup_key=f"f{i}", email="a@example.org", status=status
        )
    Notification.objects.create(kind="welcome", dedup_key="ok", email="b@example.org")
    page = _index(organiser)
    assert "2 emails could not be delivered in the last 7 days." in page
    link = reverse("admin:mastermind_notification_changelist") + "?status__in=failed,rejected"
    assert link in page
    listed = organiser.get(link)
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 2


def test_stopped_background_jobs_are_shown(organiser, settings):
    settings.HEALTH_BEAT_MAX_AGE_SECONDS = 300
    with time_machine.travel(NOW + dt.timedelta(minutes=12), tick=False):
        page = _index(organiser)
    assert "Background jobs (reminders, invitations) last ran 12 minutes ago." in page


def test_members_do_not_reach_the_index(clock, client):
    client.force_login(UserFactory())
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_index_runs_a_bounded_number_of_queries(organiser, django_assert_max_num_queries):
    open_circuit(timezone.now(), "down")
    for i in range(50):
        FailedSignIn.objects.create(email=f"x{i}@example.org", attempted_at=NOW)
        Notification.objects.create(
            kind="welcome", dedup_key=f"n{i}", email="a@example.org", status="failed"
        )
    with django_assert_max_num_queries(16):
        page = _index(organiser)
    assert page.count("Urgent:") == 3  # mail server, undeliverable emails, 50 sign-ins
