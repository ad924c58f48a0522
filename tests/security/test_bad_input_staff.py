"""Bad input in the organiser's forms (staff pages and the admin) never breaks anything.

The same property as in ``test_bad_input``: no 500, and a refused form saves nothing and
says what is wrong. Dates, times and zones get their own properties, because a broken one
hides behind any other broken field.
"""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.security.helpers import (
    DATES,
    FUZZ,
    INTAKE,
    JUNK,
    SCHEDULE,
    TIMES,
    ZONES,
    check_post,
    mangled,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limits")]

# -- staff forms ------------------------------------------------------------------------------

IDS = st.one_of(JUNK, st.integers().map(str))


@FUZZ
@given(data=mangled({"applicant": "1", "target": "0"}, {"applicant": IDS, "target": IDS}))
def test_proposal_move_survives_any_input(world, data):
    check_post(world, "staff", reverse("groups:proposal_move", args=[world.intake.pk]), data)


@FUZZ
@given(data=mangled({"first": "1", "kind": "apart", "second": "2"}, {"first": IDS, "second": IDS}))
def test_proposal_pin_survives_any_input(world, data):
    check_post(world, "staff", reverse("groups:proposal_pin", args=[world.intake.pk]), data)


@FUZZ
@given(
    data=mangled(
        {"action": "add", "application": "1", "membership": "1", "to_group": "1", "confirm": "on"},
        {"action": st.one_of(JUNK, st.sampled_from(["add", "move", "end"]))},
    )
)
def test_group_manage_survives_any_input(world, data):
    check_post(world, "staff", reverse("groups:group_manage", args=[world.group_a.pk]), data)


NUMBERS = st.one_of(JUNK, st.integers().map(str))


@FUZZ
@given(
    data=mangled(
        SCHEDULE,
        {
            "start_time": TIMES,
            "time_zone": ZONES,
            "first_date": DATES,
            "end_date": DATES,
            **{k: NUMBERS for k in SCHEDULE if k.endswith(("weeks", "minutes", "before", "days"))},
        },
    )
)
def test_admin_schedule_form_survives_any_input(world, data):
    if data.get("group") == "1":  # kept valid: the real id of group A
        data["group"] = world.group_a.pk
    check_post(world, "staff", reverse("admin:meetings_schedule_add"), data)


@FUZZ
@given(
    data=mangled(
        {"name": "Sommerpause", "group": "", "start_date": "2027-07-01", "end_date": "2027-08-31"},
        {"start_date": DATES, "end_date": DATES},
    )
)
def test_admin_pause_form_survives_any_input(world, data):
    check_post(world, "staff", reverse("admin:meetings_pause_add"), data)


@FUZZ
@given(
    data=mangled(
        {"date": "2031-05-06", "time": "19:00", "reason": "Feiertag"},
        {"date": DATES, "time": TIMES},
    )
)
def test_admin_move_meeting_survives_any_input(world, data):
    data |= {"action": "move_meeting", ACTION_CHECKBOX_NAME: world.meeting_a.pk, "apply": "1"}
    check_post(world, "staff", reverse("admin:meetings_meeting_changelist"), data)


@FUZZ
@given(first=DATES, end=DATES)
def test_admin_schedule_dates_survive_any_value(world, first, end):
    data = {**SCHEDULE, "group": world.group_a.pk, "first_date": first, "end_date": end}
    check_post(world, "staff", reverse("admin:meetings_schedule_add"), data)


@FUZZ
@given(start=TIMES, zone=ZONES)
def test_admin_schedule_times_and_zones_survive_any_value(world, start, zone):
    data = {**SCHEDULE, "group": world.group_a.pk, "start_time": start, "time_zone": zone}
    check_post(world, "staff", reverse("admin:meetings_schedule_add"), data)


@FUZZ
@given(day=DATES, start=TIMES)
def test_admin_move_meeting_survives_any_date_and_time(world, day, start):
    data = {"action": "move_meeting", ACTION_CHECKBOX_NAME: world.meeting_a.pk, "apply": "1"}
    data |= {"date": day, "time": start, "reason": "Feiertag"}
    check_post(world, "staff", reverse("admin:meetings_meeting_changelist"), data)


@FUZZ
@given(opens=DATES, opens_time=TIMES, deadline=DATES, deadline_time=TIMES)
def test_admin_intake_dates_survive_any_value(world, opens, opens_time, deadline, deadline_time):
    data = {**INTAKE, "opens_at_0": opens, "opens_at_1": opens_time}
    data |= {"deadline_0": deadline, "deadline_1": deadline_time}
    check_post(world, "staff", reverse("admin:groups_intake_add"), data)
