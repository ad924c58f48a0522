"""Fixtures for the security tests (helpers to import are in tests/security/helpers.py)."""

import pytest

from tests.security.helpers import build_world


@pytest.fixture
def world(db):
    """Two groups, an open intake, staff and signed links: see ``build_world``."""
    return build_world()


@pytest.fixture
def no_rate_limits(settings):
    """The bad-input properties post far more often than a person could."""
    settings.RATELIMIT_ENABLED = False
