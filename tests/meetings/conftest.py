"""Fixtures for the meetings tests (helpers to import are in tests/meetings/helpers.py)."""

import pytest
import time_machine

from tests.meetings.helpers import NOW


@pytest.fixture
def clock():
    """The clock stands still at ``NOW`` (Monday 4 January 2027, 10:00 in Berlin)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
