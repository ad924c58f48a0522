import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "Gemeinsam wachsen"), ("en", "Grow together")],
)
def test_home_speaks_the_browser_language(client, language, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert f'<html lang="{language}">' in response.content.decode()


def test_german_is_the_default_language(client):
    response = client.get("/")
    assert '<html lang="de">' in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/imprint/", "/privacy/", "/accounts/login/"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_public_pages_render_with_base_template(client, path, language):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="site-header"' in body
    assert reverse("imprint") in body
    assert reverse("privacy") in body


def test_language_switcher_sets_language_for_next_pages(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Grow together" in client.get("/").content.decode()


def test_language_switcher_stores_a_members_preference(client, django_user_model):
    user = django_user_model.objects.create_user("ada@example.org", language="de")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"


def test_language_switcher_ignores_foreign_redirects(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_static_css_is_served_from_our_own_origin(client):
    body = client.get("/").content.decode()
    assert "/static/css/app.css" in body
    assert "http://" not in body.split("<body")[0].replace("http://testserver", "")
