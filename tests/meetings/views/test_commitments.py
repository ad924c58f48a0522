"""Commitments: recorded after a meeting, shown at the next one, marked done or not done."""

import pytest
from django.urls import reverse

from meetings.models import Commitment, CommitmentStatus
from meetings.selectors import group_page_context
from tests.meetings.helpers import future, make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def two_meetings(clock):
    group, users = make_group(3)
    make_schedule(group)
    first, second = future(group)[:2]
    clock.move_to(first.ends_at)
    return group, users, first, second


def test_member_records_a_commitment_after_the_meeting(client, two_meetings):
    _group, users, first, _second = two_meetings
    client.force_login(users[0])
    client.post(reverse("meetings:commit", args=[first.pk]), {"text": "Website fertig"})
    client.post(reverse("meetings:commit", args=[first.pk]), {"text": "Website live"})
    commitment = Commitment.objects.get()
    assert (commitment.user, commitment.text) == (users[0], "Website live")


def test_no_commitment_before_the_meeting(client, two_meetings):
    _group, users, _first, second = two_meetings
    client.force_login(users[0])
    client.post(reverse("meetings:commit", args=[second.pk]), {"text": "Zu früh"})
    assert not Commitment.objects.exists()


def test_next_meeting_shows_last_times_commitments_and_owner_marks_done(client, two_meetings):
    _group, users, first, second = two_meetings
    mine = Commitment.objects.create(meeting=first, user=users[0], text="Website live")
    theirs = Commitment.objects.create(meeting=first, user=users[1], text="Newsletter")
    client.force_login(users[0])
    page = client.get(second.get_absolute_url()).content.decode()
    assert "Website live" in page and "Newsletter" in page
    client.post(reverse("meetings:mark_commitment", args=[mine.pk]), {"done": "1"})
    mine.refresh_from_db()
    assert mine.status == CommitmentStatus.DONE
    response = client.post(reverse("meetings:mark_commitment", args=[theirs.pk]), {"done": "1"})
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == CommitmentStatus.OPEN


def test_group_page_shows_commitment_history(two_meetings):
    group, users, first, _second = two_meetings
    Commitment.objects.create(meeting=first, user=users[0], text="Website live")
    context = group_page_context(group=group, user=users[0])
    assert [c.text for c in context["commitment_history"]] == ["Website live"]
    assert context["past_meetings"] == [first]
