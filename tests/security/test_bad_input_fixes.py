"""One test per bug the bad-input properties found; each fails without its fix."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from groups.models import Intake, Membership
from mastermind.accounts.models import User
from meetings.models import Meeting, Schedule
from tests.security.helpers import INTAKE, SCHEDULE, client_for

pytestmark = pytest.mark.django_db

RANGE_ERROR = "between the years 2000 and 2100"


@pytest.fixture(name="staff")
def staff_fixture(world):
    User.objects.filter(pk=world.staff.pk).update(language="en")  # messages in English
    return client_for(world, "staff")


@pytest.mark.parametrize(("first", "end"), [("9999-12-31", ""), ("0001-01-01", "")])
def test_schedule_with_a_date_out_of_range_is_refused_not_a_crash(world, staff, first, end):
    data = {**SCHEDULE, "group": world.group_a.pk, "first_date": first, "end_date": end}
    response = staff.post(reverse("admin:meetings_schedule_add"), data)
    assert response.status_code == 200
    assert RANGE_ERROR in response.content.decode()
    assert not Schedule.objects.exists()


def test_moving_a_meeting_to_the_end_of_time_is_refused_not_a_crash(world, staff):
    before = Meeting.objects.get(pk=world.meeting_a.pk).starts_at
    data = {"action": "move_meeting", ACTION_CHECKBOX_NAME: world.meeting_a.pk, "apply": "1"}
    data |= {"date": "9999-12-31", "time": "23:30", "reason": "Feiertag"}
    response = staff.post(reverse("admin:meetings_meeting_changelist"), data)
    assert response.status_code == 200
    assert RANGE_ERROR in response.content.decode()
    assert Meeting.objects.get(pk=world.meeting_a.pk).starts_at == before


def test_intake_opening_in_year_one_is_refused_not_a_crash(staff):
    data = {**INTAKE, "opens_at_0": "0001-01-01", "opens_at_1": "00:00"}
    data |= {"deadline_0": "9999-12-31", "deadline_1": "23:59"}
    response = staff.post(reverse("admin:groups_intake_add"), data)
    assert response.status_code == 200
    assert RANGE_ERROR in response.content.decode()
    assert not Intake.objects.filter(slug="herbst").exists()


def test_topic_filter_with_a_superscript_digit_for_an_intake_is_not_a_crash(staff):
    url = reverse("admin:groups_application_changelist")
    assert staff.get(url, {"intake__id__exact": "²"}).status_code in (200, 302)


def test_marking_a_commitment_with_a_superscript_meeting_id_goes_back_to_its_meeting(world):
    client = client_for(world, "member_a")
    url = reverse("meetings:mark_commitment", args=[world.commitment_a1.pk])
    response = client.post(url, {"done": "1", "meeting": "²"})
    assert response.status_code == 302
    assert response.url == world.past_a.get_absolute_url()


def test_marking_a_commitment_with_a_5000_digit_meeting_id_is_not_a_crash(world):
    client = client_for(world, "member_a")
    url = reverse("meetings:mark_commitment", args=[world.commitment_a1.pk])
    response = client.post(url, {"done": "1", "meeting": "0" * 5000})
    assert response.status_code == 302
    assert response.url == world.past_a.get_absolute_url()


@pytest.mark.parametrize("token", ["%00", "a%00b", "%C3%A4" * 3, "a.b", "x" * 65])
def test_feed_token_that_cannot_be_one_is_refused_before_any_query(
    world, django_assert_num_queries, token
):
    """PostgreSQL refuses a NUL in a query parameter with an error: never send it one."""
    client = client_for(world, "anon")
    with django_assert_num_queries(0):
        status = client.get(f"/calendar/{token}.ics").status_code
    # A NUL is refused by the middleware (400); any other impossible token by the view (404).
    assert status == (400 if "%00" in token else 404)


@pytest.mark.parametrize(
    ("role", "name", "arg"),
    [
        ("member_a", "meetings:meeting_detail", "meeting_a"),
        ("member_a", "meetings:prepare", "meeting_a"),
        ("member_a", "meetings:swap_request", "meeting_a"),
        ("member_a", "meetings:swaps", None),
        ("member_a", "meetings:group_meetings", "group_a"),
        ("staff", "meetings:overview", None),
        ("staff", "groups:group_manage", "group_a"),
    ],
)
def test_pages_that_only_show_or_take_a_form_refuse_other_methods(world, role, name, arg):
    url = reverse(name, args=[getattr(world, arg).pk] if arg else [])
    for method in ("put", "delete", "patch"):
        assert getattr(client_for(world, role), method)(url).status_code == 405


def test_leaving_without_a_reason_field_leaves(world):
    """The reason is optional: a POST without it still leaves (it used to show the page)."""
    response = client_for(world, "member_a").post(
        reverse("groups:leave_group", args=[world.group_a.pk])
    )
    assert response.status_code == 302
    assert not Membership.objects.current().filter(group=world.group_a, user=world.a1).exists()


@pytest.mark.parametrize(
    ("name", "arg"),
    [
        ("meetings:prepare", "meeting_a"),
        ("meetings:swap_request", "meeting_a"),
        ("meetings:profile", None),
    ],
)
def test_an_empty_post_shows_what_is_missing(world, name, arg):
    url = reverse(name, args=[getattr(world, arg).pk] if arg else [])
    response = client_for(world, "member_a").post(url)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/admin/groups/application/", {"q": "a\x00b"}),
        ("get", "/apply/", {"x\x00": "1"}),
    ],
)
def test_a_nul_character_anywhere_is_a_clear_400(staff, method, url, data):
    response = getattr(staff, method)(url, data)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_huge_topic_filter_value_is_no_crash(staff):
    response = staff.get("/admin/groups/application/", {"topic": "\x1f" * 10000})
    assert response.status_code == 200


def test_an_intake_id_of_10000_digits_in_the_admin_filter_is_no_crash(staff):
    response = staff.get("/admin/groups/application/", {"intake__id__exact": "0" * 10000})
    assert response.status_code in (200, 302)
