"""The organiser's overview: staff only, charts as CSS bars, bounded queries."""

import datetime as dt

import pytest
from django.urls import reverse

from meetings.models import Absence
from meetings.selectors import bar_class
from tests.factories import StaffFactory
from tests.meetings.helpers import future, make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

URL = "/organise/meetings/"


def test_url_name():
    assert reverse("meetings:overview") == URL


def test_members_cannot_see_the_overview(client):
    _group, users = make_group(1)
    client.force_login(users[0])
    assert client.get(URL).status_code == 302  # to the admin sign-in


def test_bar_classes_round_to_tens():
    assert [bar_class(v, 3) for v in (0, 1, 2, 3)] == ["w-0", "w-30", "w-70", "w-100"]
    assert bar_class(3, 0) == "w-0"


def test_overview_shows_next_meetings_hot_seat_counts_and_attendance(client, clock):
    group, users = make_group(2)
    make_schedule(group)
    first = future(group)[0]
    Absence.objects.create(meeting=first, user=users[0])
    clock.move_to(first.ends_at)
    client.force_login(StaffFactory())
    response = client.get(URL)
    page = response.content.decode()
    assert group.name in page
    assert "50 %" in page  # one of two members came
    attendance = response.context["attendance"][0]
    assert attendance["rate"] == 50 and attendance["bar"] == "w-50"
    counts = {e["user"].pk: e["count"] for e in response.context["hot_seat_counts"][0]["members"]}
    assert sorted(counts.values()) == [0, 1]
    assert 'style="' not in page


@pytest.mark.parametrize("groups", [1, 5])
def test_overview_query_count_does_not_grow(client, django_assert_max_num_queries, groups):
    for _ in range(groups):
        group, _users = make_group(4)
        make_schedule(group, first_date=dt.date(2026, 7, 7))
    client.force_login(StaffFactory())
    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200
