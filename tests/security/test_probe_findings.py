"""One test per finding of the independent probe (issue 18); each fails without its fix."""

from __future__ import annotations

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from groups.services.groups import ensure_member_account
from mastermind.accounts.models import FailedSignIn, User
from mastermind.privacy.services import delete_account
from meetings.models import Absence, Commitment, MemberSettings, Preparation
from meetings.services import preferences
from tests.factories import ApplicationFactory
from tests.security.helpers import client_for

pytestmark = pytest.mark.django_db

PASSWORD = "korrekt-Pferd-Batterie-42"
SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _assert_security_headers(response) -> None:
    missing = [h for h in SECURITY_HEADERS if h not in response]
    assert not missing, f"{response.status_code} answer without {missing}"


# 1. The admin sign-in is allauth's, with its rate limits -------------------------------


@pytest.fixture(name="organiser")
def organiser_fixture(world):
    world.staff.set_password(PASSWORD)
    world.staff.save()
    EmailAddress.objects.update_or_create(
        user=world.staff, email=world.staff.email, defaults={"verified": True, "primary": True}
    )
    return world.staff


def test_admin_login_takes_no_password_and_hands_over_to_the_rate_limited_sign_in(organiser):
    client = Client()
    for _ in range(8):
        client.post(reverse("admin:login"), {"username": organiser.email, "password": "falsch"})
    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": organiser.email, "password": PASSWORD},
    )
    assert not _signed_in(client), "the admin's own form signed in after 8 wrong passwords"
    assert response.status_code == 302
    assert response.url == reverse("account_login") + "?next=%2Fadmin%2F"


def test_the_sign_in_the_admin_uses_locks_after_five_wrong_passwords(organiser, caplog):
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": organiser.email, "password": "falsch"})
    assert "failed sign-in for" in caplog.text  # visible in the log
    client.post(reverse("account_login"), {"login": organiser.email, "password": PASSWORD})
    assert not _signed_in(client)


def test_failed_sign_ins_are_listed_for_the_organiser_in_the_admin(organiser, staff_client):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        client.post(reverse("account_login"), {"login": organiser.email, "password": "falsch"})
    client.post(reverse("account_login"), {"login": "nobody@example.com", "password": "x"})

    assert FailedSignIn.objects.filter(email=organiser.email).count() == 3
    assert FailedSignIn.objects.filter(address="203.0.113.7").count() == 4
    page = staff_client.get(reverse("admin:mastermind_failedsignin_changelist"))
    assert page.status_code == 200
    assert b"nobody@example.com" in page.content and b"203.0.113.7" in page.content
    # A record, not a form: nobody edits or invents one.
    row = FailedSignIn.objects.first()
    assert staff_client.get(reverse("admin:mastermind_failedsignin_add")).status_code == 403
    assert (
        staff_client.post(
            reverse("admin:mastermind_failedsignin_change", args=[row.pk]), {"email": "x"}
        ).status_code
        == 403
    )
    row.refresh_from_db()
    assert row.email != "x"


def test_failed_sign_ins_are_kept_thirty_days(organiser):
    client = Client()
    with time_machine.travel("2027-01-01 10:00Z", tick=False):
        client.post(reverse("account_login"), {"login": organiser.email, "password": "falsch"})
    with time_machine.travel("2027-01-31 09:00Z", tick=False):
        cache.clear()  # the rate limit's counters
        client.post(reverse("account_login"), {"login": organiser.email, "password": "falsch"})
    assert FailedSignIn.objects.count() == 2
    with time_machine.travel("2027-02-01 10:01Z", tick=False):
        cache.clear()
        client.post(reverse("account_login"), {"login": organiser.email, "password": "falsch"})
    assert [f.attempted_at.day for f in FailedSignIn.objects.all()] == [1, 31]


def test_a_signed_in_member_on_the_admin_login_gets_a_403_not_a_loop(world):
    response = client_for(world, "member_a").get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 403


# 2. Only the allauth pages the app uses are routed ---------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/password/set/",
        "/accounts/reauthenticate/",
    ],
)
def test_email_management_and_password_change_pages_do_not_exist(world, path):
    client = client_for(world, "member_a")
    name = "WIN A PRIZE: visit evil.example/claim, Greta"
    User.objects.filter(pk=world.a1.pk).update(display_name=name)
    before = EmailAddress.objects.count()
    assert client.get(path).status_code == 404
    response = client.post(path, {"action_add": "1", "email": "victim@example.net"})
    assert response.status_code == 404
    assert EmailAddress.objects.count() == before
    assert mail.outbox == []


def test_the_sign_in_pages_the_app_uses_are_still_there(world):
    client = Client()
    for name in ("account_login", "account_request_login_code", "account_reset_password"):
        assert client.get(reverse(name)).status_code == 200, name


# 3. A form body in another charset is a 400, not a 500 --------------------------------------

