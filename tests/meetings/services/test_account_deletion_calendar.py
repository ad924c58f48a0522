"""Deleting an account: the events its owner presented at change, so their SEQUENCE does."""

import pytest

from mastermind.privacy.services import delete_account
from meetings.models import HotSeat, Meeting
from tests.meetings.helpers import future, make_group, make_schedule

pytestmark = pytest.mark.django_db


def test_meetings_left_without_their_presenter_get_a_new_sequence(
    clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        group, (only,) = make_group(members=1)
        make_schedule(group)
    presented = {m.pk: m.sequence for m in future(group) if m.hot_seats.filter(user=only).exists()}
    assert presented
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(user=only)
    assert not HotSeat.objects.filter(meeting_id__in=presented).exists()
    after = dict(Meeting.objects.filter(pk__in=presented).values_list("pk", "sequence"))
    assert all(after[pk] > before for pk, before in presented.items())
