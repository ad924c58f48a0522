import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import IntegrityError
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(django_user_model):
    user = django_user_model.objects.create_user("Mia@Example.org", display_name="Mia Muster")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_email_is_stored_lowercase_and_unique_case_insensitively(django_user_model, member):
    assert member.email == "mia@example.org"
    with pytest.raises(IntegrityError):
        django_user_model.objects.create(email="MIA@example.org")


def test_member_signs_in_with_an_emailed_code(client, member):
    response = client.post("/accounts/login/code/", {"email": "mia@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mia@example.org"]
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.M).group(1)
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(member.pk)


def test_wrong_code_does_not_sign_in(client, member):
    response = client.post("/accounts/login/code/", {"email": "mia@example.org"})
    response = client.post(response["Location"], {"code": "WRONG1"})
    assert "_auth_user_id" not in client.session


def test_password_sign_in_still_works(client, member):
    member.set_password("correct horse battery staple")
    member.save()
    response = client.post(
        "/accounts/login/",
        {"login": "mia@example.org", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(member.pk)


def test_code_for_unknown_email_reveals_nothing(client):
    response = client.post("/accounts/login/code/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_public_signup_is_closed(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert "signup_closed" in [
        t.name.split("/")[-1].removesuffix(".html") for t in response.templates
    ]


def test_login_codes_are_rate_limited_per_email(member):
    responses = [
        Client().post("/accounts/login/code/", {"email": "mia@example.org"}) for _ in range(4)
    ]
    assert [r.status_code for r in responses[:3]] == [302, 302, 302]
    assert responses[3].status_code in (200, 429)
    assert len(mail.outbox) == 3


def test_sign_in_codes_answer_429_with_a_clear_page_after_20_per_minute_from_one_address():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    statuses = [
        client.post("/accounts/login/code/", {"email": f"p{i}@example.org"}).status_code
        for i in range(20)
    ]
    assert statuses == [302] * 20
    response = client.post("/accounts/login/code/", {"email": "last@example.org"})
    assert response.status_code == 429
    assert "Too many sign-in codes were requested from your address" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()