CHARSETS = ["utf8", "latin-1", "utf-16", "ascii", "cp1252", "no-such-charset"]


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("groups:apply", args=[w.intake.slug]),
        lambda w: reverse("account_login"),
        lambda w: reverse("account_request_login_code"),
        lambda w: reverse("admin:login"),
    ],
    ids=["apply", "login", "login-code", "admin-login"],
)
def test_a_form_post_declaring_another_charset_is_a_400_with_headers(world, url, charset):
    client = Client(raise_request_exception=False)
    response = client.generic(
        "POST",
        url(world),
        b"login=a%40example.org&password=x",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    _assert_security_headers(response)


def test_the_400_handler_never_reads_the_form_again(rf):
    from django.core.exceptions import BadRequest

    from mastermind.pages.errors import bad_request

    request = rf.post(
        "/x/", b"a=1", content_type="application/x-www-form-urlencoded; charset=ascii"
    )
    response = bad_request(request, BadRequest("must be UTF-8 encoded"))
    assert response.status_code == 400
    assert b"Bad request" in response.content or b"Ung" in response.content


# 4. A NUL in a cookie or a header is a 400 before the session is read --------------------


@pytest.mark.parametrize("cookie", ['sessionid="abcdefgh\\000x"', 'sessionid="abcdefgh\x00x"'])
@pytest.mark.parametrize("path", ["/healthz", "/", "/groups/"])
def test_a_nul_in_the_session_cookie_is_a_400(db, path, cookie, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get(path, HTTP_COOKIE=cookie)
    assert response.status_code == 400
    _assert_security_headers(response)


def test_a_nul_in_a_header_is_a_400(db):
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="de\x00")
    assert response.status_code == 400


# 5. One text policy: no control, bidi or invisible characters --------------------------------


@pytest.mark.parametrize("name", ["\u202eevil Greta", "Gre\u200bta", "Greta\u2028Garbo"])
def test_an_applications_name_is_cleaned_when_it_becomes_a_members_name(db, name):
    application = ApplicationFactory(name=name)
    user = ensure_member_account(application=application)
    assert user.display_name in ("evil Greta", "Greta", "Greta Garbo")


@pytest.mark.parametrize("text", ["a\x1b[31mred", "a\x07b", "abc\u202edcba", "a\u2066b\u2069"])
def test_absence_preparation_and_commitment_texts_refuse_control_and_bidi(world, text):
    client = client_for(world, "member_a")
    meeting = world.meeting_a
    before = (
        list(Absence.objects.values_list("note", flat=True)),
        list(Preparation.objects.values_list("story", flat=True)),
        list(Commitment.objects.values_list("text", flat=True)),
    )
    client.post(reverse("meetings:absence", args=[meeting.pk]), {"note": text})
    client.post(reverse("meetings:prepare", args=[meeting.pk]), {"story": text})
    client.post(reverse("meetings:commit", args=[world.past_a.pk]), {"text": text})
    after = (
        list(Absence.objects.values_list("note", flat=True)),
        list(Preparation.objects.values_list("story", flat=True)),
        list(Commitment.objects.values_list("text", flat=True)),
    )
    assert after == before


# 6. Admin changelists: bad selections and impossible dates are messages ----------------------


def _changelists_with_actions(request):
    for model, model_admin in admin.site._registry.items():
        if model_admin.get_actions(request):
            yield model, model_admin


def test_every_changelist_action_with_a_bad_selection_answers_with_a_message(world, rf):
    client = client_for(world, "staff")
    request = rf.get("/admin/")
    request.user = world.staff
    checked = 0
    for model, model_admin in _changelists_with_actions(request):
        action = next(iter(model_admin.get_actions(request)))
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.post(url, {"action": action, ACTION_CHECKBOX_NAME: "abc", "index": "0"})
        assert response.status_code == 302, f"{url} answered {response.status_code}"
        assert [str(m) for m in get_messages(response.wsgi_request)], url
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    "query", ["__year=9999", "__year=" + "9" * 30, "__year=2027&{field}__month=13"]
)
def test_every_date_hierarchy_with_an_impossible_date_answers_with_a_message(world, query):
    client = client_for(world, "staff")
    checked = 0
    for model, model_admin in admin.site._registry.items():
        field = model_admin.date_hierarchy
        if not field:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(f"{url}?{field}{query.format(field=field)}")
        assert response.status_code == 302, f"{url} answered {response.status_code}"
        checked += 1
    assert checked >= 3


# 7. Unsubscribe after deletion, caching of private pages, headers everywhere ----------------


def test_an_old_unsubscribe_link_of_a_deleted_account_changes_nothing(world):
    token = world.unsubscribe_token()
    delete_account(user=User.objects.get(pk=world.a1.pk))
    MemberSettings.objects.filter(user=world.a1).delete()  # whatever deletion left
    response = Client().post(reverse("meetings:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert not MemberSettings.objects.filter(user=world.a1).exists()
    assert not preferences.unsubscribe(user_id=world.a1.pk, preference="meeting_reminders")


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("groups:my_groups"),
        lambda w: w.meeting_a.get_absolute_url(),
        lambda w: reverse("meetings:profile"),
        lambda w: reverse("home"),
    ],
    ids=["groups", "meeting", "profile", "home"],
)
def test_signed_in_pages_are_private_and_not_stored(world, url):
    response = client_for(world, "member_a").get(url(world))
    assert response.status_code == 200
    cache_control = response.get("Cache-Control", "")
    assert "private" in cache_control and "no-store" in cache_control


def test_static_files_carry_the_security_headers(db, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    _assert_security_headers(response)


@pytest.mark.parametrize("path", ["/healthz?q=%00", "/no-such-page/"])
def test_error_answers_carry_the_security_headers(db, path):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code in (400, 404)
    _assert_security_headers(response)
