""" "Propose groups" in the background: one job at a time, an idempotent task, no stuck state.

The POST only records the job and queues ``groups.compute_proposal`` after commit; these
tests capture that on-commit callback (with ``delay`` recorded instead of published) and
run the task here, as a worker would.
"""

import datetime as dt
import logging

import pytest
import time_machine
from django.urls import reverse

from groups import tasks
from groups.models import Group
from groups.services import proposal_jobs, proposals
from tests.factories import StaffFactory
from tests.groups.helpers import accept, make_intake, propose
from tests.helpers import create_groups_post_data

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC)


@pytest.fixture(name="queued")
def queued_fixture(monkeypatch):
    """The (intake_id, token) of every task queued, instead of publishing it."""
    calls = []
    monkeypatch.setattr(tasks.compute_proposal, "delay", lambda *args: calls.append(args))
    return calls


@pytest.fixture(name="clock")
def clock_fixture():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def run_url(intake) -> str:
    return reverse("groups:proposal_run", args=[intake.pk])


def page_url(intake) -> str:
    return reverse("groups:intake_proposal", args=[intake.pk])


def post_run(client, intake, capture, data=None):
    """POST "Propose groups", running what it queues after commit; the callbacks."""
    with capture(execute=True) as callbacks:
        response = client.post(run_url(intake), data or {})
    assert response.status_code == 302
    intake.refresh_from_db()
    return callbacks


def job(intake) -> dict:
    intake.refresh_from_db()
    return intake.proposal["job"]


def test_post_stores_a_computing_job_and_queues_the_task_exactly_once(
    clock, staff_client, queued, django_capture_on_commit_callbacks
):
    intake = make_intake()
    accept(intake, 8)
    callbacks = post_run(staff_client, intake, django_capture_on_commit_callbacks)
    assert len(callbacks) == 1
    stored = job(intake)
    assert stored["state"] == "computing"
    assert dt.datetime.fromisoformat(stored["started_at"]) == NOW
    assert queued == [(intake.pk, stored["token"])]
    assert "groups" not in intake.proposal  # nothing matched inside the request


def test_the_task_stores_the_proposal_and_ends_the_job(
    clock, staff_client, queued, django_capture_on_commit_callbacks
):
    intake = make_intake()
    accept(intake, 9)
    post_run(staff_client, intake, django_capture_on_commit_callbacks, {"allow_off_size": "on"})
    ((intake_id, token),) = queued
    assert tasks.compute_proposal.apply(args=(intake_id, token), throw=True).get() == "stored"
    intake.refresh_from_db()
    assert "job" not in intake.proposal
    assert sorted(len(g["members"]) for g in intake.proposal["groups"]) == [4, 5]
    assert intake.proposal["allow_off_size"] is True


def test_a_stale_or_repeated_task_changes_nothing(
    clock, staff_client, queued, django_capture_on_commit_callbacks
):
    intake = make_intake()
    accept(intake, 8)
    post_run(staff_client, intake, django_capture_on_commit_callbacks)
    ((intake_id, token),) = queued
    before = dict(intake.proposal)
    assert proposal_jobs.compute_proposal(intake_id=intake_id, token="someone-else") == "stale"
    intake.refresh_from_db()
    assert intake.proposal == before

    assert proposal_jobs.compute_proposal(intake_id=intake_id, token=token) == "stored"
    intake.refresh_from_db()
    done = intake.proposal
    clock.shift(dt.timedelta(seconds=30))
    # A redelivery of the same message: the job it was for is gone, nothing is recomputed.
    assert proposal_jobs.compute_proposal(intake_id=intake_id, token=token) == "stale"
    intake.refresh_from_db()
    assert intake.proposal == done


def test_a_second_post_while_computing_queues_nothing(
    clock, staff_client, queued, django_capture_on_commit_callbacks
):
    intake = make_intake()
    accept(intake, 8)
    post_run(staff_client, intake, django_capture_on_commit_callbacks)
    token = job(intake)["token"]
    clock.shift(dt.timedelta(seconds=90))
    callbacks = post_run(staff_client, intake, django_capture_on_commit_callbacks)
    assert callbacks == []
    assert len(queued) == 1
    assert job(intake)["token"] == token
    body = staff_client.get(page_url(intake)).content.decode()
    assert "Der Vorschlag wird bereits berechnet." in body


def test_a_stuck_computation_can_be_restarted_and_its_old_task_stores_nothing(
    clock, staff_client, queued, django_capture_on_commit_callbacks
):
    intake = make_intake()
    accept(intake, 8)
    post_run(staff_client, intake, django_capture_on_commit_callbacks)
    old_token = job(intake)["token"]
    clock.shift(proposal_jobs.STUCK_AFTER + dt.timedelta(seconds=1))
    response = staff_client.get(page_url(intake))
    body = response.content.decode()
    assert response.context["job"] == "stuck"
    assert 'http-equiv="refresh"' not in body
    assert "wahrscheinlich abgebrochen" in body
    assert " disabled" not in body

    callbacks = post_run(staff_client, intake, django_capture_on_commit_callbacks)
    assert len(callbacks) == 1
    new_token = job(intake)["token"]
    assert new_token != old_token
    assert queued[-1] == (intake.pk, new_token)
    assert proposal_jobs.compute_proposal(intake_id=intake.pk, token=old_token) == "stale"
    assert job(intake)["token"] == new_token
    assert proposal_jobs.compute_proposal(intake_id=intake.pk, token=new_token) == "stored"


