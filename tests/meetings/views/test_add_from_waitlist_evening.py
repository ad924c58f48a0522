"""Adding from the waitlist says whether the person can make the group's evening in their zone."""

import datetime as dt

import pytest
from django.urls import reverse

from groups.models import ApplicationStatus
from tests.factories import ApplicationFactory, GroupFactory, MembershipFactory
from tests.groups.helpers import make_intake
from tests.meetings.helpers import make_schedule

pytestmark = pytest.mark.django_db


def thursday_group():
    intake = make_intake(max_group_size=5)
    group = GroupFactory(intake=intake)
    for _ in range(4):
        MembershipFactory(group=group)
    make_schedule(group, weekday=3, first_date=dt.date(2027, 1, 7), start_time=dt.time(19))
    return group


def waiting(group, **kwargs):
    return ApplicationFactory(intake=group.intake, status=ApplicationStatus.WAITLISTED, **kwargs)


def manage(group) -> str:
    return reverse("groups:group_manage", args=[group.pk])


def test_someone_who_cannot_make_the_evening_is_not_added_without_a_word(staff_client):
    group = thursday_group()
    new_york = waiting(group, availability=["tue-19"], time_zone="America/New_York")
    page = staff_client.get(manage(group)).content.decode()
    assert "Donnerstag 13:00 (America/New_York)" in page  # 19:00 in Berlin, for them
    response = staff_client.post(manage(group), {"action": "add", "application": new_york.pk})
    assert response.status_code == 400
    assert "Donnerstag 19:00 (Europe/Berlin)" in response.content.decode()
    assert group.memberships.current().count() == 4

    response = staff_client.post(
        manage(group), {"action": "add", "application": new_york.pk, "add_anyway": "on"}
    )
    assert response.status_code == 302
    assert group.memberships.current().count() == 5


def test_someone_who_names_the_evening_in_their_own_zone_is_added_at_once(staff_client):
    group = thursday_group()
    # 19:00 in Berlin is 13:00 in New York: that is the slot this person gave.
    fits = waiting(group, availability=["thu-13"], time_zone="America/New_York")
    page = staff_client.get(manage(group)).content.decode()
    assert "kann Donnerstag 13:00 (America/New_York)" in page
    response = staff_client.post(manage(group), {"action": "add", "application": fits.pk})
    assert response.status_code == 302
    assert group.memberships.current().count() == 5


def test_a_group_without_a_schedule_asks_nothing(staff_client):
    intake = make_intake(max_group_size=5)
    group = GroupFactory(intake=intake)
    person = waiting(group, availability=["tue-19"])
    page = staff_client.get(manage(group)).content.decode()
    assert "add_anyway" not in page
    response = staff_client.post(manage(group), {"action": "add", "application": person.pk})
    assert response.status_code == 302
