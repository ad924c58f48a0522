import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from groups import events, services
from groups.models import ApplicationStatus, Group, GroupStatus, Membership, PinKind
from groups.services import proposals
from mastermind.accounts.models import User
from mastermind.outbox.models import Notification
from tests.factories import (
    ApplicationFactory,
    GroupFactory,
    IntakeFactory,
    MembershipFactory,
    StaffFactory,
    UserFactory,
)
from tests.groups.helpers import accept, make_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    calls = []

    def receiver(sender, group_id, **kwargs):
        calls.append(group_id)

    signals = (events.membership_opened, events.membership_closed, events.group_ended)
    for signal in signals:
        signal.connect(receiver)
    yield calls
    for signal in signals:
        signal.disconnect(receiver)


def proposed(count=9, **kwargs):
    intake = make_intake(**kwargs)
    people = accept(intake, count)
    proposals.run_matching(intake=intake)
    intake.refresh_from_db()
    return intake, people


def test_create_groups_makes_groups_accounts_and_memberships(
    django_capture_on_commit_callbacks, received
):
    intake, people = proposed(9, title="Frühjahr 2027")
    with django_capture_on_commit_callbacks(execute=True):
        groups = services.create_groups(intake=intake, by=StaffFactory())
    # "Gruppe A – …" once the German catalogue has the msgid; the letter and title always.
    assert [g.name[-17:] for g in groups] == ["A – Frühjahr 2027", "B – Frühjahr 2027"]
    assert all(g.time_zone == intake.time_zone and g.intake == intake for g in groups)
    # No meeting time in the description: the group page shows the schedule itself.
    assert "19:00" not in groups[0].description
    assert Membership.objects.count() == 9
    person = people[0]
    person.refresh_from_db()
    membership = Membership.objects.get(application=person)
    assert membership.user == person.user
    assert membership.topics == person.all_topics
    assert membership.about == person.about
    assert person.user.display_name == person.name
    assert person.user.language == person.language
    assert EmailAddress.objects.get(user=person.user).verified is True
    assert not person.user.has_usable_password()
    intake.refresh_from_db()
    assert intake.groups_created_at is not None
    assert sorted(received) == sorted(g.pk for g in groups)


def test_create_groups_reuses_an_existing_account_by_email_in_any_case():
    intake = make_intake()
    existing = UserFactory(email="anna@example.org", display_name="Anna", verified=False)
    EmailAddress.objects.create(user=existing, email=existing.email, verified=False)
    (anna,) = accept(intake, 1)
    anna.email = "Anna@Example.org"
    anna.save()
    accept(intake, 3)
    proposals.run_matching(intake=intake)
    services.create_groups(intake=intake, by=None)
    anna.refresh_from_db()
    assert anna.user == existing
    assert User.objects.filter(email__iexact="anna@example.org").count() == 1
    assert EmailAddress.objects.get(user=existing).verified is True


def test_second_create_creates_nothing_and_claims_no_second_welcome():
    intake, _people = proposed(9)
    services.create_groups(intake=intake, by=None)
    with pytest.raises(services.GroupsError):
        services.create_groups(intake=intake, by=None)
    assert Group.objects.count() == 2
    assert Membership.objects.count() == 9
    keys = list(Notification.objects.values_list("dedup_key", flat=True))
    assert len(keys) == 9
    assert sorted(keys) == sorted(f"welcome:{m.pk}" for m in Membership.objects.all())


def test_create_refuses_a_proposal_with_a_withdrawn_member():
    intake, people = proposed(8)
    people[0].withdrawn_at = timezone.now()
    people[0].save()
    with pytest.raises(services.GroupsError, match=people[0].name):
        services.create_groups(intake=intake, by=None)
    assert Group.objects.count() == 0


def test_create_without_a_proposal_is_refused():
    with pytest.raises(services.GroupsError):
        services.create_groups(intake=IntakeFactory(), by=None)


