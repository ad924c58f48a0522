"""The apps' items on the organiser's attention list: decisions, reviews, swaps, schedules."""

import datetime as dt

import pytest
from django.db.models import F
from django.utils import translation

from groups.models import ApplicationStatus
from mastermind.ops.attention import items
from meetings.models import SwapRequest
from tests.factories import ApplicationFactory, IntakeFactory
from tests.meetings.helpers import NOW, future, make_group, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def texts(language="en") -> list[tuple[str, str, bool]]:
    with translation.override(language):
        return [(item.text, item.url, item.urgent) for item in items(NOW)]


def test_applications_waiting_for_a_decision_are_listed_and_urgent_after_the_deadline():
    open_intake = IntakeFactory(title="Sommer", deadline=NOW + dt.timedelta(days=5))
    closed = IntakeFactory(title="Frühjahr", deadline=NOW - dt.timedelta(days=2))
    for intake, count in ((open_intake, 2), (closed, 3)):
        for _ in range(count):
            ApplicationFactory(intake=intake, status=ApplicationStatus.NEW)
    ApplicationFactory(intake=closed, status=ApplicationStatus.NEW, confirmed_at=None)
    found = texts()
    assert (
        "3 applications to “Frühjahr” wait for your decision.",
        f"/admin/groups/application/?intake__id__exact={closed.pk}&status__exact=new",
        True,
    ) in found
    assert any(t.startswith("2 applications to “Sommer”") and not urgent for t, _u, urgent in found)
    assert any("3 Bewerbungen zu „Frühjahr“" in t for t, _u, _x in texts("de"))


def test_decisions_made_but_not_emailed_are_listed_until_sent():
    intake = IntakeFactory(title="Frühjahr", deadline=NOW - dt.timedelta(days=2))
    sent = ApplicationFactory(intake=intake, status=ApplicationStatus.ACCEPTED)
    sent.decision_sent_status = ApplicationStatus.ACCEPTED
    sent.save()
    ApplicationFactory(intake=intake, status=ApplicationStatus.DECLINED)
    assert "1 decision for “Frühjahr” is not emailed yet." in [t for t, _u, _x in texts()]
    intake.applications.update(decision_sent_status=F("status"))
    assert not any("not emailed" in t for t, _u, _x in texts())


def test_a_swap_nobody_answered_for_two_days_is_listed():
    group, users = make_group(3)
    make_schedule(group)
    first, second = future(group)[:2]
    swap = SwapRequest.objects.create(
        requester=users[0], requester_meeting=first, responder=users[1], responder_meeting=second
    )
    assert not any("swap" in t for t, _u, _x in texts())
    SwapRequest.objects.filter(pk=swap.pk).update(created_at=NOW - dt.timedelta(days=3))
    assert "1 swap request has waited more than two days for an answer." in [
        t for t, _u, _x in texts()
    ]


@pytest.mark.parametrize("intakes", [1, 20])
def test_the_items_take_the_same_queries_for_one_or_many_intakes(
    intakes, django_assert_max_num_queries
):
    for _ in range(intakes):
        intake = IntakeFactory(deadline=NOW - dt.timedelta(days=1))
        ApplicationFactory(intake=intake, status=ApplicationStatus.NEW)
    with django_assert_max_num_queries(10):
        assert len(items(NOW)) == intakes
