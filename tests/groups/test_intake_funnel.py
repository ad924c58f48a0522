"""Each intake's funnel on the organiser's home (issue 14): applied → confirmed → accepted →
placed → waitlist, with the deadline in the organiser's time and the next step linked."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from groups.models import ApplicationStatus
from groups.selectors import intake_funnels
from tests.factories import (
    ApplicationFactory,
    GroupFactory,
    IntakeFactory,
    MembershipFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)  # 10:00 in Berlin
DEADLINE = dt.datetime(2027, 1, 18, 22, 59, tzinfo=dt.UTC)  # 23:59 in Berlin


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _intake(**fields):
    fields.setdefault("opens_at", NOW - dt.timedelta(days=7))
    fields.setdefault("deadline", DEADLINE)
    return IntakeFactory(**fields)


def _funnel_round():
    """10 applications: 1 unconfirmed, 1 withdrawn, 8 confirmed (4 accepted of which 3
    placed, 2 waitlisted, 1 declined, 1 new)."""
    intake = _intake(title="Frühjahr")
    ApplicationFactory(intake=intake, confirmed_at=None)
    ApplicationFactory(intake=intake, withdrawn_at=NOW)
    accepted = ApplicationFactory.create_batch(4, intake=intake, status=ApplicationStatus.ACCEPTED)
    ApplicationFactory.create_batch(2, intake=intake, status=ApplicationStatus.WAITLISTED)
    ApplicationFactory(intake=intake, status=ApplicationStatus.DECLINED)
    ApplicationFactory(intake=intake)
    group = GroupFactory(intake=intake)
    for application in accepted[:3]:
        MembershipFactory(group=group, application=application)
    MembershipFactory(group=GroupFactory(), application=accepted[0])  # twice placed: once
    return intake


def test_funnel_counts_each_stage_once_per_application():
    intake = _funnel_round()
    ApplicationFactory.create_batch(3, intake=_intake(title="Other", slug="other"))
    (funnel,) = [f for f in intake_funnels() if f.intake == intake]
    assert (funnel.applied, funnel.confirmed, funnel.accepted) == (10, 8, 4)
    assert (funnel.placed, funnel.waitlisted) == (3, 2)
    assert funnel.phase == "open"


def test_funnels_are_two_queries_for_many_intakes(django_assert_num_queries):
    for n in range(5):
        ApplicationFactory.create_batch(2, intake=_intake(slug=f"i{n}"))
    with django_assert_num_queries(2):
        assert len(intake_funnels()) == 5


def test_the_round_is_intakes_with_a_deadline_ahead_or_in_the_last_90_days():
    _intake(slug="old", opens_at=NOW - dt.timedelta(days=200), deadline=NOW - dt.timedelta(days=91))
    recent = _intake(
        slug="recent", deadline=NOW - dt.timedelta(days=89), opens_at=NOW - dt.timedelta(days=120)
    )
    ahead = _intake(slug="ahead")
    assert [f.intake for f in intake_funnels()] == [ahead, recent]


def test_phases_follow_the_dates_and_the_groups():
    upcoming = _intake(slug="u", opens_at=NOW + dt.timedelta(days=1))
    closed = _intake(
        slug="c", opens_at=NOW - dt.timedelta(days=30), deadline=NOW - dt.timedelta(days=1)
    )
    grouped = _intake(
        slug="g", opens_at=NOW - dt.timedelta(days=30), deadline=NOW - dt.timedelta(days=2)
    )
    grouped.groups_created_at = NOW
    grouped.save()
    phases = {f.intake.slug: f.phase for f in intake_funnels()}
    assert phases == {upcoming.slug: "upcoming", closed.slug: "closed", grouped.slug: "grouped"}


def _home(client, language: str, zone: str = "Europe/Berlin") -> str:
    client.force_login(StaffFactory(language=language, time_zone=zone))
    with translation.override(language):
        page = client.get(reverse("admin:index")).content.decode()
    return page[page.index('id="home-intakes"') : page.index('id="content-main"')]


def test_the_home_shows_the_funnel_and_the_deadline_in_german(client):
    intake = _funnel_round()
    section = _home(client, "de")
    assert "Ausschreibungen dieser Runde" in section
    assert "Mo, 18.01.2027 23:59 (Europe/Berlin)" in section
    assert "Beworben" in section and "Eingeteilt" in section and "Warteliste" in section
    applications = reverse("admin:groups_application_changelist")
    for query, count in (
        (f"intake__id__exact={intake.pk}&amp;confirmed=all", 10),
        (f"intake__id__exact={intake.pk}", 8),
        (f"intake__id__exact={intake.pk}&amp;status__exact=accepted", 4),
        (f"intake__id__exact={intake.pk}&amp;status__exact=waitlisted", 2),
    ):
        assert f'<a href="{applications}?{query}">{count}</a>' in section
    assert "Bewerbungen prüfen" in section
    assert not re.search(r"\d{4}-\d{2}-\d{2}", section)


def test_the_home_shows_the_deadline_in_english_in_the_organisers_zone(client):
    _funnel_round()
    section = _home(client, "en", zone="America/New_York")
    assert "Mon, 01/18/2027 5:59 p.m. (America/New_York)" in section
    assert "Applied" in section and "Placed" in section


def test_a_closed_intake_leads_to_the_proposal(client):
    intake = _intake(opens_at=NOW - dt.timedelta(days=30), deadline=NOW - dt.timedelta(days=1))
    section = _home(client, "en")
    proposal = reverse("groups:intake_proposal", args=[intake.pk])
    assert f'<a href="{proposal}">Propose groups</a>' in section
    assert "Closed, no groups yet" in section


def test_without_intakes_the_home_offers_to_open_one(client):
    section = _home(client, "en")
    assert "No intake in this round yet." in section
    assert reverse("admin:groups_intake_add") in section
