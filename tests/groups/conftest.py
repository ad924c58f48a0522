"""Fixtures for the groups tests (helpers to import are in tests/groups/helpers.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import IntakeFactory


@pytest.fixture
def intake(db):
    """An open intake, "fruehjahr", with five topics and ten days to its deadline."""
    return IntakeFactory(
        slug="fruehjahr",
        title="Mastermind Frühjahr",
        opens_at=timezone.now() - dt.timedelta(days=3),
        deadline=timezone.now() + dt.timedelta(days=10),
        topics=["Online Marketing", "SEO", "Podcasting", "E-Mail-Marketing", "Präsentation"],
    )
