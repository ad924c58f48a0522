"""Free places after a term: the interest list hears of them once per group and term, in
each address's language, and the next intake's proposal lists the groups to top up from
its applicants. The real outbox, emails in Django's locmem box."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from groups import services
from groups.models import Group, Membership, RenewalAnswer
from groups.services import proposals, renewal
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification
from meetings.models import Schedule
from tests.factories import (
    GroupFactory,
    IntakeFactory,
    InterestSignupFactory,
    MembershipFactory,
    StaffFactory,
    UserFactory,
)
from tests.groups.helpers import accept, deliver_pending, links_in, propose

pytestmark = pytest.mark.django_db

TERM_END = dt.date(2027, 6, 30)
AT_THE_END = dt.datetime(2027, 6, 30, 10, 0, tzinfo=dt.UTC)  # noon in Berlin


def term_group(members=3, *, leaving=1, name="Gruppe A"):
    intake = IntakeFactory(term_months=6, max_group_size=5)
    group = GroupFactory(name=name, intake=intake, term_ends_on=TERM_END)
    Schedule.objects.create(group=group, first_date=dt.date(2027, 1, 7), weekday=3)
    memberships = [MembershipFactory(group=group, user=UserFactory()) for _ in range(members)]
    Membership.objects.filter(pk__in=[m.pk for m in memberships[:leaving]]).update(
        renewal_answer=RenewalAnswer.LEAVE
    )
    return group, memberships


def end_the_term():
    with time_machine.travel(AT_THE_END, tick=False):
        renewal.sweep()
        return deliver_pending()


def offers():
    return Notification.objects.filter(kind=EmailKind.FREE_PLACES)


@override_settings(ORGANISER_EMAILS=["orga@example.org"])
def test_the_interest_list_hears_of_free_places_once_each_in_its_language():
    term_group(3, leaving=1)
    german = InterestSignupFactory(email="anna@example.org", language="de")
    english = InterestSignupFactory(email="ben@example.org", language="en")
    InterestSignupFactory(email="unconfirmed@example.org", confirmed_at=None)
    InterestSignupFactory(email="gone@example.org", unsubscribed_at=AT_THE_END)

    sent = [m for m in end_the_term() if m.to[0] in {german.email, english.email}]
    with time_machine.travel(AT_THE_END + dt.timedelta(minutes=5), tick=False):
        renewal.sweep()  # a second tick claims nothing more
        assert deliver_pending() == []

    assert offers().count() == 2
    by_address = {m.to[0]: m for m in sent}
    assert set(by_address) == {german.email, english.email}
    de, en = by_address[german.email], by_address[english.email]
    assert de.subject == "3 Plätze sind frei in der Mastermind-Gruppe „Gruppe A“"
    assert "Die Gruppe trifft sich: Donnerstag 19:00 (Europe/Berlin)." in de.body
    assert en.subject == "3 places are free in the mastermind group “Gruppe A”"
    assert "Thursday 19:00 (Europe/Berlin)" in en.body
    assert de.extra_headers["Reply-To"] == "orga@example.org"
    assert "List-Unsubscribe" in de.extra_headers
    assert any(link.endswith(reverse("groups:intake_list")) for link in links_in(de))


def test_the_offer_links_to_an_intake_open_for_applications():
    term_group(3, leaving=1)
    signup = InterestSignupFactory(language="en")
    with time_machine.travel(AT_THE_END - dt.timedelta(days=3)):
        autumn = IntakeFactory(title="Herbst 2027", slug="herbst-2027")
    (message,) = [m for m in end_the_term() if m.to == [signup.email]]
    assert "Apply to “Herbst 2027”" in message.body
    assert any(link.endswith(autumn.get_absolute_url()) for link in links_in(message))


def test_no_offer_when_nobody_left_or_the_group_ends():
    term_group(3, leaving=0)
    term_group(2, leaving=2, name="Gruppe B")
    InterestSignupFactory()
    end_the_term()
    assert not offers().exists()


def test_members_of_the_group_are_not_offered_its_places():
    _group, memberships = term_group(3, leaving=1)
    staying = memberships[1].user
    InterestSignupFactory(email=staying.email)
    end_the_term()
    assert not offers().exists()


def test_places_filled_before_the_email_goes_out_are_not_offered():
    group, _memberships = term_group(4, leaving=1)
    signup = InterestSignupFactory()
    with time_machine.travel(AT_THE_END, tick=False):
        renewal.sweep()
        for _ in range(2):  # 5 places, 3 stayed: both free places taken
            MembershipFactory(group=group, user=UserFactory())
        sent = deliver_pending()
    assert offers().count() == 1
    assert signup.email not in [m.to[0] for m in sent]


def test_a_renewed_group_takes_newcomers_from_a_later_intake():
    group, _memberships = term_group(3, leaving=1)
    end_the_term()
    group.refresh_from_db()
    with time_machine.travel(AT_THE_END + dt.timedelta(days=2)):
        later = IntakeFactory(title="Herbst 2027", slug="herbst-2027")
        newcomer, *_others = accept(later, 4)
        assert newcomer in services.waitlist_candidates(group=group)
        services.add_member_from_waitlist(group=group, application=newcomer, by=None)
        assert newcomer not in proposals.eligible_applications(later)
        assert newcomer not in services.waitlist_candidates(group=group)
        assert proposals.eligible_applications(later).count() == 3


def test_a_group_whose_term_has_not_moved_on_waits_for_its_own_intake_only():
    group, _memberships = term_group(3, leaving=1)
    later = IntakeFactory(title="Herbst 2027", slug="herbst-2027")
    accept(later, 2)
    assert not services.waitlist_candidates(group=group).exists()


@pytest.mark.parametrize("count", [1, 3])
def test_the_next_proposal_lists_groups_with_free_places(
    client, count, django_assert_max_num_queries
):
    groups = [term_group(3, leaving=1, name=f"Gruppe {i}")[0] for i in range(count)]
    end_the_term()
    with time_machine.travel(AT_THE_END + dt.timedelta(days=2)):
        later = IntakeFactory(title="Herbst 2027", slug="herbst-2027")
        accept(later, 4)
        staff_client = client
        client.force_login(StaffFactory())  # a session of the day
        propose(staff_client, later)
        page = reverse("groups:intake_proposal", args=[later.pk])
        with django_assert_max_num_queries(9):
            response = staff_client.get(page)
        assert response.status_code == 200
        body = response.content.decode()
    assert "Existing groups with free places" in body or "Bestehende Gruppen" in body
    for group in groups:
        assert reverse("groups:group_manage", args=[group.pk]) in body
    assert body.count("3 free places") + body.count("3 freie Plätze") == count
    assert "19:00 (Europe/Berlin)" in body
    assert Group.objects.count() == count
