"""“I can't come” and taking it back, through the meeting page; who comes is shown."""

import pytest
from django.urls import reverse

from meetings.models import Absence
from tests.meetings.helpers import future, make_group, make_schedule, presenters

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_member_says_they_cannot_come_and_takes_it_back(client):
    group, users = make_group(3)
    make_schedule(group)
    meeting = future(group)[2]
    client.force_login(users[0])
    url = reverse("meetings:absence", args=[meeting.pk])
    client.post(url, {"note": "Dienstreise"})
    absence = Absence.objects.get()
    assert (absence.user, absence.note) == (users[0], "Dienstreise")
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Dienstreise" in page and 'name="coming"' in page
    client.post(url, {"coming": "1"})
    assert not Absence.objects.exists()


def test_absent_presenter_is_replaced_via_the_page(client):
    group, users = make_group(3)
    make_schedule(group)
    meeting = future(group)[0]
    presenter = next(u for u in users if u.pk in presenters(meeting))
    client.force_login(presenter)
    client.post(reverse("meetings:absence", args=[meeting.pk]), {"note": ""})
    assert presenter.pk not in presenters(meeting) and presenters(meeting)


def test_group_page_section_shows_who_comes():
    from meetings.selectors import group_page_context

    group, users = make_group(3)
    make_schedule(group)
    meeting = future(group)[0]
    Absence.objects.create(meeting=meeting, user=users[1])
    context = group_page_context(group=group, user=users[0])
    shown = context["upcoming_meetings"][0]
    assert [u.pk for u in shown.attendees] == [users[0].pk, users[2].pk]
    assert [a.user for a in shown.absent] == [users[1]]
    assert len(context["upcoming_meetings"]) == 6


def test_cannot_say_absent_for_a_past_meeting(client, clock):
    group, users = make_group(3)
    make_schedule(group)
    meeting = future(group)[0]
    clock.move_to(meeting.ends_at)
    client.force_login(users[0])
    response = client.post(
        reverse("meetings:absence", args=[meeting.pk]), {"note": ""}, follow=True
    )
    assert "steht nicht mehr bevor" in response.content.decode()
    assert not Absence.objects.exists()


def test_non_member_cannot_say_absent(client):
    group, _users = make_group(3)
    make_schedule(group)
    _stranger_group, strangers = make_group(1)
    client.force_login(strangers[0])
    response = client.post(reverse("meetings:absence", args=[future(group)[0].pk]), {"note": ""})
    assert response.status_code == 404
    assert not Absence.objects.exists()


# The POST re-plans the year's hot seats (66 queries on SQLite, 2 of them the confirmation).
QUERIES = 70


def test_absent_presenter_is_told_who_presents_instead(client, django_assert_max_num_queries):
    group, users = make_group(3)
    make_schedule(group)
    meeting = future(group)[0]
    presenter = next(u for u in users if u.pk in presenters(meeting))
    presenter.language = "en"
    presenter.save(update_fields=["language"])
    client.force_login(presenter)
    with django_assert_max_num_queries(QUERIES):
        response = client.post(reverse("meetings:absence", args=[meeting.pk]), {"note": ""})
    assert response.status_code == 302
    response = client.get(response["Location"])
    (instead,) = [u for u in users if u.pk in presenters(meeting)]
    (message,) = [str(m) for m in response.context["messages"]]
    assert message == (
        f"Noted: you can't come. {instead.first_name} presents instead; the group can see it."
    )


def test_absent_member_who_does_not_present_gets_the_plain_confirmation(client):
    group, users = make_group(3)
    make_schedule(group)
    meeting = future(group)[0]
    other = next(u for u in users if u.pk not in presenters(meeting))
    client.force_login(other)
    response = client.post(
        reverse("meetings:absence", args=[meeting.pk]), {"note": ""}, follow=True
    )
    (message,) = [str(m) for m in response.context["messages"]]
    assert "stattdessen" not in message


def test_deleted_member_is_shown_as_former_member(client, clock):
    from mastermind.privacy.services import delete_account

    group, users = make_group(3)
    make_schedule(group)
    meeting = future(group)[0]
    (presenter,) = [u for u in users if u.pk in presenters(meeting)]
    clock.move_to(meeting.ends_at)
    delete_account(user=presenter)
    viewer = next(u for u in users if u != presenter)
    client.force_login(viewer)
    german = client.get(reverse("groups:group_detail", args=[group.pk])).content.decode()
    viewer.language = "en"
    viewer.save(update_fields=["language"])
    english = client.get(meeting.get_absolute_url()).content.decode()
    assert "ehemaliges Mitglied" in german
    assert "former member" in english
    assert "deleted-" not in german + english
