"""What withdrawing, leaving and ending mean downstream, at the groups layer.

An application that led to a membership can no longer be withdrawn or edited through its
link (leaving the group is the way out); a withdrawn or deleted application leaves its
emails in the notifications log; leaving tells the group and the organisers; ending a
group tells each member once.
"""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from groups import services
from groups.models import Application, ApplicationStatus, Membership
from groups.services import applications
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification, NotificationStatus
from tests.factories import (
    ApplicationFactory,
    GroupFactory,
    MembershipFactory,
    StaffFactory,
    UserFactory,
)
from tests.groups.helpers import deliver_pending, form_data

pytestmark = pytest.mark.django_db


def placed_application(intake, **fields):
    application = ApplicationFactory(intake=intake, status=ApplicationStatus.ACCEPTED, **fields)
    applications.send_decisions(applications=Application.objects.filter(pk=application.pk))
    user = services.ensure_member_account(application=application)
    membership = MembershipFactory(group=GroupFactory(intake=intake), user=user)
    Membership.objects.filter(pk=membership.pk).update(application=application)
    membership.refresh_from_db()
    return application, membership


def test_withdrawing_a_placed_application_is_refused_and_changes_nothing(intake):
    application, membership = placed_application(intake)
    with pytest.raises(applications.ApplicationPlaced) as refused:
        applications.withdraw_application(application=application)
    assert refused.value.membership == membership
    assert Application.objects.filter(pk=application.pk).exists()
    membership.refresh_from_db()
    assert membership.is_current


def test_editing_a_placed_application_is_refused(intake):
    application, _membership = placed_application(intake, name="Anna")
    with pytest.raises(applications.ApplicationPlaced):
        applications.update_application(application=application, data=form_data(name="Bea"))
    application.refresh_from_db()
    assert application.name == "Anna"


def test_a_former_membership_still_counts_as_placed(intake):
    application, membership = placed_application(intake)
    services.leave_group(membership=membership)
    assert applications.placement(application) == membership
    with pytest.raises(applications.ApplicationPlaced):
        applications.withdraw_application(application=application)


def test_withdrawing_keeps_the_sent_emails_in_the_log_and_skips_the_unsent(intake):
    application = ApplicationFactory(intake=intake, status=ApplicationStatus.ACCEPTED)
    applications.send_decisions(applications=Application.objects.filter(pk=application.pk))
    deliver_pending()
    applications.submit_application(intake=intake, data=form_data(email=application.email))
    kinds = dict(Notification.objects.values_list("kind", "status"))
    assert kinds == {"decision": "sent", "application_edit_link": "pending"}

    applications.withdraw_application(application=application)

    assert not Application.objects.filter(pk=application.pk).exists()
    rows = {n.kind: n for n in Notification.objects.all()}
    assert set(rows) == {"decision", "application_edit_link"}
    assert rows["decision"].status == NotificationStatus.SENT
    assert rows["decision"].email == application.email
    assert rows["decision"].subject_id is None
    assert rows["decision"].payload == {
        "status": "accepted",
        "detached_from": f"groups.application:{application.pk}",
    }
    assert rows["application_edit_link"].status == NotificationStatus.SKIPPED
    assert deliver_pending() == []


def test_deleting_applications_keeps_their_log(intake):
    application = ApplicationFactory(intake=intake, status=ApplicationStatus.DECLINED)
    applications.send_decisions(applications=Application.objects.filter(pk=application.pk))
    applications.delete_applications(applications=Application.objects.all())
    assert Notification.objects.get().kind == "decision"


@override_settings(ORGANISER_EMAILS=[])
def test_leaving_tells_the_group_and_every_organiser(intake):
    organiser = StaffFactory(language="en")
    StaffFactory(is_active=False)
    group = GroupFactory(name="Gruppe A")
    leaver = UserFactory(display_name="Lena Lang")
    membership = MembershipFactory(group=group, user=leaver)
    others = [MembershipFactory(group=group).user for _ in range(3)]

    services.leave_group(membership=membership, reason="Zu wenig Zeit")
    sent = deliver_pending()

    told = {m.to[0]: m for m in sent}
    assert set(told) == {organiser.email, *(u.email for u in others)}
    note = told[organiser.email]
    assert note.subject == "Lena Lang has left Gruppe A"
    assert "Zu wenig Zeit" in note.body
    assert "The group now has 3 members." in note.body
    assert f"/organise/groups/{group.pk}/" in note.body
    assert Notification.objects.filter(kind=EmailKind.MEMBER_LEFT).count() == 3


@override_settings(ORGANISER_EMAILS=["orga@example.org"])
def test_organiser_note_goes_to_the_configured_addresses_once_in_the_site_language():
    StaffFactory()
    membership = MembershipFactory()
    services.leave_group(membership=membership)
    (note,) = [m for m in deliver_pending() if m.to == ["orga@example.org"]]
    assert "hat" in note.subject and "verlassen" in note.subject  # German, the site language
    membership.refresh_from_db()
    # A repeated claim (e.g. the same event handled twice) sends nothing more.
    services.groups._tell_organisers_a_member_left(membership)
    assert deliver_pending() == []


def test_ending_a_group_tells_each_member_once():
    group = GroupFactory(name="Gruppe B")
    members = [MembershipFactory(group=group, user=UserFactory(language="en")) for _ in range(4)]
    MembershipFactory(group=group, left_at=timezone.now() - dt.timedelta(days=1))
    services.end_group(group=group)
    sent = deliver_pending()
    assert sorted(m.to[0] for m in sent) == sorted(m.user.email for m in members)
    assert {m.subject for m in sent} == {"Gruppe B has ended"}
    assert "upcoming meetings are cancelled" in sent[0].body
    mail.outbox.clear()
    assert deliver_pending() == []
