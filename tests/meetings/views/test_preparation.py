"""Only the presenter prepares their hot seat; the group reads it before the meeting."""

import pytest
from django.urls import reverse

from meetings.models import Preparation
from tests.meetings.helpers import future, make_group, make_schedule, presenters

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

DATA = {"story": "Mein Launch", "value_for_others": "Pricing", "feedback_wanted": "Preis?"}


@pytest.fixture
def meeting_and_people():
    group, users = make_group(3)
    make_schedule(group)
    meeting = future(group)[0]
    presenter = next(u for u in users if u.pk in presenters(meeting))
    other = next(u for u in users if u != presenter)
    return meeting, presenter, other


def test_presenter_saves_preparation_and_the_group_sees_it(client, meeting_and_people):
    meeting, presenter, other = meeting_and_people
    client.force_login(presenter)
    response = client.post(reverse("meetings:prepare", args=[meeting.pk]), DATA)
    assert response.status_code == 302
    assert Preparation.objects.get().story == "Mein Launch"
    client.force_login(other)
    assert "Mein Launch" in client.get(meeting.get_absolute_url()).content.decode()


def test_other_member_may_not_edit_the_preparation(client, meeting_and_people):
    meeting, _presenter, other = meeting_and_people
    client.force_login(other)
    url = reverse("meetings:prepare", args=[meeting.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, DATA).status_code == 403
    assert not Preparation.objects.exists()


def test_non_member_gets_404_on_the_preparation(client, meeting_and_people):
    meeting, _presenter, _other = meeting_and_people
    _group, strangers = make_group(1)
    client.force_login(strangers[0])
    assert client.get(reverse("meetings:prepare", args=[meeting.pk])).status_code == 404


def test_empty_preparation_is_rejected(client, meeting_and_people):
    meeting, presenter, _other = meeting_and_people
    client.force_login(presenter)
    response = client.post(
        reverse("meetings:prepare", args=[meeting.pk]),
        {"story": " ", "value_for_others": "", "feedback_wanted": ""},
    )
    assert response.status_code == 200
    assert "mindestens eine" in response.content.decode()
    assert not Preparation.objects.exists()


def test_preparation_text_is_escaped(client, meeting_and_people):
    meeting, presenter, _other = meeting_and_people
    Preparation.objects.create(meeting=meeting, user=presenter, story="<script>x</script>")
    client.force_login(presenter)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "<script>x" not in page and "&lt;script&gt;" in page


def test_presenter_can_add_takeaways_to_share_afterwards(client, meeting_and_people):
    meeting, presenter, _other = meeting_and_people
    client.force_login(presenter)
    url = reverse("meetings:prepare", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "Was ich danach mit der Gruppe teilen möchte (optional)" in page
    client.post(url, {**DATA, "takeaways": "Kleine Schritte"})
    assert Preparation.objects.get().takeaways == "Kleine Schritte"


def test_takeaways_alone_are_not_a_preparation(client, meeting_and_people):
    meeting, presenter, _other = meeting_and_people
    client.force_login(presenter)
    response = client.post(
        reverse("meetings:prepare", args=[meeting.pk]),
        {"story": "", "value_for_others": "", "feedback_wanted": "", "takeaways": "Nur das"},
    )
    assert response.status_code == 200
    assert not Preparation.objects.exists()
