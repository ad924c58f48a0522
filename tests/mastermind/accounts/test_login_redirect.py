import re

import pytest
from django.core import mail

from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, user, *, next_url: str = "") -> str:
    url = "/accounts/login/code/" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"email": user.email})
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body).group(1)
    return client.post(response["Location"], {"code": code})["Location"]


def test_member_lands_on_my_groups(client):
    assert _sign_in(client, UserFactory()) == "/groups/"


def test_staff_lands_on_the_organisers_home(client):
    assert _sign_in(client, StaffFactory()) == "/admin/"


def test_next_wins(client):
    assert _sign_in(client, UserFactory(), next_url="/calendar/") == "/calendar/"
