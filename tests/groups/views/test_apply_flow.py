"""Applying: double opt-in, edit and withdraw links, duplicates, honeypot, rate limit."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from groups import signing
from groups.models import Application
from groups.services import applications
from mastermind.outbox.models import Notification
from tests.factories import ApplicationFactory
from tests.groups.helpers import ESCAPED, XSS, deliver_pending, form_data, html_of, links_in

pytestmark = pytest.mark.django_db


def without_csrf(response) -> str:
    return re.sub(r'value="[^"]+"', "", response.content.decode())


def apply(client, intake, **overrides):
    headers = {k: overrides.pop(k) for k in list(overrides) if k.startswith("HTTP_")}
    return client.post(
        reverse("groups:apply", args=[intake.slug]), form_data(**overrides), **headers
    )


def test_submitting_saves_an_unconfirmed_application_and_emails_a_confirm_link(client, intake):
    response = apply(client, intake)
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:apply_thanks", args=[intake.slug])
    application = Application.objects.get()
    assert application.email == "joerg@example.org"
    assert application.confirmed_at is None
    assert application.availability == ["tue-19", "wed-20"]
    assert application.consent_version == "2026-11"
    assert application.consented_at is not None
    sent = deliver_pending()
    assert [m.to for m in sent] == [["joerg@example.org"]]
    paths = links_in(sent[0])
    assert any(p.startswith("/apply/confirm/") for p in paths)
    assert any(p.startswith("/apply/edit/") for p in paths)
    assert any(p.startswith("/apply/withdraw/") for p in paths)
    assert "Jörg Weiß" in sent[0].body


def test_confirm_link_shows_a_button_and_confirms_only_on_post(client, intake):
    apply(client, intake)
    confirm = next(p for p in links_in(deliver_pending()[0]) if "/confirm/" in p)
    page = client.get(confirm)
    assert page.status_code == 200
    assert Application.objects.get().confirmed_at is None
    done = client.post(confirm)
    assert done.status_code == 200
    assert Application.objects.get().confirmed_at is not None
    body = done.content.decode()
    assert "/apply/edit/" in body and "/apply/withdraw/" in body


def test_confirm_link_expires_after_seven_days(client, intake):
    apply(client, intake)
    confirm = next(p for p in links_in(deliver_pending()[0]) if "/confirm/" in p)
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, seconds=1), tick=False):
        response = client.post(confirm)
    assert response.status_code == 410
    assert Application.objects.get().confirmed_at is None


def test_tampered_link_is_refused(client, intake):
    apply(client, intake)
    confirm = next(p for p in links_in(deliver_pending()[0]) if "/confirm/" in p)
    assert client.post(confirm[:-3] + "xx/").status_code == 404
    assert Application.objects.get().confirmed_at is None


def test_confirm_token_does_not_work_as_edit_token(client, intake):
    application = ApplicationFactory(intake=intake)
    token = signing.make(signing.APPLICATION_CONFIRM, pk=application.pk, email=application.email)
    assert client.get(reverse("groups:application_edit", args=[token])).status_code == 404


def test_applying_again_with_the_same_email_sends_the_edit_link_and_answers_the_same(
    client, intake
):
    ApplicationFactory(intake=intake, email="joerg@example.org", name="Jörg Weiß")
    first = apply(client, intake, email="other@example.org")
    again = apply(client, intake, email="JOERG@Example.org", name="Someone else")
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert without_csrf(client.get(first["Location"])) == without_csrf(
        client.get(again["Location"])
    )
    assert Application.objects.filter(email__iexact="joerg@example.org").count() == 1
    assert Application.objects.get(email="joerg@example.org").name == "Jörg Weiß"
    sent = {m.to[0]: m for m in deliver_pending()}
    edit_mail = sent["joerg@example.org"]
    assert any(p.startswith("/apply/edit/") for p in links_in(edit_mail))
    assert not any(p.startswith("/apply/confirm/") for p in links_in(edit_mail))


def test_double_submit_creates_one_row_and_one_email(client, intake):
    apply(client, intake)
    apply(client, intake)
    assert Application.objects.count() == 1
    assert len(deliver_pending()) == 1


def test_reapplying_unconfirmed_later_resends_the_confirm_link(client, intake):
    apply(client, intake)
    deliver_pending()
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1), tick=False):
        apply(client, intake)
        sent = deliver_pending()
    assert len(sent) == 1
    assert any(p.startswith("/apply/confirm/") for p in links_in(sent[0]))
    assert Application.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_create_one_row(intake):
    import threading
    import time

    from django.db import OperationalError, connection

    barrier = threading.Barrier(2)
    outcomes, errors = [], []
    data = {**form_data(), "topics": ["SEO"], "availability": ["tue-19"]}

    def submit():
        try:
            barrier.wait()
            for attempt in range(50):
                try:
                    outcomes.append(applications.submit_application(intake=intake, data=data))
                    break
                except OperationalError:  # SQLite's shared-cache table lock: try again
                    time.sleep(0.01 * (attempt + 1))  # back off, or a loaded machine starves
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["created", "existing"]
    assert Application.objects.count() == 1
    assert Notification.objects.filter(kind="application_confirm").count() == 1


def test_honeypot_answers_like_success_but_saves_and_sends_nothing(client, intake):
    response = apply(client, intake, website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:apply_thanks", args=[intake.slug])
    assert Application.objects.count() == 0
    assert Notification.objects.count() == 0


def test_apply_form_has_a_labelled_honeypot_hidden_by_css(client, intake):
    body = client.get(reverse("groups:apply", args=[intake.slug])).content.decode()
    assert 'class="hp-field"' in body
    assert 'name="website"' in body
    assert "Leave this field empty" in body or "Lassen Sie dieses Feld leer" in body


def test_rate_limit_answers_429_and_saves_nothing(client, intake, monkeypatch):
    from groups.views import apply as views_apply

    monkeypatch.setattr(views_apply, "APPLY_RATE", (2, 3600))
    apply(client, intake, email="a@example.org")
    apply(client, intake, email="b@example.org")
    response = apply(client, intake, email="c@example.org", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "too often" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert not Application.objects.filter(email="c@example.org").exists()


def test_rate_limit_page_speaks_german(client, intake, monkeypatch):
    from groups.views import apply as views_apply

    monkeypatch.setattr(views_apply, "APPLY_RATE", (0, 3600))
    response = apply(client, intake)
    assert response.status_code == 429
    assert '<html lang="de">' in response.content.decode()


def test_rate_limit_counts_per_client_address(client, intake, monkeypatch):
    from groups.views import apply as views_apply

    monkeypatch.setattr(views_apply, "APPLY_RATE", (1, 3600))
    url = reverse("groups:apply", args=[intake.slug])
    assert client.post(url, form_data(), REMOTE_ADDR="10.0.0.1").status_code == 302
    assert client.post(url, form_data(), REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.post(url, form_data(), REMOTE_ADDR="10.0.0.2").status_code == 302


# --- edit and withdraw -------------------------------------------------------------------


def manage_link(application, kind):
    token = signing.make(signing.APPLICATION_MANAGE, pk=application.pk, email=application.email)
    return reverse(f"groups:application_{kind}", args=[token])


def test_edit_link_shows_the_application_and_saves_changes(client, intake):
    application = ApplicationFactory(intake=intake, name="Anna", topics=["SEO"])
    url = manage_link(application, "edit")
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="Anna"' in page.content.decode()
    response = client.post(url, form_data(name="Anna Maria", availability=["fri-18"]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.name == "Anna Maria"
    assert application.availability == ["fri-18"]
    assert application.email != "joerg@example.org"  # the address cannot be changed here


def test_edit_after_the_deadline_is_refused_with_a_clear_message(client, intake):
    application = ApplicationFactory(intake=intake, name="Anna")
    url = manage_link(application, "edit")
    with time_machine.travel(intake.deadline, tick=False):
        get = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        post = client.post(url, form_data(name="Changed"), HTTP_ACCEPT_LANGUAGE="en")
    assert get.status_code == post.status_code == 410
    assert "deadline has passed" in post.content.decode()
    application.refresh_from_db()
    assert application.name == "Anna"


def test_withdraw_asks_first_then_deletes_the_row(client, intake):
    application = ApplicationFactory(intake=intake)
    url = manage_link(application, "withdraw")
    assert client.get(url).status_code == 200
    assert Application.objects.filter(pk=application.pk).exists()
    assert client.post(url).status_code == 200
    assert not Application.objects.filter(pk=application.pk).exists()
    assert client.get(url).status_code == 404  # the link dies with the row


def test_withdraw_after_the_deadline_is_refused(client, intake):
    application = ApplicationFactory(intake=intake)
    with time_machine.travel(intake.deadline + dt.timedelta(seconds=1), tick=False):
        assert client.post(manage_link(application, "withdraw")).status_code == 410
    assert Application.objects.filter(pk=application.pk).exists()


def test_edit_link_email_expires_at_the_deadline(intake):
    application = ApplicationFactory(intake=intake, email="x@example.org")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1), tick=False):
        applications.submit_application(intake=intake, data=form_data(email="x@example.org"))
    with time_machine.travel(intake.deadline, tick=False):
        assert deliver_pending() == []
    notification = Notification.objects.get(application=application)
    assert notification.status == "expired"


def test_edit_link_email_html_escapes_the_applicants_name(intake):
    ApplicationFactory(intake=intake, email="x@example.org", name=XSS[1])
    applications.submit_application(intake=intake, data=form_data(email="x@example.org"))
    (message,) = deliver_pending()
    assert XSS[1] not in html_of(message)
    assert ESCAPED[1] in html_of(message)


def test_confirmation_email_html_escapes_the_applicants_name(client, intake):
    apply(client, intake, name="<script>alert(1)</script>")
    message = deliver_pending()[0]
    html = html_of(message)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in message.body  # the text part is plain text
    assert mail.outbox[0].subject.startswith("Bitte") or "Mastermind Frühjahr" in (
        mail.outbox[0].subject
    )
