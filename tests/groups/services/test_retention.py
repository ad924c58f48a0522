import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from groups.models import Application
from groups.services import retention
from groups.tasks import purge_expired_applications
from tests.factories import ApplicationFactory, IntakeFactory, MembershipFactory

pytestmark = pytest.mark.django_db

DEADLINE = dt.datetime(2026, 3, 1, 23, 59, tzinfo=dt.UTC)


@pytest.fixture
def intake():
    return IntakeFactory(opens_at=DEADLINE - dt.timedelta(days=30), deadline=DEADLINE)


def test_applications_without_membership_go_180_days_after_the_deadline(intake):
    application = ApplicationFactory(intake=intake)
    with time_machine.travel(
        DEADLINE + dt.timedelta(days=180) - dt.timedelta(seconds=1), tick=False
    ):
        assert purge_expired_applications() == 0
    assert Application.objects.filter(pk=application.pk).exists()
    with time_machine.travel(DEADLINE + dt.timedelta(days=180), tick=False):
        assert purge_expired_applications() == 1
    assert not Application.objects.filter(pk=application.pk).exists()


def test_applications_that_led_to_a_membership_are_kept(intake):
    application = ApplicationFactory(intake=intake)
    MembershipFactory(application=application, left_at=timezone.now())
    with time_machine.travel(DEADLINE + dt.timedelta(days=400), tick=False):
        assert purge_expired_applications() == 0
    assert Application.objects.filter(pk=application.pk).exists()


def test_purging_twice_is_harmless(intake):
    ApplicationFactory.create_batch(3, intake=intake)
    with time_machine.travel(DEADLINE + dt.timedelta(days=181), tick=False):
        assert purge_expired_applications() == 3
        assert purge_expired_applications() == 0


def test_retention_period_is_configurable(intake, settings):
    settings.APPLICATION_RETENTION_DAYS = 30
    ApplicationFactory(intake=intake)
    with time_machine.travel(DEADLINE + dt.timedelta(days=31), tick=False):
        assert purge_expired_applications() == 1


def test_deletion_date_is_the_deadline_plus_the_period(intake):
    application = ApplicationFactory(intake=intake)
    assert retention.deletion_date(application) == DEADLINE + dt.timedelta(days=180)


def test_admin_shows_when_each_application_will_be_deleted(admin_client, intake):
    kept = ApplicationFactory(intake=intake, name="Kept Member")
    MembershipFactory(application=kept)
    going = ApplicationFactory(intake=intake, name="Going Soon")
    pages = [
        admin_client.get(f"/admin/groups/application/{a.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
        for a in (kept, going)
    ]
    assert [page.status_code for page in pages] == [200, 200]
    body = "".join(page.content.decode() for page in pages)
    assert "Wird gelöscht am" in body
    assert "bleibt mit der Mitgliedschaft erhalten" in body
    assert "29.08.2026 01:59" in body  # deadline + 180 days, in Berlin time, German format
    assert "2026-08-29" not in body
