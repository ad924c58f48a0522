"""The public intake pages: listing, pitch, deadline (exact and on DST days), languages."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from groups.models import Application
from groups.selectors import open_intakes
from tests.factories import ApplicationFactory, IntakeFactory
from tests.groups.helpers import form_data

pytestmark = pytest.mark.django_db
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_apply_list_without_open_intake_offers_the_interest_list(client):
    response = client.get(reverse("groups:intake_list"))
    assert response.status_code == 200
    assert f'action="{reverse("groups:interest")}"' in response.content.decode()


def test_apply_list_goes_straight_to_the_only_open_intake(client, intake):
    response = client.get(reverse("groups:intake_list"))
    assert response.status_code == 302
    assert response["Location"] == intake.get_absolute_url()


@pytest.mark.parametrize("count", [2, 20])
def test_apply_list_shows_every_open_intake_in_constant_queries(
    client, count, django_assert_max_num_queries
):
    IntakeFactory.create_batch(count)
    IntakeFactory(opens_at=timezone.now() - dt.timedelta(days=30), deadline=timezone.now())
    with django_assert_max_num_queries(2):
        response = client.get(reverse("groups:intake_list"))
    assert response.content.decode().count('class="card"') == count


def test_apply_list_shows_upcoming_intakes_when_none_is_open(client):
    IntakeFactory(
        title="Herbst",
        opens_at=timezone.now() + dt.timedelta(days=3),
        deadline=timezone.now() + dt.timedelta(days=30),
    )
    body = client.get(reverse("groups:intake_list")).content.decode()
    assert "Herbst" in body
    assert 'name="email"' in body


def test_open_intakes_are_ordered_by_deadline_and_exclude_closed_ones():
    now = timezone.now()
    late = IntakeFactory(deadline=now + dt.timedelta(days=20))
    soon = IntakeFactory(deadline=now + dt.timedelta(days=2))
    IntakeFactory(opens_at=now + dt.timedelta(days=1))
    IntakeFactory(opens_at=now - dt.timedelta(days=9), deadline=now)
    assert list(open_intakes()) == [soon, late]


@pytest.mark.parametrize("applications", [1, 50])
def test_apply_page_queries_do_not_grow_with_applications(
    client, intake, applications, django_assert_max_num_queries
):
    ApplicationFactory.create_batch(applications, intake=intake)
    with django_assert_max_num_queries(1):
        response = client.get(intake.get_absolute_url())
    assert response.status_code == 200


def test_apply_page_renders_the_pitch_as_sanitised_markdown(client, intake):
    intake.pitch = (
        "**Fett** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    intake.save()
    body = client.get(intake.get_absolute_url()).content.decode()
    assert "<strong>Fett</strong>" in body
    assert "<script>alert(1)</script>" not in body
    assert "javascript:" not in body
    assert "onerror" not in body


def test_apply_page_shows_the_form_with_an_availability_grid(client, intake):
    body = client.get(intake.get_absolute_url()).content.decode()
    assert body.count('name="availability"') == 15
    assert body.count("<legend") >= 7  # the grid, five weekdays, the topics
    assert 'value="mon-18"' in body and 'value="fri-20"' in body
    assert 'name="topics" value="Präsentation"' in body
    assert 'name="consent"' in body


def test_apply_page_preselects_the_visitors_time_zone(client, intake):
    client.cookies["mm_tz"] = "America/New_York"
    body = client.get(intake.get_absolute_url()).content.decode()
    assert '<option value="America/New_York" selected>' in body


@pytest.mark.parametrize(
    ("language", "words"),
    [("de", ["Bewerben", "Tage"]), ("en", ["Apply", "days", "Your application"])],
)
def test_apply_page_speaks_german_and_english(client, intake, language, words):
    body = client.get(intake.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}">' in body
    for word in words:
        assert word in body


def test_apply_page_shows_the_deadline_in_the_visitors_time_zone_with_time_left(client):
    deadline = dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC)
    intake = IntakeFactory(deadline=deadline)
    client.cookies["mm_tz"] = "America/New_York"
    with time_machine.travel(dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.UTC), tick=False):
        body = client.get(intake.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "30. November 2026 20:30" in body
    assert "America/New_York" in body
    assert "3\xa0Tage" in body


# --- the deadline, exact to the second, on daylight-saving days ---------------------------

# 02:30 happens twice in Berlin on 2026-10-25; fold=1 is the second time (CET, 01:30 UTC).
AMBIGUOUS = dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=1)
# On 2027-03-28 the clock jumps from 02:00 to 03:00; 03:00 CEST is 01:00 UTC.
SPRING = dt.datetime(2027, 3, 28, 3, 0, tzinfo=BERLIN)


@pytest.mark.parametrize("deadline", [AMBIGUOUS, SPRING], ids=["fall-back", "spring-forward"])
@pytest.mark.parametrize(
    ("offset", "saved"), [(-1, True), (0, False), (1, False)], ids=["before", "at", "after"]
)
def test_deadline_is_exact_to_the_second_on_dst_days(client, deadline, offset, saved):
    intake = IntakeFactory(opens_at=deadline - dt.timedelta(days=30), deadline=deadline)
    moment = deadline.astimezone(dt.UTC) + dt.timedelta(seconds=offset)
    with time_machine.travel(moment, tick=False):
        response = client.post(intake.get_absolute_url(), form_data())
    assert Application.objects.exists() is saved
    assert response.status_code == (302 if saved else 403)


def test_deadline_on_the_ambiguous_hour_is_the_second_0230(client):
    intake = IntakeFactory(opens_at=AMBIGUOUS - dt.timedelta(days=30), deadline=AMBIGUOUS)
    assert intake.deadline.astimezone(dt.UTC) == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
    first_0230 = dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=0)
    with time_machine.travel(first_0230, tick=False):
        assert intake.is_open()  # an hour before the deadline, at the first 02:30


def test_post_after_the_deadline_saves_nothing_and_says_why(client, intake):
    with time_machine.travel(intake.deadline + dt.timedelta(seconds=1), tick=False):
        response = client.post(intake.get_absolute_url(), form_data(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your application was not saved." in body
    assert "deadline for this intake has passed" in body
    assert Application.objects.count() == 0


def test_post_before_opening_saves_nothing_and_says_why(client):
    intake = IntakeFactory(opens_at=timezone.now() + dt.timedelta(days=1))
    response = client.post(intake.get_absolute_url(), form_data(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "not open for applications yet" in response.content.decode()
    assert Application.objects.count() == 0


def test_closed_intake_page_has_no_form_but_offers_the_interest_list(client, intake):
    with time_machine.travel(intake.deadline, tick=False):
        body = client.get(intake.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Applications closed on" in body
    assert 'name="availability"' not in body
    assert f'action="{reverse("groups:interest")}"' in body


def test_not_yet_open_page_says_when_it_opens(client):
    intake = IntakeFactory(opens_at=timezone.now() + dt.timedelta(days=1))
    body = client.get(intake.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Applications open on" in body
    assert 'name="availability"' not in body


def test_unknown_intake_is_404(client):
    assert client.get(reverse("groups:apply", args=["gibt-es-nicht"])).status_code == 404


def test_thanks_page_asks_to_check_the_inbox(client, intake):
    response = client.get(reverse("groups:apply_thanks", args=[intake.slug]))
    assert response.status_code == 200
