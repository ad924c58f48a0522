"""One-click unsubscribe (RFC 8058): no sign-in, GET confirms, POST only ever turns off."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from meetings.models import MemberSettings
from meetings.services import preferences
from tests.factories import MemberSettingsFactory, UserFactory

pytestmark = pytest.mark.django_db


def path_for(user, preference="meeting_reminders") -> str:
    token = preferences.unsubscribe_token(user_id=user.pk, preference=preference)
    return reverse("meetings:unsubscribe", kwargs={"token": token})


def test_get_shows_a_confirm_button_and_changes_nothing(client):
    user = UserFactory()
    response = client.get(path_for(user))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert not MemberSettings.objects.filter(user=user).exists()


def test_one_click_post_without_csrf_token_or_sign_in_unsubscribes():
    user = UserFactory()
    MemberSettingsFactory(user=user)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        path_for(user, "preparation_reminders"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    user.member_settings.refresh_from_db()
    assert user.member_settings.preparation_reminders is False
    assert user.member_settings.meeting_reminders is True


def test_confirm_form_post_creates_settings_lazily(client):
    user = UserFactory()
    client.post(path_for(user, "commitment_prompts"))
    assert MemberSettings.objects.get(user=user).commitment_prompts is False


def test_post_only_ever_turns_off_whatever_is_posted():
    user = UserFactory()
    MemberSettingsFactory(user=user, meeting_reminders=False, calendar_invitations=False)
    posted = {"meeting_reminders": "on", "calendar_invitations": "1"}
    Client(enforce_csrf_checks=True).post(path_for(user, "meeting_reminders"), posted)
    user.member_settings.refresh_from_db()
    assert user.member_settings.meeting_reminders is False
    assert user.member_settings.calendar_invitations is False


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        signing.dumps([1, "meeting_reminders"], salt="another.salt"),
        signing.dumps([1, "is_staff"], salt=preferences.UNSUBSCRIBE_SALT),
        signing.dumps(["1", "meeting_reminders"], salt=preferences.UNSUBSCRIBE_SALT),
    ],
    # Signed tokens hold a timestamp: fixed ids keep xdist workers' collections equal.
    ids=["garbage", "other-salt", "not-a-preference", "user-id-not-an-int"],
)
def test_tampered_or_foreign_tokens_are_rejected(client, token):
    user = UserFactory()
    path = reverse("meetings:unsubscribe", kwargs={"token": token})
    assert client.get(path).status_code == 400
    assert client.post(path).status_code == 400
    assert not MemberSettings.objects.filter(user=user).exists()


def test_token_for_a_deleted_user_is_rejected(client):
    user = UserFactory()
    path = path_for(user)
    user.delete()
    assert client.post(path).status_code == 400


def test_other_views_still_require_csrf():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/profile/", {"display_name": "X"}).status_code == 403


def test_unsubscribe_headers_point_to_the_endpoint():
    user = UserFactory()
    headers = preferences.unsubscribe_headers(user_id=user.pk, preference="meeting_reminders")
    assert headers["List-Unsubscribe"] == f"<https://mastermind.test{path_for(user)}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("count", [1, 5])
def test_unsubscribe_pages_query_count_is_constant(client, django_assert_max_num_queries, count):
    users = [UserFactory() for _ in range(count)]
    with django_assert_max_num_queries(2):
        client.get(path_for(users[-1]))
    with django_assert_max_num_queries(6):
        client.post(path_for(users[-1]))
