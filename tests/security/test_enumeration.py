"""No user enumeration: known and unknown addresses get the very same answer.

For each form that takes an email address (sign-in code, password reset, application,
interest list) the answer for an address we know and one we don't must match in status,
redirect target and the text of the page the visitor lands on (the address itself, CSRF
tokens and CSP nonces aside).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from groups.models import Application, InterestSignup
from tests.security.helpers import rolled_back

pytestmark = pytest.mark.django_db

UNKNOWN = "niemand-bekannt@example.org"
VOLATILE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'),
    re.compile(r'nonce="[^"]+"'),
]


def _normalise(html: str, email: str) -> str:
    html = html.replace(email, "EMAIL")
    for pattern in VOLATILE:
        html = pattern.sub("", html)
    return html


def _answer(url: str, data: dict, email: str) -> tuple:
    with rolled_back():
        client = Client(raise_request_exception=False)
        client.get(url)  # as a person would: open the form first
        response = client.post(url, {**data, "email": email})
        target = response.get("Location", "")
        landed = client.get(target) if response.status_code == 302 else response
        page = _normalise(landed.content.decode(), email)
        return response.status_code, target, landed.status_code, page


def _assert_same(url: str, data: dict, known: str) -> None:
    known_answer = _answer(url, data, known)
    unknown_answer = _answer(url, data, UNKNOWN)
    assert known_answer[0] == 302 and known_answer[2] == 200  # a real answer, not a 429
    assert known_answer[:3] == unknown_answer[:3]
    assert known_answer[3] == unknown_answer[3]


def test_sign_in_code_request_answers_the_same_for_members_and_strangers(world):
    _assert_same(reverse("account_request_login_code"), {}, world.a1.email)


def test_password_reset_answers_the_same_for_members_and_strangers(world):
    _assert_same(reverse("account_reset_password"), {}, world.a1.email)


APPLICATION = {
    "name": "Nora Neu",
    "about": "Ich berate Cafés.",
    "topics": "SEO",
    "expectations": "Feedback",
    "availability": "tue-19",
    "time_zone": "Europe/Berlin",
    "language": "de",
    "consent": "on",
}


def test_applying_again_with_a_known_address_answers_like_a_new_application(world):
    url = reverse("groups:apply", args=[world.intake.slug])
    _assert_same(url, APPLICATION, world.app_x.email)
    # …and the known address still has exactly one application.
    assert Application.objects.filter(intake=world.intake, email=world.app_x.email).count() == 1


def test_interest_list_answers_the_same_for_listed_and_new_addresses(world):
    listed = InterestSignup.objects.create(email="schon-da@example.org")
    listed.confirmed_at = listed.created_at
    listed.save()
    _assert_same(reverse("groups:interest"), {"language": "de"}, listed.email)
    _assert_same(reverse("groups:interest"), {"language": "de"}, world.signup.email)
