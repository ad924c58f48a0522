"""The branded error pages: used with DEBUG off, viewable under /_errors/<status>/ with it on."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

TITLES = {  # only 404 is checked by title
    "de": {404: "Seite nicht gefunden"},
    "en": {404: "Page not found"},
}


@pytest.mark.parametrize("language", ["de", "en"])
def test_unknown_address_gets_the_branded_404_in_the_visitors_language(client, language):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert TITLES[language][404] in response.content.decode()
    assert 'class="site-header"' in response.content.decode()


@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_error_pages_can_be_looked_at_in_development(client, status):
    with override_settings(DEBUG=True):
        response = client.get(f"/_errors/{status}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    assert 'class="site-header"' in response.content.decode()


def test_error_preview_is_not_there_in_production(client):
    assert client.get("/_errors/500/").status_code == 404
