"""Rotating facilitator and timekeeper through the services, the meeting page and the feed."""

import datetime as dt

import pytest
from icalendar import Calendar

from meetings import services
from meetings.calendar.feed import settings_for
from meetings.models import Meeting, RoleAssignment
from meetings.services.preferences import update_profile
from tests.meetings.helpers import NOW, future, leave, make_group, make_schedule, presenters

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

F, T = "facilitator", "timekeeper"


def roles_of(meeting: Meeting) -> dict[str, int]:
    return dict(RoleAssignment.objects.filter(meeting=meeting).values_list("role", "user_id"))


def test_roles_are_off_by_default():
    group, _users = make_group(4)
    make_schedule(group)
    assert not RoleAssignment.objects.exists()


def test_every_future_meeting_gets_both_roles_apart_from_its_presenter():
    group, users = make_group(4)
    make_schedule(group, rotate_facilitator=True, rotate_timekeeper=True)
    meetings = future(group)
    for meeting in meetings:
        roles = roles_of(meeting)
        assert set(roles) == {F, T}
        assert roles[F] != roles[T]
        assert not set(roles.values()) & presenters(meeting)
    # Over the first four meetings everybody facilitates once.
    assert sorted(roles_of(m)[F] for m in meetings[:4]) == sorted(u.pk for u in users)


def test_only_the_enabled_role_rotates():
    group, _users = make_group(3)
    make_schedule(group, rotate_timekeeper=True)
    assert all(set(roles_of(m)) == {T} for m in future(group))


def test_absent_facilitator_is_replaced_at_that_meeting_only():
    group, users = make_group(5)
    make_schedule(group, rotate_facilitator=True, rotate_timekeeper=True)
    first, second = future(group)[:2]
    before_first, before = roles_of(first), roles_of(second)
    facilitator = next(u for u in users if u.pk == before[F])
    sequence = second.sequence

    services.mark_absent(meeting=second, user=facilitator)

    after = roles_of(second)
    assert roles_of(first) == before_first
    assert facilitator.pk not in after.values()
    assert set(after) == {F, T} and after[F] != after[T]
    assert not set(after.values()) & presenters(second)
    second.refresh_from_db()
    assert second.sequence > sequence  # calendars see the new description


def test_turning_roles_off_clears_future_ones_and_keeps_the_past(clock):
    group, _users = make_group(4)
    schedule = make_schedule(group, rotate_facilitator=True)
    first = future(group)[0]
    kept = roles_of(first)
    clock.move_to(first.starts_at + dt.timedelta(hours=3))
    schedule.rotate_facilitator = False
    services.save_schedule(schedule=schedule)
    assert roles_of(first) == kept
    assert not RoleAssignment.objects.filter(meeting__starts_at__gt=first.starts_at).exists()


def _roles_group(language="en"):
    group, users = make_group(4)
    make_schedule(group, rotate_facilitator=True, rotate_timekeeper=True)
    for user in users:
        user.language = language
        user.save()
    meeting = future(group)[0]
    holders = {role: next(u for u in users if u.pk == pk) for role, pk in roles_of(meeting).items()}
    return users, meeting, holders


@pytest.mark.parametrize(
    ("language", "facilitator", "timekeeper"),
    [("en", "Facilitator", "Timekeeper"), ("de", "Moderation", "Zeitwächter")],
)
def test_meeting_page_shows_the_roles(client, language, facilitator, timekeeper):
    users, meeting, holders = _roles_group(language)  # the member's language applies
    client.force_login(users[0])
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert f"<strong>{facilitator}:</strong> {holders[F].first_name}" in page
    assert f"<strong>{timekeeper}:</strong> {holders[T].first_name}" in page


def test_meeting_page_without_roles_has_no_roles_line(client):
    group, users = make_group(3)
    make_schedule(group)
    client.force_login(users[0])
    assert 'id="roles"' not in client.get(future(group)[0].get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("language", "facilitator", "timekeeper"),
    [("en", "Facilitator", "Timekeeper"), ("de", "Moderation", "Zeitwächter")],
)
def test_feed_description_names_the_roles(client, language, facilitator, timekeeper):
    users, meeting, holders = _roles_group(language)
    body = client.get(f"/calendar/{settings_for(users[0]).feed_token}.ics").content
    events = {str(e["UID"]): str(e["DESCRIPTION"]) for e in Calendar.from_ical(body).walk("VEVENT")}
    description = events[f"meeting-{meeting.pk}@mastermind.test"]
    assert f"{facilitator}: {holders[F].first_name}\n{timekeeper}: {holders[T].first_name}" in (
        description
    )


@pytest.mark.parametrize("end", [dt.date(2027, 1, 5), None])
def test_feed_and_page_query_counts_with_roles_stay_bounded(
    client, django_assert_max_num_queries, end
):
    group, users = make_group(4)
    make_schedule(group, end_date=end, rotate_facilitator=True, rotate_timekeeper=True)
    assert len(future(group)) >= (1 if end else 20)
    client.force_login(users[0])
    feed, page = f"/calendar/{settings_for(users[0]).feed_token}.ics", future(group)[-1]
    with django_assert_max_num_queries(6):  # one more than without roles: the roles
        assert client.get(feed).status_code == 200
    with django_assert_max_num_queries(16):  # one more than without roles
        assert client.get(page.get_absolute_url()).status_code == 200


def test_member_who_leaves_loses_their_future_roles():
    group, users = make_group(4)
    make_schedule(group, rotate_facilitator=True, rotate_timekeeper=True)
    third = future(group)[2]
    leaver = next(u for u in users if u.pk == roles_of(third)[F])
    leave(group, leaver, at=NOW + dt.timedelta(hours=1))
    assert not RoleAssignment.objects.filter(user=leaver, meeting__starts_at__gt=NOW).exists()
    assert all(set(roles_of(m)) == {F, T} for m in future(group))


def test_renaming_a_role_holder_revises_the_meetings_of_their_role(client):
    users, meeting, holders = _roles_group()
    assert holders[F].pk not in presenters(meeting)
    sequence = Meeting.objects.get(pk=meeting.pk).sequence
    update_profile(
        user=holders[F],
        display_name="Zora Neu",
        language="en",
        time_zone="Europe/Berlin",
        preferences={},
    )
    assert Meeting.objects.get(pk=meeting.pk).sequence == sequence + 1
    body = client.get(f"/calendar/{settings_for(users[0]).feed_token}.ics").content.decode()
    assert "Facilitator: Zora" in body
