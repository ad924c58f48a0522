"""From the proposal to running groups: one confirmation page creates groups *with* schedules."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import formats, translation

from groups.models import Group, Membership
from groups.services import proposals
from meetings.models import Meeting, Pause, Schedule
from tests.groups.helpers import accept, deliver_pending, make_intake
from tests.helpers import create_groups_post_data
from tests.meetings.helpers import BERLIN, NOW

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def url(intake) -> str:
    return reverse("meetings:create_groups", args=[intake.pk])


def proposed(count=5, **kwargs):
    intake = make_intake(deadline=NOW - dt.timedelta(days=3))
    accept(intake, count, **kwargs)
    proposals.run_matching(intake=intake)
    intake.refresh_from_db()
    return intake


def test_page_proposes_the_evening_the_group_was_formed_around(clock, staff_client):
    intake = proposed(slots=("mon-19",))  # the intake's default is Tuesday
    page = staff_client.get(url(intake))
    assert page.status_code == 200
    (form,) = page.context["formset"]
    assert form.initial["weekday"] == 0
    assert form.initial["start_time"] == dt.time(19, 0)
    assert form.initial["time_zone"] == "Europe/Berlin"
    # Today is Monday 4 January 2027: at least a week ahead is Monday 11 January.
    assert form.initial["first_date"] == dt.date(2027, 1, 11)
    assert form.initial["every_weeks"] == intake.meeting_every_weeks
    assert form.initial["duration_minutes"] == intake.meeting_duration_minutes
    (row,) = page.context["rows"]
    assert [d.astimezone(BERLIN).date() for d in row["dates"]] == [
        dt.date(2027, 1, 11) + dt.timedelta(weeks=intake.meeting_every_weeks * i) for i in range(3)
    ]
    assert {d.astimezone(BERLIN).time() for d in row["dates"]} == {dt.time(19, 0)}
    body = page.content.decode()
    assert "Montag, 11. Januar 2027, 19:00" in body
    assert "2027-01-11" not in body.replace('value="2027-01-11"', "")


def test_group_abroad_meets_on_its_own_evening_in_its_own_zone(clock, staff_client):
    intake = proposed(slots=("tue-19",), time_zone="America/New_York")
    (form,) = staff_client.get(url(intake)).context["formset"]
    assert form.initial["time_zone"] == "America/New_York"
    assert (form.initial["weekday"], form.initial["start_time"]) == (1, dt.time(19, 0))


def test_a_global_pause_is_left_out_of_the_first_dates(clock, staff_client):
    intake = proposed(slots=("mon-19",))
    Pause.objects.create(
        name="Winterpause", start_date=dt.date(2027, 1, 10), end_date=dt.date(2027, 1, 17)
    )
    (row,) = staff_client.get(url(intake)).context["rows"]
    assert row["dates"][0].astimezone(BERLIN).date() == dt.date(2027, 1, 25)


def test_create_makes_groups_schedules_meetings_and_hot_seats_at_once(
    clock, staff_client, django_capture_on_commit_callbacks
):
    intake = proposed(count=9, slots=("mon-19",), language="en", time_zone="Europe/Berlin")
    data = create_groups_post_data(staff_client, intake)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url(intake), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("organiser_index")
    groups = list(Group.objects.filter(intake=intake))
    assert len(groups) == 2
    for group in groups:
        schedule = Schedule.objects.get(group=group)
        assert (schedule.weekday, schedule.start_time) == (0, dt.time(19, 0))
        assert schedule.first_date == dt.date(2027, 1, 11)
        first = Meeting.objects.filter(group=group).order_by("starts_at").first()
        assert first.starts_at.astimezone(BERLIN) == dt.datetime(2027, 1, 11, 19, tzinfo=BERLIN)
        assert first.hot_seats.count() == 1


def test_welcome_email_carries_the_first_three_dates_and_the_hot_seat_order(
    clock, staff_client, django_capture_on_commit_callbacks
):
    intake = proposed(count=4, slots=("mon-19",), language="en", time_zone="America/New_York")
    data = create_groups_post_data(staff_client, intake, start_time="20:00")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url(intake), data)
    sent = deliver_pending()
    assert len(sent) == 4
    membership = Membership.objects.select_related("user").first()
    message = next(m for m in sent if m.to == [membership.user.email])
    text = message.body
    meetings = list(Meeting.objects.filter(group=membership.group).order_by("starts_at")[:3])
    for meeting in meetings:
        local = meeting.starts_at.astimezone(NEW_YORK)
        assert local.hour == 20
        with translation.override("en"):
            shown = formats.date_format(local, "DATETIME_FORMAT")
        assert f"{local:%A}, {shown}" in text
    order = text.split("Hot-seat order: ")[1].splitlines()[0].split(" → ")
    members = Membership.objects.filter(group=membership.group).select_related("user")
    assert sorted(order) == sorted(m.user.first_name for m in members)
    presenter = meetings[0].hot_seats.get().user.first_name
    assert order[0] == presenter
    assert "The dates follow soon" not in text


def test_the_organiser_adjusts_one_group_before_creating(clock, staff_client):
    intake = proposed(count=4, slots=("mon-19",))
    data = create_groups_post_data(staff_client, intake)
    data |= {
        "form-0-weekday": "3",
        "form-0-start_time": "18:30",
        "form-0-every_weeks": "3",
        "form-0-first_date": "2027-01-14",
    }
    assert staff_client.post(url(intake), data).status_code == 302
    schedule = Schedule.objects.get()
    assert (schedule.weekday, schedule.start_time, schedule.every_weeks) == (
        3,
        dt.time(18, 30),
        3,
    )
    first = Meeting.objects.order_by("starts_at").first()
    assert first.starts_at.astimezone(BERLIN) == dt.datetime(2027, 1, 14, 18, 30, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_date", "2027-01-12", "The first date must fall on the chosen weekday."),
        ("first_date", "2026-12-28", "Choose a date that is not in the past."),
        ("time_zone", "Mars/Olympus", None),
        ("every_weeks", "0", None),
        ("start_time", "25:99", None),
    ],
)
def test_bad_input_is_answered_and_nothing_is_created(clock, staff_client, field, value, message):
    intake = proposed(count=4, slots=("mon-19",))
    data = create_groups_post_data(staff_client, intake) | {f"form-0-{field}": value}
    response = staff_client.post(url(intake), data)
    assert response.status_code == 200
    (form,) = response.context["formset"]
    assert form.errors[field]
    if message:
        assert translation.gettext(message) in form.errors[field]  # the site's language
    assert Group.objects.count() == Schedule.objects.count() == Meeting.objects.count() == 0


def test_a_proposal_changed_since_the_page_was_opened_is_refused(clock, staff_client):
    intake = proposed(count=9, slots=("mon-19",))
    data = create_groups_post_data(staff_client, intake)
    first, second = intake.proposal["groups"]
    first["members"][0], second["members"][0] = second["members"][0], first["members"][0]
    intake.save(update_fields=["proposal"])
    response = staff_client.post(url(intake), data, follow=True)
    assert Group.objects.count() == 0
    assert [str(m) for m in response.context["messages"]] == [
        "Der Vorschlag hat sich geändert, seit diese Seite geöffnet wurde. Bitte prüfen Sie "
        "die Terminpläne noch einmal."
    ]


def test_apply_moves_every_first_date_and_keeps_the_edits(clock, staff_client):
    intake = proposed(count=9, slots=("mon-19",))
    data = create_groups_post_data(staff_client, intake)
    data |= {"form-1-weekday": "2", "form-1-start_time": "20:00", "start": "2027-02-01"}
    del data["create"]
    data["apply"] = "1"
    page = staff_client.post(url(intake), data)
    assert Group.objects.count() == 0
    forms = list(page.context["formset"])
    assert forms[0].initial["first_date"] == dt.date(2027, 2, 1)  # a Monday
    assert forms[1].initial["first_date"] == dt.date(2027, 2, 3)  # the next Wednesday
    assert forms[1].initial["start_time"] == dt.time(20, 0)


def test_created_intake_redirects_to_its_proposal(clock, staff_client):
    intake = proposed(count=4, slots=("mon-19",))
    staff_client.post(url(intake), create_groups_post_data(staff_client, intake))
    response = staff_client.get(url(intake))
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:intake_proposal", args=[intake.pk])
    assert Schedule.objects.count() == 1


@pytest.mark.parametrize("people", [4, 40])
def test_page_query_count_does_not_grow_with_the_groups(
    clock, staff_client, people, django_assert_max_num_queries
):
    intake = proposed(count=people, slots=("mon-19",))
    with django_assert_max_num_queries(8):
        assert staff_client.get(url(intake)).status_code == 200
