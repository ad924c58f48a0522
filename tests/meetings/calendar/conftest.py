"""Fixtures for the calendar tests (helpers are in tests/meetings/calendar/helpers.py)."""

import pytest
import time_machine

from tests.meetings.calendar.helpers import NOW


@pytest.fixture
def frozen():
    """The clock stands still at ``NOW`` (Wednesday 10 March 2027, 12:00 in Berlin)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
