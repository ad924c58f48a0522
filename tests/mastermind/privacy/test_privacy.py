import json

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Application, Membership
from mastermind.accounts.models import User
from mastermind.outbox.models import Notification
from meetings.models import Commitment, HotSeat, Preparation
from tests.factories import (
    ApplicationFactory,
    CommitmentFactory,
    HotSeatFactory,
    MeetingFactory,
    MembershipFactory,
    PreparationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_with_history():
    member = UserFactory(email="lena@example.org", display_name="Lena Löwe")
    membership = MembershipFactory(user=member)
    others = MembershipFactory.create_batch(3, group=membership.group)
    past = MeetingFactory(
        group=membership.group,
        starts_at=timezone.now() - timezone.timedelta(days=14),
    )
    HotSeatFactory(meeting=past, user=member)
    PreparationFactory(meeting=past, user=member, story="Mein <b>Geheimnis</b>")
    CommitmentFactory(meeting=past, user=member, text="Newsletter starten")
    ApplicationFactory(email="Lena@Example.org", name="Lena Löwe", user=member)
    return member, membership, others, past


def test_member_downloads_all_their_data_as_json(client, member_with_history):
    member, membership, _, _ = member_with_history
    client.force_login(member)
    response = client.get(reverse("privacy_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "lena@example.org"
    assert data["applications"][0]["name"] == "Lena Löwe"
    assert data["memberships"][0]["group"] == membership.group.name
    assert data["preparations"][0]["story"] == "Mein <b>Geheimnis</b>"
    assert data["commitments"][0]["text"] == "Newsletter starten"
    assert len(data["hot_seats"]) == 1


def test_export_requires_sign_in(client):
    response = client.get(reverse("privacy_export"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_deleting_the_account_erases_personal_data_and_keeps_anonymous_history(
    client, member_with_history, django_capture_on_commit_callbacks
):
    member, membership, _, past = member_with_history
    client.force_login(member)
    with django_capture_on_commit_callbacks():
        response = client.post(reverse("privacy_delete"), {"email": "LENA@example.org"})
    assert response.status_code == 302

    member.refresh_from_db()
    assert member.email == f"deleted-{member.pk}@deleted.invalid"
    assert member.display_name == ""
    assert not member.is_active
    assert not member.has_usable_password()
    assert not User.objects.filter(email__icontains="lena").exists()
    assert not Application.objects.filter(email__iexact="lena@example.org").exists()
    assert not Preparation.objects.filter(user=member).exists()
    assert not Commitment.objects.filter(user=member).exists()
    # History stays, anonymous: the past hot seat and the (closed) membership.
    assert HotSeat.objects.filter(user=member, meeting=past).exists()
    membership.refresh_from_db()
    assert membership.left_at is not None
    assert membership.about == ""
    assert Membership.objects.filter(pk=membership.pk).exists()
    # Signed out.
    assert "_auth_user_id" not in client.session


def test_the_group_is_told_only_that_a_member_left(client, member_with_history):
    member, _, others, _ = member_with_history
    client.force_login(member)
    client.post(reverse("privacy_delete"), {"email": "lena@example.org"})
    told = Notification.objects.filter(kind="member_left")
    assert sorted(n.email for n in told) == sorted(o.user.email for o in others)
    assert all("lena" not in json.dumps(n.payload).lower() for n in told)


def test_wrong_confirmation_deletes_nothing(client, member_with_history):
    member, *_ = member_with_history
    client.force_login(member)
    response = client.post(reverse("privacy_delete"), {"email": "someone@example.org"})
    assert response.status_code == 400
    assert "nicht die E-Mail-Adresse Ihres Kontos" in response.content.decode()
    member.refresh_from_db()
    assert member.email == "lena@example.org"
    assert member.is_active


def test_delete_needs_post(client, member_with_history):
    member, *_ = member_with_history
    client.force_login(member)
    assert client.get(reverse("privacy_delete")).status_code == 405
