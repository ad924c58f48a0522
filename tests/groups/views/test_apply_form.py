"""Every field of the application form: validation, length limits, Unicode, escaping."""

import pytest
from django.urls import reverse
from django.utils import translation

from groups import signing
from groups.forms.apply import ApplicationForm
from groups.models import Application
from groups.slots import availability_summary
from tests.factories import ApplicationFactory
from tests.groups.helpers import ESCAPED, XSS, form_data

pytestmark = pytest.mark.django_db


def errors_for(intake, **overrides):
    form = ApplicationForm(form_data(**overrides), intake=intake)
    form.is_valid()
    return form.errors


def test_valid_data_passes(intake):
    assert errors_for(intake) == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("email", ""),
        ("email", "not-an-email"),
        ("email", "a@b"),
        ("about", ""),
        ("expectations", ""),
        ("availability", None),
        ("availability", ["sat-19"]),
        ("availability", ["mon-17"]),
        ("topics", ["Astrologie"]),
        ("time_zone", "Mars/Olympus"),
        ("time_zone", ""),
        ("language", "fr"),
        ("consent", None),
    ],
)
def test_invalid_field_is_rejected_with_a_message(intake, field, value):
    errors = errors_for(intake, **{field: value})
    assert field in errors
    assert all(str(message) for message in errors[field])


def test_no_topic_at_all_is_rejected_but_own_topic_alone_is_fine(intake):
    assert "topics" in errors_for(intake, topics=None, topics_other="")
    assert errors_for(intake, topics=None, topics_other="Steuern, Buchhaltung") == {}


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name", 100), ("about", 2000), ("expectations", 2000), ("topics_other", 200)],
)
def test_text_fields_accept_their_limit_and_reject_one_more(intake, field, limit):
    assert errors_for(intake, **{field: "ä" * limit}) == {}
    assert field in errors_for(intake, **{field: "ä" * (limit + 1)})


def test_overlong_email_is_rejected(intake):
    assert "email" in errors_for(intake, email="a" * 250 + "@example.org")


def test_invalid_post_saves_nothing_and_shows_errors(client, intake):
    response = client.post(intake.get_absolute_url(), form_data(name="", consent=None))
    assert response.status_code == 200
    assert Application.objects.count() == 0
    assert 'class="errorlist' in response.content.decode()


@pytest.mark.parametrize(
    "text",
    [
        "Jörg Weiß-Größe",
        "Zoë 🚀 Kaffee ☕",
        "مرحبا بالعالم",
        "שלום עולם",
        "Łukasz Żółć",
        "名前",
    ],
)
def test_odd_unicode_is_stored_exactly(client, intake, text):
    response = client.post(
        intake.get_absolute_url(),
        form_data(name=text, about=f"{text}\nZeile zwei", topics_other=text, expectations=text),
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.name == text
    assert application.about == f"{text}\nZeile zwei"
    assert application.all_topics[-1] == text


def test_decomposed_umlauts_are_normalised(intake):
    form = ApplicationForm(form_data(name="Jo\u0308rg"), intake=intake)
    assert form.is_valid()
    assert form.cleaned_data["name"] == "Jörg"


@pytest.mark.parametrize("bad", ["Jörg\x00", "Jörg\x1b[31m", "Jörg\nWeiß", "a\x7fb"])
def test_control_characters_are_rejected_cleanly(client, intake, bad):
    response = client.post(intake.get_absolute_url(), form_data(name=bad))
    assert response.status_code == 200
    assert Application.objects.count() == 0


def test_email_is_stored_lower_case(client, intake):
    client.post(intake.get_absolute_url(), form_data(email="Joerg.W@Example.ORG"))
    assert Application.objects.get().email == "joerg.w@example.org"


def test_availability_is_stored_in_weekly_order(intake):
    form = ApplicationForm(form_data(availability=["fri-20", "mon-18", "wed-19"]), intake=intake)
    assert form.is_valid()
    assert form.cleaned_data["availability"] == ["mon-18", "wed-19", "fri-20"]


def test_availability_reads_as_weekdays_and_times():
    with translation.override("en"):
        assert availability_summary(["tue-19", "tue-20", "mon-18"]) == "Mon 18:00; Tue 19:00, 20:00"
        assert (
            availability_summary(["wed-19"], "America/New_York") == "Wed 19:00 (America/New_York)"
        )


# --- XSS: applicant text is escaped on every public page ---------------------------------


@pytest.mark.parametrize("payload", range(len(XSS)))
@pytest.mark.parametrize("field", ["name", "about", "topics_other", "expectations"])
def test_xss_in_a_rejected_form_is_escaped(client, intake, payload, field):
    overrides = {field: XSS[payload], "consent": None}
    body = client.post(intake.get_absolute_url(), form_data(**overrides)).content.decode()
    assert XSS[payload] not in body
    assert ESCAPED[payload] in body


@pytest.mark.parametrize("payload", range(len(XSS)))
def test_xss_in_every_field_is_escaped_on_edit_confirm_and_withdraw_pages(client, intake, payload):
    text = XSS[payload]
    application = ApplicationFactory(
        intake=intake, name=text, about=text, topics_other=text, expectations=text, topics=[text]
    )
    manage = signing.make(signing.APPLICATION_MANAGE, pk=application.pk, email=application.email)
    confirm = signing.make(signing.APPLICATION_CONFIRM, pk=application.pk, email=application.email)
    application.confirmed_at = None
    application.save()
    pages = [
        client.get(reverse("groups:application_edit", args=[manage])),
        client.get(reverse("groups:application_withdraw", args=[manage])),
        client.post(reverse("groups:application_confirm", args=[confirm])),
    ]
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200
        assert text not in body
        assert ESCAPED[payload] in body


def test_xss_in_the_intake_title_is_escaped(client, intake):
    intake.title = XSS[1]
    intake.save()
    body = client.get(intake.get_absolute_url()).content.decode()
    assert XSS[1] not in body
