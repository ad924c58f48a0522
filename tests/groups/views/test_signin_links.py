import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from groups.views.signin import LINK_VALIDITY, signin_path, token_generator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_opening_the_link_only_asks_to_confirm(client):
    user = UserFactory()
    response = client.get(signin_path(user))
    assert response.status_code == 200
    assert user.email in response.content.decode()
    assert 'method="post"' in response.content.decode()
    assert logged_in_as(client) is None
    user.refresh_from_db()
    assert user.last_login is None


def test_confirming_signs_in_and_the_link_works_once(client):
    user = UserFactory()
    path = signin_path(user)
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:my_groups")
    assert logged_in_as(client) == str(user.pk)
    client.logout()
    again = client.post(path)
    assert again.status_code == 410
    assert reverse("account_request_login_code") in again.content.decode()
    assert logged_in_as(client) is None


def test_a_link_expires_after_seven_days(client):
    user = UserFactory()
    made = timezone.now()
    path = signin_path(user, now=made)
    with time_machine.travel(made + LINK_VALIDITY + dt.timedelta(seconds=5), tick=False):
        response = client.post(path)
    assert response.status_code == 410
    assert logged_in_as(client) is None


def test_a_link_still_works_on_the_sixth_day(client):
    user = UserFactory()
    made = timezone.now()
    path = signin_path(user, now=made)
    with time_machine.travel(made + dt.timedelta(days=6), tick=False):
        assert client.post(path).status_code == 302


def test_changing_the_email_invalidates_the_link():
    user = UserFactory()
    token = token_generator.make_token(user)
    user.email = "new@example.org"
    assert not token_generator.check_token(user, token)


def test_tampered_or_foreign_tokens_are_rejected(client):
    user, other = UserFactory(), UserFactory()
    path = signin_path(user)
    foreign = signin_path(other).split("/")[-2]
    uid = path.split("/")[-3]
    assert client.get(f"/signin/{uid}/{foreign}/").status_code == 410
    assert client.get(f"/signin/{uid}/zzz-abc/").status_code == 410
    assert client.get(f"/signin/!!!/{foreign}/").status_code == 410
    assert not token_generator.check_token(user, "")


def test_inactive_users_cannot_sign_in_by_link(client):
    user = UserFactory(is_active=False)
    assert client.post(signin_path(user)).status_code == 410
