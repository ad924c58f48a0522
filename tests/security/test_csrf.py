"""CSRF: every POST without a token is refused, except the two RFC 8058 unsubscribe links.

A one-click unsubscribe (RFC 8058) is POSTed by the mail client without any token, so
``meetings:unsubscribe`` and ``groups:interest_unsubscribe`` are ``csrf_exempt``. The
tests below pin down that nothing else is exempt (the whole resolver, admin and allauth
included) and that the two exempt views can only ever unsubscribe.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from groups import signing
from groups.models import Application, InterestSignup
from mastermind.accounts.models import User
from meetings.models import MemberSettings
from meetings.services import preferences
from tests.security.helpers import build_world, rolled_back
from tests.security.test_permission_matrix import ROWS

pytestmark = pytest.mark.django_db

EXEMPT = {"meetings:unsubscribe", "groups:interest_unsubscribe"}
# Representative POST endpoints of the admin and allauth (the matrix rows cover the app).
EXTRA_POSTS = [
    ("admin add", "staff", lambda w: reverse("admin:meetings_pause_add")),
    ("admin action", "staff", lambda w: reverse("admin:groups_application_changelist")),
    ("admin change", "staff", lambda w: reverse("admin:groups_group_change", args=[w.group_a.pk])),
    ("admin logout", "staff", lambda w: reverse("admin:logout")),
    ("admin login", "anon", lambda w: reverse("admin:login")),
    ("sign in", "anon", lambda w: reverse("account_login")),
    ("sign-in code", "anon", lambda w: reverse("account_request_login_code")),
    ("password reset", "anon", lambda w: reverse("account_reset_password")),
    ("sign out", "member_a", lambda w: reverse("account_logout")),
]


def _views(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, pattern.callback


def test_only_the_two_unsubscribe_views_are_csrf_exempt_anywhere():
    views = _views(get_resolver().url_patterns)
    exempt = {name for name, view in views if getattr(view, "csrf_exempt", False)}
    assert exempt == EXEMPT


def _csrf_client(world, role: str) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    user = world.user(role)
    if user is not None:
        client.force_login(User.objects.get(pk=user.pk))
    return client


def test_every_post_without_a_token_is_refused_for_every_role():
    """Every URL of the matrix (POST-only or not) and the admin/allauth samples: 403."""
    world = build_world()
    targets = [(row.label, row.path) for row in ROWS if not row.label.startswith("sign in")]
    accepted = []
    for label, path in targets:
        url = path(world)
        exempt = any(url.startswith(p) for p in ("/unsubscribe/", "/apply/unsubscribe/"))
        for role in ("anon", "member_a", "staff"):
            with rolled_back():
                response = _csrf_client(world, role).post(url, {"note": "x", "reason": "x"})
                if not exempt and response.status_code != 403:
                    accepted.append((label, role, response.status_code))
    for label, role, path in EXTRA_POSTS:
        with rolled_back():
            response = _csrf_client(world, role).post(path(world), {"email": "x@example.org"})
            if response.status_code != 403:
                accepted.append((label, role, response.status_code))
    assert not accepted


def test_the_same_post_with_the_token_gets_through():
    """The refusals above are CSRF, not something else: with the token it works."""
    world = build_world()
    client = _csrf_client(world, "member_a")
    client.get(reverse("meetings:calendar"))
    token = client.cookies["csrftoken"].value
    url = reverse("meetings:calendar_invitations")
    assert client.post(url, {"calendar_invitations": "on"}).status_code == 403
    data = {"calendar_invitations": "on", "csrfmiddlewaretoken": token}
    assert client.post(url, data).status_code == 302
    assert MemberSettings.objects.get(user=world.a1).calendar_invitations


# -- the exempt views can only unsubscribe ------------------------------------------------

EVERYTHING = {
    "calendar_invitations": "on",
    "meeting_reminders": "on",
    "preparation_reminders": "on",
    "display_name": "Hacked",
    "email": "evil@example.org",
    "language": "en",
    "preference": "hot_seat_changes",
    "user": "1",
}


def _settings_row(user) -> dict:
    return MemberSettings.objects.filter(user=user).values().get()


def test_member_unsubscribe_turns_off_exactly_one_preference_whatever_is_posted():
    world = build_world()
    a1 = world.a1
    MemberSettings.objects.filter(user=a1).update(calendar_invitations=False)
    before = _settings_row(a1)
    user_before = User.objects.filter(pk=a1.pk).values().get()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("meetings:unsubscribe", args=[world.unsubscribe_token()]), EVERYTHING
    )
    assert response.status_code == 200
    assert _settings_row(a1) == {**before, "meeting_reminders": False}
    assert User.objects.filter(pk=a1.pk).values().get() == user_before
    assert "_auth_user_id" not in client.session  # nobody is signed in by it
    for other in (world.a2, world.b1):
        assert not MemberSettings.objects.filter(user=other, meeting_reminders=False).exists()


def test_member_unsubscribe_get_changes_nothing_and_never_turns_anything_on():
    world = build_world()
    url = reverse("meetings:unsubscribe", args=[world.unsubscribe_token()])
    Client(enforce_csrf_checks=True).get(url, EVERYTHING)
    assert _settings_row(world.a1)["meeting_reminders"] is True
    Client(enforce_csrf_checks=True).post(url)
    Client(enforce_csrf_checks=True).post(url, EVERYTHING)  # again: stays off
    assert _settings_row(world.a1)["meeting_reminders"] is False


def test_member_unsubscribe_refuses_other_signed_tokens():
    world = build_world()
    for token in (
        world.manage_token(),
        world.interest_token(signing.INTEREST_UNSUBSCRIBE),
        preferences.unsubscribe_token(user_id=world.a1.pk, preference="meeting_reminders")[:-2],
    ):
        url = reverse("meetings:unsubscribe", args=[token])
        assert Client(enforce_csrf_checks=True).post(url, EVERYTHING).status_code == 400
    assert _settings_row(world.a1)["meeting_reminders"] is True


def _signups() -> list:
    return list(InterestSignup.objects.order_by("pk").values())


def test_interest_unsubscribe_only_sets_unsubscribed_on_its_own_address():
    world = build_world()
    other = InterestSignup.objects.create(email="other@example.org")
    before = {row["id"]: row for row in _signups()}
    token = world.interest_token(signing.INTEREST_UNSUBSCRIBE)
    url = reverse("groups:interest_unsubscribe", args=[token])
    response = Client(enforce_csrf_checks=True).post(url, EVERYTHING)
    assert response.status_code == 200
    after = {row["id"]: row for row in _signups()}
    assert after[other.pk] == before[other.pk]
    mine = after[world.signup.pk]
    assert mine["unsubscribed_at"] is not None
    assert {**mine, "unsubscribed_at": None} == before[world.signup.pk]


def test_interest_unsubscribe_refuses_tokens_made_for_anything_else():
    """A confirm link or an application's manage link cannot act through the exempt view."""
    world = build_world()
    before_signups, before_apps = _signups(), Application.objects.count()
    for token in (world.interest_token(signing.INTEREST_CONFIRM), world.manage_token()):
        url = reverse("groups:interest_unsubscribe", args=[token])
        assert Client(enforce_csrf_checks=True).post(url, EVERYTHING).status_code == 404
    assert _signups() == before_signups
    assert Application.objects.count() == before_apps
