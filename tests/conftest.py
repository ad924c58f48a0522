import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and cached pages live in the cache; every test starts empty."""
    cache.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's default language, whatever the previous one left."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
