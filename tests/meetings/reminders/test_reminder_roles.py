"""The meeting reminder names the meeting's facilitator and timekeeper, in the member's language."""

import datetime as dt

import pytest
from django.core import mail

from meetings.models import RoleAssignment
from tests.meetings.reminders.helpers import START, deliver_all, make_group, sweep_at

pytestmark = pytest.mark.django_db

DUE = START - dt.timedelta(hours=24)


@pytest.mark.parametrize(
    ("language", "facilitator", "timekeeper"),
    [("en", "Facilitator", "Timekeeper"), ("de", "Moderation", "Zeitwächter")],
)
def test_meeting_reminder_names_the_roles(language, facilitator, timekeeper):
    setup = make_group(members=3, schedule={"rotate_facilitator": True, "rotate_timekeeper": True})
    member, anna, ben = setup.members
    member.language = language
    member.save()
    RoleAssignment.objects.create(meeting=setup.meeting, role="facilitator", user=anna)
    RoleAssignment.objects.create(meeting=setup.meeting, role="timekeeper", user=ben)
    sweep_at(DUE)
    deliver_all(DUE)
    message = next(m for m in mail.outbox if m.to == [member.email])
    expected = f"{facilitator}: {anna.first_name}\n{timekeeper}: {ben.first_name}"
    assert expected in message.body, message.body
    html = message.alternatives[0][0]
    assert f"<strong>{facilitator}:</strong> {anna.first_name}" in html
    assert f"<strong>{timekeeper}:</strong> {ben.first_name}" in html


def test_meeting_reminder_without_roles_names_none():
    make_group(members=1)
    sweep_at(DUE)
    deliver_all(DUE)
    (message,) = mail.outbox
    assert "Facilitator" not in message.body and "Timekeeper" not in message.body
