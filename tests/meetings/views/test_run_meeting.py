"""The agenda as a timeboxed template, and the facilitator's "run the meeting" page."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings.choices import AgendaKind
from meetings.models import AgendaItem, Commitment, HotSeat, Preparation, Schedule
from tests.meetings.helpers import NOW, future, make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def kinds(group) -> list[str]:
    return list(AgendaItem.objects.filter(group=group).values_list("kind", flat=True))


def test_the_default_agenda_is_the_facilitators_rhythm_scaled_to_the_meeting():
    group, _users = make_group(4)
    make_schedule(group, duration_minutes=85)
    items = list(AgendaItem.objects.filter(group=group))
    assert [(i.kind, i.minutes) for i in items] == [
        (AgendaKind.CHECK_IN, 10),
        (AgendaKind.REVIEW, 15),
        (AgendaKind.HOT_SEAT, 45),
        (AgendaKind.COMMITMENTS, 10),
        (AgendaKind.CLOSE, 5),
    ]
    other, _users = make_group(4)
    make_schedule(other, duration_minutes=120)
    assert sum(AgendaItem.objects.filter(group=other).values_list("minutes", flat=True)) == 120


def test_each_hot_seat_gets_its_own_timebox():
    group, _users = make_group(5)
    make_schedule(group, hot_seats=3, duration_minutes=120)
    assert kinds(group).count(AgendaKind.HOT_SEAT) == 3
    titles = list(
        AgendaItem.objects.filter(group=group, kind=AgendaKind.HOT_SEAT).values_list(
            "title", flat=True
        )
    )
    assert len(set(titles)) == 3


def test_three_hot_seats_are_the_most():
    group, _users = make_group(5)
    with pytest.raises(ValidationError):
        Schedule(group=group, first_date=dt.date(2027, 1, 5), hot_seats=4).full_clean()
    Schedule(group=group, first_date=dt.date(2027, 1, 5), hot_seats=3).full_clean()


@pytest.fixture
def two_seat_meeting():
    """A group with two hot seats a meeting, one held meeting behind it with commitments."""
    group, users = make_group(4, joined=NOW - dt.timedelta(days=120))
    make_schedule(group, hot_seats=2, first_date=dt.date(2026, 12, 22))
    meetings = list(group.meetings.order_by("starts_at"))
    past = [m for m in meetings if m.starts_at <= NOW]
    upcoming = future(group)[0]
    Commitment.objects.create(meeting=past[-1], user=users[0], text="Call three customers")
    Commitment.objects.create(meeting=past[-1], user=users[1], text="Write the offer")
    seats = list(HotSeat.objects.filter(meeting=upcoming).order_by("pk"))
    Preparation.objects.create(
        meeting=upcoming, user=seats[0].user, story="Pricing for the new course"
    )
    return group, users, upcoming, seats


def test_the_run_page_fills_in_each_block(client, two_seat_meeting):
    _group, users, meeting, seats = two_seat_meeting
    client.force_login(users[2])
    page = client.get(reverse("meetings:run_meeting", args=[meeting.pk]))
    assert page.status_code == 200
    blocks = page.context["run_agenda"]
    hot = [b for b in blocks if b.kind == AgendaKind.HOT_SEAT]
    assert [b.presenters for b in hot] == [[seats[0].user], [seats[1].user]]
    assert [p.story for p in hot[0].preparations] == ["Pricing for the new course"]
    assert hot[1].preparations == []
    body = page.content.decode()
    assert "Call three customers" in body and "Write the offer" in body
    assert "Pricing for the new course" in body
    assert body.index("Call three customers") < body.index("Pricing for the new course")


def test_the_meeting_page_names_the_presenter_of_each_hot_seat_block(client, two_seat_meeting):
    _group, users, meeting, seats = two_seat_meeting
    client.force_login(users[2])
    page = client.get(meeting.get_absolute_url())
    hot = [b for b in page.context["agenda"] if b.kind == AgendaKind.HOT_SEAT]
    assert [b.presenters for b in hot] == [[seats[0].user], [seats[1].user]]
    assert reverse("meetings:run_meeting", args=[meeting.pk]) in page.content.decode()


def test_a_commitment_recorded_from_the_run_page_returns_there(client, two_seat_meeting):
    _group, users, meeting, _seats = two_seat_meeting
    client.force_login(users[0])
    run = reverse("meetings:run_meeting", args=[meeting.pk])
    with time_machine.travel(meeting.starts_at + dt.timedelta(minutes=80), tick=False):
        response = client.post(
            reverse("meetings:commit", args=[meeting.pk]), {"text": "Ship it", "from": "run"}
        )
        assert response.status_code == 302 and response["Location"] == run
        due = Commitment.objects.get(user=users[0], text="Call three customers")
        response = client.post(
            reverse("meetings:mark_commitment", args=[due.pk]),
            {"done": "1", "meeting": meeting.pk, "from": "run"},
        )
        assert response["Location"] == run
    assert Commitment.objects.get(meeting=meeting, user=users[0]).text == "Ship it"
    due.refresh_from_db()
    assert due.status == "done"


def test_strangers_get_404(client, two_seat_meeting):
    _group, _users, meeting, _seats = two_seat_meeting
    _other, strangers = make_group(1)
    client.force_login(strangers[0])
    assert client.get(reverse("meetings:run_meeting", args=[meeting.pk])).status_code == 404


@pytest.mark.parametrize("extra", [0, 12])
def test_the_run_page_runs_a_bounded_number_of_queries(
    client, two_seat_meeting, extra, django_assert_max_num_queries
):
    group, users, meeting, _seats = two_seat_meeting
    previous = group.meetings.filter(starts_at__lt=meeting.starts_at).order_by("-starts_at")[0]
    for i in range(extra):
        AgendaItem.objects.create(group=group, position=10 + i, title=f"Extra {i}", minutes=1)
    for user in users[2:]:
        Commitment.objects.create(meeting=previous, user=user, text="More")
    client.force_login(users[0])
    with django_assert_max_num_queries(18):
        assert client.get(reverse("meetings:run_meeting", args=[meeting.pk])).status_code == 200


def test_the_run_page_names_the_facilitator_and_the_timekeeper(client):
    group, users = make_group(4)
    make_schedule(group, rotate_facilitator=True, rotate_timekeeper=True)
    meeting = future(group)[0]
    holders = {a.role: a.user for a in meeting.roles.select_related("user")}
    client.force_login(users[0])
    page = client.get(reverse("meetings:run_meeting", args=[meeting.pk]))
    roles = dict(page.context["roles"])
    assert {str(role) for role in roles} == {"Moderation", "Zeitwächter"}
    assert set(roles.values()) == set(holders.values())
    for person in holders.values():
        assert person.first_name in page.content.decode()


def test_the_meeting_page_shows_the_takeaways_the_presenter_shared(client, two_seat_meeting):
    _group, users, meeting, seats = two_seat_meeting
    Preparation.objects.filter(meeting=meeting, user=seats[0].user).update(
        takeaways="Preise <b>testen</b>, nicht raten"
    )
    client.force_login(users[2])
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert "Preise &lt;b&gt;testen&lt;/b&gt;, nicht raten" in body
    assert "Mit der Gruppe geteilte Erkenntnisse" in body
