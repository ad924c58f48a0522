"""Decisions: emailed once per decision, in the applicant's language; corrections on purpose."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Application, ApplicationStatus
from groups.services import applications
from mastermind.outbox.models import Notification
from tests.factories import ApplicationFactory, StaffFactory
from tests.groups.helpers import ESCAPED, XSS, deliver_pending, html_of

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:groups_application_changelist"


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory(language="en"))
    return client


def send_via_admin(client, *apps):
    return client.post(
        reverse(CHANGELIST),
        {
            "action": "send_decisions",
            "_selected_action": [a.pk for a in apps],
            "confirm_send_decisions": "yes",
        },
        follow=True,
    )


def test_send_decisions_twice_emails_each_decided_applicant_once(staff_client, intake):
    accepted = ApplicationFactory(intake=intake, status=ApplicationStatus.ACCEPTED)
    waitlisted = ApplicationFactory(intake=intake, status=ApplicationStatus.WAITLISTED)
    declined = ApplicationFactory(intake=intake, status=ApplicationStatus.DECLINED)
    undecided = ApplicationFactory(intake=intake)
    everyone = (accepted, waitlisted, declined, undecided)
    send_via_admin(staff_client, *everyone)
    first = deliver_pending()
    send_via_admin(staff_client, *everyone)
    second = deliver_pending()
    assert sorted(m.to[0] for m in first) == sorted(a.email for a in everyone[:3])
    assert second == []
    assert Notification.objects.filter(kind="decision").count() == 3
    accepted.refresh_from_db()
    assert accepted.decision_sent_status == ApplicationStatus.ACCEPTED
    assert accepted.decision_sent_at is not None
    assert accepted.decision_revision == 0


def test_service_run_twice_claims_nothing_the_second_time(intake):
    ApplicationFactory.create_batch(3, intake=intake, status=ApplicationStatus.ACCEPTED)
    queryset = Application.objects.filter(intake=intake)
    assert applications.send_decisions(applications=queryset) == 3
    assert applications.send_decisions(applications=queryset) == 0
    assert len(deliver_pending()) == 3


def test_unconfirmed_applications_get_no_decision(intake):
    ApplicationFactory(intake=intake, status=ApplicationStatus.ACCEPTED, confirmed_at=None)
    assert applications.send_decisions(applications=Application.objects.all()) == 0


def test_each_decision_has_its_own_wording(intake):
    for status in ("accepted", "waitlisted", "declined"):
        ApplicationFactory(intake=intake, status=status, language="en", name=status)
    applications.send_decisions(applications=Application.objects.all())
    bodies = {m.to[0]: m for m in deliver_pending()}
    texts = {a.status: bodies[a.email].body for a in Application.objects.all()}
    assert "is accepted" in texts["accepted"]
    assert "waiting list" in texts["waitlisted"]
    assert "could not find a place" in texts["declined"]


@pytest.mark.parametrize("language", ["de", "en"])
def test_decision_email_uses_the_applicants_language(intake, language):
    ApplicationFactory(intake=intake, status=ApplicationStatus.ACCEPTED, language=language)
    applications.send_decisions(applications=Application.objects.all())
    (message,) = deliver_pending()
    assert f'<html lang="{language}">' in html_of(message)
    assert message.subject


def test_changed_decision_shows_as_pending_and_is_resent_under_a_new_revision(staff_client, intake):
    application = ApplicationFactory(
        intake=intake, status=ApplicationStatus.WAITLISTED, language="en"
    )
    send_via_admin(staff_client, application)
    deliver_pending()
    application.refresh_from_db()
    application.status = ApplicationStatus.ACCEPTED
    application.save()
    body = staff_client.get(reverse(CHANGELIST), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Changed since sent (sent: Waitlisted)" in body
    send_via_admin(staff_client, application)
    (message,) = deliver_pending()
    assert "is accepted" in message.body
    application.refresh_from_db()
    assert application.decision_revision == 1
    assert application.decision_sent_status == ApplicationStatus.ACCEPTED
    assert not application.decision_pending
    keys = set(Notification.objects.values_list("dedup_key", flat=True))
    assert keys == {f"decision:{application.pk}:0", f"decision:{application.pk}:1"}


def test_decision_changed_before_delivery_is_skipped(intake):
    application = ApplicationFactory(intake=intake, status=ApplicationStatus.DECLINED)
    applications.send_decisions(applications=Application.objects.all())
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.ACCEPTED)
    assert deliver_pending() == []
    application.refresh_from_db()
    assert application.decision_pending


def test_not_yet_sent_decision_is_marked_in_the_list(staff_client, intake):
    ApplicationFactory(intake=intake, status=ApplicationStatus.ACCEPTED)
    body = staff_client.get(reverse(CHANGELIST), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not sent yet" in body


def test_intake_action_sends_decisions_for_the_whole_intake(staff_client, intake):
    ApplicationFactory.create_batch(2, intake=intake, status=ApplicationStatus.ACCEPTED)
    staff_client.post(
        reverse("admin:groups_intake_changelist"),
        {
            "action": "send_intake_decisions",
            "_selected_action": [intake.pk],
            "confirm_send_decisions": "yes",
        },
    )
    assert len(deliver_pending()) == 2


@pytest.mark.parametrize("payload", range(len(XSS)))
def test_decision_email_html_escapes_the_name(intake, payload):
    ApplicationFactory(intake=intake, status=ApplicationStatus.ACCEPTED, name=XSS[payload])
    applications.send_decisions(applications=Application.objects.all())
    (message,) = deliver_pending()
    assert XSS[payload] not in html_of(message)
    assert ESCAPED[payload] in html_of(message)
    assert XSS[payload] in message.body


def test_send_decisions_asks_first_with_the_counts_and_sends_nothing(staff_client, intake):
    ApplicationFactory.create_batch(2, intake=intake, status=ApplicationStatus.ACCEPTED)
    ApplicationFactory(intake=intake, status=ApplicationStatus.DECLINED)
    ApplicationFactory(intake=intake)  # undecided: not counted
    response = staff_client.post(
        reverse(CHANGELIST),
        {
            "action": "send_decisions",
            "_selected_action": list(Application.objects.values_list("pk", flat=True)),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This sends 3 decision emails now." in page
    assert "<td>Accepted</td><td>2</td>" in page and "<td>Declined</td><td>1</td>" in page
    assert Notification.objects.filter(kind="decision").count() == 0
    assert 'name="confirm_send_decisions" value="yes"' in page


def test_the_confirmation_warns_while_the_intake_is_still_open(staff_client, intake):
    intake.deadline = timezone.now() + dt.timedelta(days=21)
    intake.save()
    ApplicationFactory(intake=intake, status=ApplicationStatus.ACCEPTED)
    response = staff_client.post(
        reverse("admin:groups_intake_changelist"),
        {"action": "send_intake_decisions", "_selected_action": [intake.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "is still open for applications until" in response.content.decode()
    assert Notification.objects.filter(kind="decision").count() == 0


def test_bulk_status_counts_are_right_on_a_list_filtered_by_status(staff_client, intake):
    ApplicationFactory.create_batch(5, intake=intake)
    response = staff_client.post(
        reverse(CHANGELIST) + "?status__exact=new",
        {
            "action": "accept",
            "_selected_action": list(Application.objects.values_list("pk", flat=True)),
        },
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["5 applications marked as “Accepted”."]


@pytest.mark.parametrize("count", [1, 40])
def test_the_confirmation_runs_a_bounded_number_of_queries(
    staff_client, intake, django_assert_max_num_queries, count
):
    ApplicationFactory.create_batch(count, intake=intake, status=ApplicationStatus.ACCEPTED)
    selected = list(Application.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(12):
        response = staff_client.post(
            reverse(CHANGELIST), {"action": "send_decisions", "_selected_action": selected}
        )
    assert response.status_code == 200
