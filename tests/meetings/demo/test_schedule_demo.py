"""The demo seed gives every group a schedule, history and plans, and is idempotent."""

import pytest

from meetings.demo import schedules as demo
from meetings.models import Commitment, HotSeat, Meeting, Pause, Schedule
from tests.meetings.helpers import make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_demo_seed_is_idempotent_and_writes_history():
    first, _users = make_group(4)
    second, _users = make_group(4)
    demo.seed([])
    counts = [m.objects.count() for m in (Meeting, HotSeat, Commitment, Pause, Schedule)]
    demo.seed([])
    assert [m.objects.count() for m in (Meeting, HotSeat, Commitment, Pause, Schedule)] == counts
    assert Schedule.objects.get(group=first).weekday != Schedule.objects.get(group=second).weekday
    assert set(Pause.objects.values_list("name", flat=True)) == {"Sommerpause", "Weihnachtspause"}
    assert HotSeat.objects.filter(
        meeting__group=first, meeting__series_date__lt="2027-01-01"
    ).exists()
    assert Commitment.objects.filter(meeting__group=first).exists()
