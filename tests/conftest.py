import os

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

# On CI the property tests replay a fixed set of examples, so a run never fails by luck;
# locally each run explores new ones (and Hypothesis remembers what it found).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
    hypothesis_settings.load_profile("ci")


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
