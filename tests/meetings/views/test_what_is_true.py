"""The member pages say what happened and what is true (issue 15): the real schedule,
messages in the page's new language, pending swaps, meetings that do not take place."""

import datetime as dt

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Commitment, MeetingStatus, Pause, SwapRequest
from tests.factories import UserFactory
from tests.meetings.helpers import NOW, future, make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "alle 2 Wochen dienstags, 19:00–21:00 (Europe/Berlin)"),
        ("en", "every 2 weeks on Tuesdays, 7–9 p.m. (Europe/Berlin)"),
    ],
)
def test_group_page_shows_the_real_schedule_in_the_viewers_language(client, language, expected):
    group, users = make_group(3)
    make_schedule(group, every_weeks=2, start_time=dt.time(19, 0), duration_minutes=120)
    users[0].language = language
    users[0].save()
    client.force_login(users[0])
    page = client.get(group.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected in page


def test_group_page_without_dates_says_so(client):
    group, users = make_group(2)
    users[0].language = "en"
    users[0].save()
    client.force_login(users[0])
    page = client.get(group.get_absolute_url()).content.decode()
    assert "No dates yet." in page


def test_new_groups_description_names_no_meeting_time():
    from groups.services.groups import _description
    from tests.factories import IntakeFactory

    text = _description(IntakeFactory(), {"suggested_slot": "wed-19", "shared_topics": ["SEO"]})
    assert "19" not in text and "SEO" in text


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("de", "en", "Your profile has been saved."),
        ("en", "de", "Ihr Profil wurde gespeichert."),
    ],
)
def test_profile_message_is_in_the_newly_chosen_language(client, old, new, message):
    user = UserFactory(language=old)
    client.force_login(user)
    client.cookies["django_language"] = old
    data = {"display_name": "Anna", "language": new, "time_zone": "Europe/Berlin"}
    response = client.post(reverse("meetings:profile"), data, follow=True)
    assert message in response.content.decode()


def test_marking_a_commitment_done_says_which(client):
    group, users = make_group(2)
    make_schedule(group)
    meeting = future(group)[0]
    commitment = Commitment.objects.create(meeting=meeting, user=users[0], text="Angebot senden")
    users[0].language = "en"
    users[0].save()
    client.force_login(users[0])
    url = reverse("meetings:mark_commitment", args=[commitment.pk])
    response = client.post(url, {"done": "1"}, follow=True)
    assert "Marked as done: “Angebot senden”." in response.content.decode()


def test_meeting_page_shows_a_pending_swap_request(client):
    group, _users = make_group(3)
    make_schedule(group)
    first, second = future(group)[:2]
    mine, theirs = first.hot_seats.get().user, second.hot_seats.get().user
    SwapRequest.objects.create(
        requester=mine, requester_meeting=first, responder=theirs, responder_meeting=second
    )
    theirs.language = "en"
    theirs.save()
    client.force_login(theirs)
    page = client.get(second.get_absolute_url()).content.decode()
    assert "Open swap requests" in page
    assert f"{mine.first_name} asks to swap hot seats with you" in page
    assert reverse("meetings:swaps") in page


def test_swaps_page_is_in_the_navigation(client):
    client.force_login(UserFactory())
    page = client.get(reverse("groups:my_groups")).content.decode()
    assert f'href="{reverse("meetings:swaps")}"' in page


def test_meetings_that_do_not_take_place_say_why_and_count_no_one(client):
    group, users = make_group(4)
    make_schedule(group)
    Pause.objects.create(
        name="Weihnachtspause", start_date=dt.date(2027, 1, 10), end_date=dt.date(2027, 1, 25)
    )
    services.sync_after_pause_change(group=None)
    cancelled = future(group)[-1]
    services.cancel_meeting(meeting=cancelled, reason="Raum belegt")
    client.force_login(users[0])
    page = client.get(reverse("meetings:group_meetings", args=[group.pk]))
    html = page.content.decode()
    assert "Kein Treffen: Weihnachtspause" in html
    assert "Abgesagt: Raum belegt" in html
    skipped = group.meetings.filter(status=MeetingStatus.SKIPPED).first()
    detail = client.get(skipped.get_absolute_url()).content.decode()
    assert "Kein Treffen: Weihnachtspause" in detail and "Wer kommt" not in detail
    rows = [row for row in html.split("<tr") if "Weihnachtspause" in row or "Raum belegt" in row]
    assert rows and not any("kommen" in row or "kommt" in row for row in rows)


def test_closed_intake_links_to_the_open_one_before_the_interest_list(client):
    from tests.factories import IntakeFactory

    closed = IntakeFactory(
        slug="herbst-2026",
        opens_at=NOW - dt.timedelta(days=60),
        deadline=NOW - dt.timedelta(days=30),
    )
    open_now = IntakeFactory(slug="winter-2027", title="Winterrunde")
    html = client.get(closed.get_absolute_url()).content.decode()
    link = html.index(f'href="{open_now.get_absolute_url()}"')
    assert link < html.index(f'action="{reverse("groups:interest")}"')


def test_organiser_content_is_marked_with_its_language_for_english_readers(client):
    from tests.factories import IntakeFactory

    intake = IntakeFactory(topics=["Vertrieb"], pitch="Wir treffen uns online.")
    html = client.get(intake.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<div class="pitch" lang="de">' in html
    assert "Written by the organiser in German." in html
    assert '<span lang="de">Vertrieb</span>' in html
    german = client.get(intake.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'lang="de">Vertrieb' not in german and "Written by the organiser" not in german
