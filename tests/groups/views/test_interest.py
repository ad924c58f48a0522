"""The interest list: double opt-in, announcement once per intake, one-click unsubscribe."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from groups import signing
from groups.models import InterestSignup
from groups.services import applications
from mastermind.outbox.models import Notification
from tests.factories import IntakeFactory, InterestSignupFactory, StaffFactory
from tests.groups.helpers import deliver_pending, html_of, links_in

pytestmark = pytest.mark.django_db


def join(client, email="neu@example.org", **extra):
    data = {"email": email, "language": "de", "website": "", **extra}
    return client.post(reverse("groups:interest"), data)


def test_joining_sends_a_confirm_link_and_confirming_needs_a_post(client):
    response = join(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:interest_thanks")
    signup = InterestSignup.objects.get()
    assert signup.confirmed_at is None
    (message,) = deliver_pending()
    assert message.to == ["neu@example.org"]
    (link,) = [p for p in links_in(message) if "/interest/confirm/" in p]
    assert client.get(link).status_code == 200
    signup.refresh_from_db()
    assert signup.confirmed_at is None
    assert client.post(link).status_code == 200
    signup.refresh_from_db()
    assert signup.confirmed_at is not None


def test_joining_twice_answers_the_same_and_sends_one_email(client):
    first = join(client)
    second = join(client, email="NEU@example.org")
    assert first["Location"] == second["Location"]
    assert InterestSignup.objects.count() == 1
    assert len(deliver_pending()) == 1


def test_confirmed_address_joining_again_gets_no_email(client):
    InterestSignupFactory(email="neu@example.org")
    assert join(client).status_code == 302
    assert deliver_pending() == []


def test_interest_honeypot_saves_nothing(client):
    response = join(client, website="spam")
    assert response["Location"] == reverse("groups:interest_thanks")
    assert InterestSignup.objects.count() == 0


def test_invalid_email_is_rejected_on_the_page(client):
    response = join(client, email="kaputt")
    assert response.status_code == 200
    assert InterestSignup.objects.count() == 0


def test_interest_rate_limit_answers_429(client, monkeypatch):
    from groups.views import apply as views_apply

    monkeypatch.setattr(views_apply, "INTEREST_RATE", (1, 60))
    join(client, email="a@example.org")
    response = join(client, email="b@example.org")
    assert response.status_code == 429
    assert InterestSignup.objects.count() == 1


def test_interest_confirm_link_expires(client):
    join(client)
    (link,) = [p for p in links_in(deliver_pending()[0]) if "/confirm/" in p]
    with time_machine.travel(timezone.now() + dt.timedelta(days=8), tick=False):
        assert client.post(link).status_code == 410


def announce(intake):
    return applications.announce_intake(intake=intake)


def test_announce_emails_confirmed_subscribers_once_per_intake():
    intake = IntakeFactory()
    InterestSignupFactory(email="ja@example.org")
    InterestSignupFactory(email="unbestaetigt@example.org", confirmed_at=None)
    InterestSignupFactory(email="weg@example.org", unsubscribed_at=timezone.now())
    assert announce(intake) == 1
    assert announce(intake) == 0
    sent = deliver_pending()
    assert [m.to for m in sent] == [["ja@example.org"]]
    assert announce(intake) == 0
    assert deliver_pending() == []
    key = Notification.objects.get().dedup_key
    assert key.startswith(f"intake_announcement:{intake.pk}:")
    intake.refresh_from_db()
    assert intake.announced_at is not None


def test_announcement_has_one_click_unsubscribe_headers_and_link(client):
    intake = IntakeFactory(title="<b>Runde</b>")
    signup = InterestSignupFactory(email="ja@example.org")
    announce(intake)
    (message,) = deliver_pending()
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<https://mastermind.test/apply/unsubscribe/")
    assert "<b>Runde</b>" not in html_of(message)
    path = header[len("<https://mastermind.test") : -1]
    assert path in html_of(message)
    # RFC 8058: the mail client POSTs without a CSRF token.
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    signup.refresh_from_db()
    assert signup.unsubscribed_at is not None


def test_unsubscribed_address_gets_no_later_announcement():
    signup = InterestSignupFactory(email="ja@example.org")
    announce(IntakeFactory())
    signup.unsubscribed_at = timezone.now()
    signup.save()
    assert deliver_pending() == []
    assert announce(IntakeFactory()) == 0


def test_unsubscribe_get_only_asks(client):
    signup = InterestSignupFactory()
    token = signing.make(signing.INTEREST_UNSUBSCRIBE, pk=signup.pk, email=signup.email)
    assert client.get(reverse("groups:interest_unsubscribe", args=[token])).status_code == 200
    signup.refresh_from_db()
    assert signup.unsubscribed_at is None


def test_rejoining_after_unsubscribing_needs_a_new_confirmation(client):
    InterestSignupFactory(email="neu@example.org", unsubscribed_at=timezone.now())
    join(client)
    signup = InterestSignup.objects.get()
    assert signup.unsubscribed_at is None and signup.confirmed_at is None
    assert len(deliver_pending()) == 1


def test_announcing_after_the_deadline_is_refused():
    intake = IntakeFactory()
    InterestSignupFactory()
    with time_machine.travel(intake.deadline, tick=False), pytest.raises(applications.IntakeClosed):
        announce(intake)


def test_admin_announce_action_queues_the_emails(client):
    intake = IntakeFactory()
    InterestSignupFactory.create_batch(3)
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:groups_intake_changelist"),
        {"action": "announce", "_selected_action": [intake.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Notification.objects.filter(kind="intake_announcement").count() == 3


@pytest.mark.parametrize("language", ["de", "en"])
def test_interest_page_renders_in_both_languages(client, language):
    response = client.get(reverse("groups:interest"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
