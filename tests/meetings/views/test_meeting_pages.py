"""Meeting pages: who may see them, what they show, and bounded query counts."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from groups.models import Membership
from meetings.models import Absence, Commitment, Preparation
from meetings.selectors import group_page_context
from tests.factories import StaffFactory
from tests.meetings.helpers import NOW, future, make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def group_with_meeting():
    group, users = make_group(3)
    make_schedule(group)
    return group, users, future(group)[0]


def test_anonymous_is_sent_to_sign_in(client, group_with_meeting):
    _group, _users, meeting = group_with_meeting
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_non_member_and_former_member_get_404(client, group_with_meeting):
    group, users, meeting = group_with_meeting
    _other, strangers = make_group(1)
    client.force_login(strangers[0])
    assert client.get(meeting.get_absolute_url()).status_code == 404
    assert client.get(reverse("meetings:group_meetings", args=[group.pk])).status_code == 404
    Membership.objects.filter(user=users[0]).update(left_at=NOW - dt.timedelta(days=1))
    client.force_login(users[0])
    assert client.get(meeting.get_absolute_url()).status_code == 404


def test_member_and_staff_see_the_meeting_with_presenter_in_their_time_zone(
    client, group_with_meeting
):
    _group, users, meeting = group_with_meeting
    users[0].time_zone = "Europe/London"
    users[0].save()
    client.force_login(users[0])
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "18:00" in page and "Europe/London" in page  # 19:00 in Berlin
    presenter = meeting.hot_seats.get().user
    assert presenter.first_name in page
    client.force_login(StaffFactory())
    assert client.get(meeting.get_absolute_url()).status_code == 200


def _fill(group, users, count):
    meetings = future(group)[:count]
    for meeting in meetings:
        Absence.objects.create(meeting=meeting, user=users[1], note="x")
        Preparation.objects.create(meeting=meeting, user=users[0], story="s")
        Commitment.objects.create(meeting=meeting, user=users[2], text="t")
    return meetings


@pytest.mark.parametrize("count", [1, 26])
def test_meeting_page_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    group, users = make_group(4)
    make_schedule(group, end_date=None if count > 1 else dt.date(2027, 1, 5))
    meetings = _fill(group, users, count)
    client.force_login(users[0])
    with django_assert_max_num_queries(
        15
    ):  # the same for 1 and 26 meetings; one is the pending swaps
        response = client.get(meetings[-1].get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 26])
def test_group_section_query_count_does_not_grow(django_assert_max_num_queries, count):
    group, users = make_group(4)
    make_schedule(group, end_date=None if count > 1 else dt.date(2027, 1, 5))
    _fill(group, users, count)
    with django_assert_max_num_queries(8):  # one is the schedule, for its summary
        context = group_page_context(group=group, user=users[0])
        html = render_to_string("meetings/_group_meetings.html", context)
    assert len(context["upcoming_meetings"]) == min(count, 6)
    assert html.count("<tr>") >= min(count, 6)


@pytest.mark.parametrize("count", [1, 26])
def test_all_meetings_list_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    group, users = make_group(4)
    make_schedule(group, end_date=None if count > 1 else dt.date(2027, 1, 5))
    _fill(group, users, count)
    client.force_login(users[0])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("meetings:group_meetings", args=[group.pk]))
    assert response.status_code == 200


def test_skipped_meetings_are_not_shown_as_upcoming():
    from meetings.models import Pause
    from meetings.services import sync_after_pause_change

    group, users = make_group(3)
    make_schedule(group)
    Pause.objects.create(name="P", start_date=dt.date(2027, 1, 1), end_date=dt.date(2027, 1, 31))
    sync_after_pause_change(group=None)
    upcoming = group_page_context(group=group, user=users[0])["upcoming_meetings"]
    assert all(m.starts_at.month != 1 for m in upcoming)