def test_keep_apart_and_together_pins_hold_in_the_created_groups():
    intake = make_intake()
    people = accept(intake, 8)
    a, b, c = people[0].pk, people[1].pk, people[2].pk
    proposals.pin_pair(intake=intake, first_id=a, second_id=b, kind=PinKind.KEEP_APART)
    proposals.pin_pair(intake=intake, first_id=a, second_id=c, kind=PinKind.KEEP_TOGETHER)
    proposals.run_matching(intake=intake)
    services.create_groups(intake=intake, by=None)
    group_of = dict(Membership.objects.values_list("application_id", "group_id"))
    assert group_of[a] != group_of[b]
    assert group_of[a] == group_of[c]


def _group_with_members(count, *, intake=None):
    group = GroupFactory(intake=intake or make_intake())
    for _ in range(count):
        MembershipFactory(group=group)
    return group


def test_add_from_waitlist_opens_a_membership_and_claims_a_welcome(received):
    intake = make_intake()
    group = _group_with_members(4, intake=intake)
    waiting = ApplicationFactory(intake=intake, status=ApplicationStatus.WAITLISTED)
    membership = services.add_member_from_waitlist(group=group, application=waiting, by=None)
    assert membership.user.email == waiting.email
    assert group.memberships.current().count() == 5
    assert Notification.objects.filter(dedup_key=f"welcome:{membership.pk}").exists()


def test_add_from_waitlist_refused_when_the_group_is_full():
    intake = make_intake()
    group = _group_with_members(5, intake=intake)
    waiting = ApplicationFactory(intake=intake, status=ApplicationStatus.WAITLISTED)
    with pytest.raises(services.GroupsError):
        services.add_member_from_waitlist(group=group, application=waiting, by=None)
    assert group.memberships.count() == 5


def test_add_from_waitlist_refuses_someone_already_placed_or_declined():
    intake = make_intake()
    group = _group_with_members(3, intake=intake)
    declined = ApplicationFactory(intake=intake, status=ApplicationStatus.DECLINED)
    with pytest.raises(services.GroupsError):
        services.add_member_from_waitlist(group=group, application=declined, by=None)
    placed = ApplicationFactory(intake=intake, status=ApplicationStatus.ACCEPTED)
    services.add_member_from_waitlist(group=group, application=placed, by=None)
    with pytest.raises(services.GroupsError):
        services.add_member_from_waitlist(group=group, application=placed, by=None)


def test_move_member_closes_the_old_membership_and_keeps_history(
    django_capture_on_commit_callbacks, received
):
    source, target = _group_with_members(4), _group_with_members(4)
    old = source.memberships.first()
    with django_capture_on_commit_callbacks(execute=True):
        new = services.move_member(membership=old, to_group=target, by=None)
    old.refresh_from_db()
    assert old.left_at is not None
    assert target.name in old.left_reason
    assert (new.group, new.user, new.topics) == (target, old.user, old.topics)
    assert Membership.objects.filter(user=old.user).count() == 2
    assert sorted(received) == sorted([source.pk, target.pk])


def test_moving_into_the_same_group_is_refused():
    group = _group_with_members(4)
    with pytest.raises(services.GroupsError):
        services.move_member(membership=group.memberships.first(), to_group=group, by=None)


def test_leave_group_records_when_and_why():
    group = _group_with_members(4)
    membership = group.memberships.first()
    services.leave_group(membership=membership, reason="Zu wenig Zeit")
    membership.refresh_from_db()
    assert membership.left_at is not None
    assert membership.left_reason.endswith("Zu wenig Zeit")
    with pytest.raises(services.GroupsError):
        services.leave_group(membership=membership)


def test_end_group_closes_memberships_and_keeps_them(received, django_capture_on_commit_callbacks):
    group = _group_with_members(4)
    with django_capture_on_commit_callbacks(execute=True):
        services.end_group(group=group)
    group.refresh_from_db()
    assert group.status == GroupStatus.ENDED
    assert group.ended_at is not None
    assert group.memberships.count() == 4
    assert group.memberships.current().count() == 0
    assert received == [group.pk]
    with pytest.raises(services.GroupsError):
        services.end_group(group=group)