@pytest.mark.parametrize(
    ("language", "computing", "button"),
    [
        ("en", "Computing the proposal… this page refreshes by itself.", "Computing…"),
        (
            "de",
            "Der Vorschlag wird berechnet … die Seite lädt sich selbst neu.",
            "Wird berechnet …",
        ),
    ],
)
def test_the_page_shows_the_computing_state_refreshes_and_disables_the_button(
    clock, client, queued, django_capture_on_commit_callbacks, language, computing, button
):
    client.force_login(StaffFactory(language=language))
    intake = make_intake()
    accept(intake, 8)
    propose(client, intake)  # an earlier proposal stays on the page meanwhile
    post_run(client, intake, django_capture_on_commit_callbacks)
    body = client.get(page_url(intake), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert computing in body
    assert '<meta http-equiv="refresh" content="3">' in body
    assert f'disabled aria-disabled="true">{button}</button>' in body
    # Nothing to act on until the new proposal is there: no moves, no creating groups.
    assert reverse("groups:proposal_move", args=[intake.pk]) not in body
    assert reverse("meetings:create_groups", args=[intake.pk]) not in body
    assert "Anna Adler" in body  # the previous proposal's groups

    tasks.compute_proposal.apply(args=queued[0], throw=True)
    body = client.get(page_url(intake), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert computing not in body
    assert 'http-equiv="refresh"' not in body
    assert " disabled" not in body
    assert reverse("meetings:create_groups", args=[intake.pk]) in body


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The proposal could not be computed; try again."),
        ("de", "Der Vorschlag konnte nicht berechnet werden; bitte versuchen Sie es erneut."),
    ],
)
def test_an_error_is_logged_and_shown_and_the_previous_proposal_kept(
    clock, client, queued, django_capture_on_commit_callbacks, monkeypatch, caplog, language, text
):
    client.force_login(StaffFactory(language=language))
    intake = make_intake()
    accept(intake, 8)
    propose(client, intake)
    previous = intake.proposal["groups"]
    post_run(client, intake, django_capture_on_commit_callbacks)

    def broken(*args, **kwargs):
        raise RuntimeError("the matching broke")

    monkeypatch.setattr(proposals, "build_proposal", broken)
    with caplog.at_level(logging.ERROR, logger="groups.services.proposal_jobs"):
        assert tasks.compute_proposal.apply(args=queued[0], throw=True).get() == "failed"
    assert "could not be computed" in caplog.text
    assert "the matching broke" in caplog.text
    assert job(intake)["state"] == "failed"
    assert intake.proposal["groups"] == previous
    body = client.get(page_url(intake), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert text in body
    assert 'http-equiv="refresh"' not in body
    assert " disabled" not in body
    # Trying again starts a new job at once.
    assert len(post_run(client, intake, django_capture_on_commit_callbacks)) == 1
    assert job(intake)["state"] == "computing"


def test_a_broker_that_refuses_the_task_fails_the_job_at_once(
    clock, staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.compute_proposal, "delay", refuse)
    intake = make_intake()
    accept(intake, 8)
    post_run(staff_client, intake, django_capture_on_commit_callbacks)
    assert job(intake)["state"] == "failed"


def test_a_task_after_the_groups_were_created_changes_nothing(
    clock, staff_client, queued, django_capture_on_commit_callbacks
):
    intake = make_intake()
    accept(intake, 9)
    propose(staff_client, intake)
    post_run(staff_client, intake, django_capture_on_commit_callbacks)
    # The organiser had the create page open from before and confirms it now.
    data = create_groups_post_data(staff_client, intake)
    staff_client.post(reverse("meetings:create_groups", args=[intake.pk]), data)
    assert Group.objects.count() == 2
    intake.refresh_from_db()
    before = intake.proposal
    assert tasks.compute_proposal.apply(args=queued[0], throw=True).get() == "stale"
    intake.refresh_from_db()
    assert intake.proposal == before


def test_no_new_job_once_the_groups_are_created(staff_client, queued):
    intake = make_intake(groups_created_at=NOW)
    response = staff_client.post(run_url(intake), follow=True)
    assert list(response.context["messages"])
    intake.refresh_from_db()
    assert not intake.proposal
    assert queued == []


@pytest.mark.parametrize("count", [4, 40])
def test_the_page_while_computing_has_a_bounded_query_count(
    clock, staff_client, queued, count, django_assert_max_num_queries
):
    intake = make_intake()
    accept(intake, count)
    propose(staff_client, intake)
    proposal_jobs.request_proposal(intake=intake)
    with django_assert_max_num_queries(8):
        response = staff_client.get(page_url(intake))
    assert response.context["computing"]


def test_the_task_has_an_explicit_name():
    assert tasks.compute_proposal.name == "groups.compute_proposal"
