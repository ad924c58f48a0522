"""Fixtures for the whole suite, and the Hypothesis profiles.

Profiles decide how many examples each property tries; tests never hard-code a count
(a property whose examples are expensive asks for a fraction: ``tests.helpers.examples``).

* ``dev``, the default locally: random examples, remembered in .hypothesis/ when one fails.
* ``ci``, chosen when ``CI`` is set: a fixed (derandomised) set of examples, fewer of them,
  so a run is fast and never fails by luck; a failure prints the blob to reproduce it.
* ``thorough``: ten times the examples of ``dev``, for a deliberate deep run:
  ``pytest --hypothesis-profile=thorough``.

``--hypothesis-profile=...`` on the command line wins over ``CI`` (Hypothesis' pytest plugin
loads it after this file is imported).
"""

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from tests.factories import StaffFactory
from tests.helpers import on_ci

DEV_EXAMPLES = 100  # Hypothesis' own default

hypothesis_settings.register_profile("dev", max_examples=DEV_EXAMPLES)
hypothesis_settings.register_profile(
    "ci", max_examples=DEV_EXAMPLES // 4, derandomize=True, print_blob=True
)
hypothesis_settings.register_profile("thorough", max_examples=DEV_EXAMPLES * 10)
hypothesis_settings.load_profile("ci" if on_ci() else "dev")


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


@pytest.fixture
def staff_client(client):
    """The test client, signed in as an organiser (a staff user)."""
    client.force_login(StaffFactory())
    return client
