"""The profile page: name, language, time zone and every email switch."""

import pytest
from django.conf import settings
from django.urls import reverse

from meetings.models import MemberSettings
from tests.factories import MemberSettingsFactory, MembershipFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/profile/"


def valid_data(**overrides) -> dict:
    data = {
        "display_name": "Anna Beispiel",
        "language": "en",
        "time_zone": "Europe/Vienna",
        "meeting_reminders": "on",
        "commitment_prompts": "on",
    }
    data.update(overrides)
    return data


def test_profile_url_is_named():
    assert reverse("meetings:profile") == URL


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(URL, valid_data()).status_code == 302


def test_profile_shows_the_members_settings_and_creates_them_lazily(client):
    user = UserFactory(display_name="Anna")
    client.force_login(user)
    assert not MemberSettings.objects.filter(user=user).exists()
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Anna"' in content
    assert 'name="meeting_reminders"' in content
    assert 'name="calendar_invitations"' in content
    assert 'name="organiser_digests"' not in content
    assert MemberSettings.objects.filter(user=user).exists()


def test_saving_updates_profile_and_turns_unticked_emails_off(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(URL, valid_data())
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.language, user.time_zone) == (
        "Anna Beispiel",
        "en",
        "Europe/Vienna",
    )
    member_settings = user.member_settings
    assert member_settings.meeting_reminders is True
    assert member_settings.commitment_prompts is True
    assert member_settings.preparation_reminders is False
    assert member_settings.hot_seat_changes is False
    assert member_settings.calendar_invitations is False
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_every_kind_can_be_turned_on_again(client):
    user = UserFactory()
    MemberSettingsFactory(user=user, meeting_reminders=False, preparation_reminders=False)
    client.force_login(user)
    data = valid_data(preparation_reminders="on", hot_seat_changes="on", calendar_invitations="on")
    client.post(URL, data)
    user.member_settings.refresh_from_db()
    assert user.member_settings.preparation_reminders is True
    assert user.member_settings.calendar_invitations is True


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus", "Select a valid choice"),
        ("language", "fr", "Select a valid choice"),
        ("display_name", "   ", "This field is required"),
        ("display_name", "Anna\x07", "letters, digits and punctuation"),
        ("display_name", "A" * 101, "at most 100 characters"),
    ],
)
def test_invalid_input_saves_nothing(client, field, value, message):
    user = UserFactory(display_name="Anna", time_zone="Europe/Berlin", language="en")
    MemberSettingsFactory(user=user, meeting_reminders=True)
    client.force_login(user)
    data = valid_data(language="de", meeting_reminders="")
    data[field] = value
    response = client.post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert (user.display_name, user.time_zone, user.language) == ("Anna", "Europe/Berlin", "en")
    user.member_settings.refresh_from_db()
    assert user.member_settings.meeting_reminders is True


def test_staff_can_turn_organiser_digests_off(client):
    staff = StaffFactory()
    client.force_login(staff)
    assert 'name="organiser_digests"' in client.get(URL).content.decode()
    client.post(URL, valid_data())
    staff.member_settings.refresh_from_db()
    assert staff.member_settings.organiser_digests is False


def test_a_member_cannot_change_organiser_digests(client):
    user = UserFactory()
    MemberSettingsFactory(user=user, organiser_digests=True)
    client.force_login(user)
    client.post(URL, valid_data(organiser_digests=""))
    user.member_settings.refresh_from_db()
    assert user.member_settings.organiser_digests is True


@pytest.mark.parametrize("groups", [1, 5])
def test_profile_query_count_does_not_grow_with_groups(
    client, django_assert_max_num_queries, groups
):
    user = UserFactory()
    MemberSettingsFactory(user=user)
    for _ in range(groups):
        MembershipFactory(user=user)
    client.force_login(user)
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200


def test_members_can_turn_recaps_off(client):
    user = UserFactory()
    client.force_login(user)
    content = client.get(URL).content.decode()
    assert 'name="recaps"' in content
    assert "Rückblicke nach Treffen" in content
    client.post(URL, valid_data())  # "recaps" not posted: unchecked
    assert MemberSettings.objects.get(user=user).recaps is False
