"""The empty application form is rendered once per intake, language and time zone."""

import re

import pytest
from django.test import Client

from groups.forms.apply import ApplicationForm
from mastermind.core.widgets import LongSelect
from tests.groups.helpers import form_data

pytestmark = pytest.mark.django_db


def count_renders(monkeypatch) -> list[int]:
    calls = []
    real = ApplicationForm.availability_grid
    monkeypatch.setattr(
        ApplicationForm, "availability_grid", lambda self: calls.append(1) or real(self)
    )
    return calls


def test_empty_form_is_rendered_once_and_then_served_from_the_cache(intake, monkeypatch):
    calls = count_renders(monkeypatch)
    Client().get(intake.get_absolute_url())
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(intake.get_absolute_url()).content.decode()
    assert calls == [1]
    assert 'name="availability" value="tue-19"' in page
    form = page[page.index(f'action="{intake.get_absolute_url()}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = {**form_data(), "csrfmiddlewaretoken": token}
    assert visitor.post(intake.get_absolute_url(), data).status_code == 302  # own CSRF token


def test_changed_topics_show_at_once(client, intake):
    client.get(intake.get_absolute_url())
    intake.topics = [*intake.topics, "Preisgestaltung"]
    intake.save()
    assert "Preisgestaltung" in client.get(intake.get_absolute_url()).content.decode()


def test_each_language_and_time_zone_gets_its_own_form(client, intake):
    english = client.get(intake.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    german = client.get(intake.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Your name" in english
    assert "Your name" not in german
    client.cookies["mm_tz"] = "America/New_York"
    body = client.get(intake.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<option value="America/New_York" selected>' in body


def test_form_with_errors_is_rendered_fresh_and_not_cached(client, intake, monkeypatch):
    client.get(intake.get_absolute_url())
    calls = count_renders(monkeypatch)
    response = client.post(intake.get_absolute_url(), form_data(name=""))
    assert response.status_code == 200
    assert calls == [1]
    assert 'class="errorlist' in response.content.decode()
    assert 'class="errorlist' not in client.get(intake.get_absolute_url()).content.decode()


def test_long_select_renders_escaped_options_with_the_selection():
    widget = LongSelect(choices=[("a&b", "A & B"), ("<c>", "C")])
    html = widget.render("zone", "<c>", attrs={"id": "id_zone", "required": True})
    assert html == (
        '<select id="id_zone" name="zone" required>'
        '<option value="a&amp;b">A &amp; B</option>'
        '<option value="&lt;c&gt;" selected>C</option></select>'
    )
