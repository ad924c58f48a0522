"""The withdraw and edit links of an application that led to a membership.

They change nothing any more; the page says which group she is in and offers the
member's "leave the group" flow instead (decision: see groups.services.applications).
"""

import pytest
from django.urls import reverse

from groups import services
from groups.models import Application, ApplicationStatus
from mastermind.outbox.models import Notification
from tests.factories import ApplicationFactory, GroupFactory, MembershipFactory
from tests.groups.helpers import form_data
from tests.groups.views.test_apply_flow import manage_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(intake):
    application = ApplicationFactory(intake=intake, name="Anna", status=ApplicationStatus.ACCEPTED)
    user = services.ensure_member_account(application=application)
    group = GroupFactory(intake=intake, name="Gruppe A")
    membership = MembershipFactory(group=group, user=user, application=application)
    return application, membership


@pytest.mark.parametrize("kind", ["withdraw", "edit"])
def test_link_of_a_placed_application_names_the_group_and_offers_leaving(
    client, placed, kind, django_assert_max_num_queries
):
    application, membership = placed
    with django_assert_max_num_queries(6):
        page = client.get(manage_link(application, kind), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 200
    assert "You are a member of Gruppe A" in body
    assert reverse("groups:leave_group", args=[membership.group_id]) in body
    assert "Yes, withdraw and delete" not in body


def test_withdrawing_a_placed_application_keeps_her_in_the_group(client, placed):
    application, membership = placed
    response = client.post(manage_link(application, "withdraw"), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 409
    assert "Sie sind Mitglied von Gruppe A" in response.content.decode()
    assert Application.objects.filter(pk=application.pk).exists()
    membership.refresh_from_db()
    assert membership.is_current
    assert not Notification.objects.filter(kind__startswith="member_left").exists()


def test_editing_a_placed_application_saves_nothing(client, placed):
    application, _membership = placed
    response = client.post(manage_link(application, "edit"), form_data(name="Changed"))
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.name == "Anna"


def test_after_leaving_the_link_points_to_deleting_the_account(client, placed):
    application, membership = placed
    services.leave_group(membership=membership)
    page = client.get(manage_link(application, "withdraw"), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert "You were a member of Gruppe A" in body
    assert reverse("privacy_delete") in body
    assert reverse("groups:leave_group", args=[membership.group_id]) not in body
