"""The organisers' digest when an intake's deadline passes."""

import datetime as dt

import pytest
from django.core import mail

from groups.models import ApplicationStatus
from mastermind.outbox.models import NotificationStatus
from meetings.reminders import sweep as reminders
from tests.factories import (
    ApplicationFactory,
    IntakeFactory,
    MemberSettingsFactory,
    StaffFactory,
    UserFactory,
)
from tests.meetings.reminders.helpers import MINUTE, deliver_all, keys, statuses, sweep_at

pytestmark = pytest.mark.django_db

DEADLINE = dt.datetime(2027, 2, 1, 11, 0, tzinfo=dt.UTC)
KIND = reminders.INTAKE_DIGEST


@pytest.fixture
def intake():
    intake = IntakeFactory(opens_at=DEADLINE - dt.timedelta(days=30), deadline=DEADLINE)
    for status, count in (
        (ApplicationStatus.NEW, 3),
        (ApplicationStatus.ACCEPTED, 2),
        (ApplicationStatus.DECLINED, 1),
    ):
        ApplicationFactory.create_batch(count, intake=intake, status=status)
    ApplicationFactory(intake=intake, confirmed_at=None)  # unconfirmed: not counted
    return intake


def test_digest_goes_to_organiser_emails_when_set(settings, intake):
    settings.ORGANISER_EMAILS = ["lead@example.org", "co@example.org"]
    StaffFactory()
    assert sweep_at(DEADLINE - MINUTE).new[KIND] == 0
    assert sweep_at(DEADLINE).new[KIND] == 2
    assert sweep_at(DEADLINE + MINUTE).new[KIND] == 0
    deliver_all(DEADLINE)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "co@example.org",
        "lead@example.org",
    ]
    body = mail.outbox[0].body
    assert f"/admin/groups/application/?intake__id__exact={intake.pk}" in body
    assert "6" in body  # total confirmed
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


def test_digest_counts_confirmed_applications_by_status(settings, intake):
    settings.ORGANISER_EMAILS = ["lead@example.org"]
    sweep_at(DEADLINE)
    deliver_all(DEADLINE)
    html = mail.outbox[0].alternatives[0][0]
    for count in ("<td>3</td>", "<td>2</td>", "<td>1</td>", "<td>0</td>", "<td>6</td>"):
        assert count in html


def test_digest_goes_to_active_staff_who_want_it_without_organiser_emails(settings, intake):
    settings.ORGANISER_EMAILS = []
    wants = StaffFactory()
    opted_out = StaffFactory()
    MemberSettingsFactory(user=opted_out, organiser_digests=False)
    StaffFactory(is_active=False)
    UserFactory()  # a member, not staff
    sweep_at(DEADLINE)
    assert set(statuses(KIND)) == {wants.email}
    deliver_all(DEADLINE)
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_extended_deadline_gets_a_digest_at_the_new_deadline(settings, intake):
    settings.ORGANISER_EMAILS = ["lead@example.org"]
    sweep_at(DEADLINE)
    intake.deadline = DEADLINE + dt.timedelta(days=3)
    intake.save()
    deliver_all(DEADLINE)
    assert statuses(KIND) == {"lead@example.org": NotificationStatus.SKIPPED}
    sweep_at(intake.deadline)
    assert len(keys(KIND)) == 2
    deliver_all(intake.deadline)
    assert len(mail.outbox) == 1
