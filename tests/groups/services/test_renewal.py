"""A group's term: the renewal question (once per member and term, not before its time, in
the member's language) and the term's end (leavers leave, the rest stay, the term moves
on, a group where nobody continues ends). The real outbox, emails in Django's locmem box.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from groups import services, signing
from groups.attention import free_places_attention
from groups.models import Group, GroupStatus, Membership, RenewalAnswer
from groups.services import proposals, renewal
from groups.terms import add_months
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification
from tests.factories import GroupFactory, IntakeFactory, MembershipFactory, UserFactory
from tests.groups.helpers import accept, deliver_pending, make_intake

pytestmark = pytest.mark.django_db

TERM_END = dt.date(2027, 6, 30)


# Noon in Berlin, on a day relative to the term's end.
def berlin_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)


def term_group(members=3, *, languages=("de",), term_months=6):
    intake = IntakeFactory(term_months=term_months)
    group = GroupFactory(name="Gruppe A", intake=intake, term_ends_on=TERM_END)
    memberships = [
        MembershipFactory(group=group, user=UserFactory(language=languages[i % len(languages)]))
        for i in range(members)
    ]
    return group, memberships


def answer(membership, value):
    Membership.objects.filter(pk=membership.pk).update(renewal_answer=value)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(dt.date(2027, 1, 15), 6) == dt.date(2027, 7, 15)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


def test_groups_from_an_intake_with_a_term_get_its_end():
    intake = make_intake(term_months=6)
    accept(intake, 4)
    proposals.run_matching(intake=intake)
    with time_machine.travel(dt.datetime(2027, 1, 31, 12, tzinfo=dt.UTC)):
        (group,) = services.create_groups(intake=intake, by=None)
    assert group.term_ends_on == dt.date(2027, 7, 31)


def test_groups_from_an_intake_without_a_term_have_none():
    intake = make_intake()
    accept(intake, 4)
    proposals.run_matching(intake=intake)
    (group,) = services.create_groups(intake=intake, by=None)
    assert group.term_ends_on is None


@override_settings(RENEWAL_QUESTION_DAYS=21)
def test_the_question_goes_out_once_per_member_and_not_before_its_time():
    _group, memberships = term_group(3)
    with time_machine.travel(berlin_noon(TERM_END - dt.timedelta(days=22))):
        assert renewal.sweep()["asked"] == 0
    assert deliver_pending() == []
    with time_machine.travel(berlin_noon(TERM_END - dt.timedelta(days=21))):
        assert renewal.sweep()["asked"] == 3
        sent = deliver_pending()
        renewal.sweep()
        renewal.sweep()
        assert deliver_pending() == []
    assert sorted(m.to[0] for m in sent) == sorted(m.user.email for m in memberships)
    assert Notification.objects.filter(kind=EmailKind.RENEWAL_QUESTION).count() == 3


@override_settings(RENEWAL_QUESTION_DAYS=21)
def test_the_window_opens_at_midnight_in_the_groups_time_zone():
    _group, _memberships = term_group(1)
    opens = TERM_END - dt.timedelta(days=21)
    # 23:30 UTC the day before is 01:30 in Berlin (summer time): already the opening day.
    with time_machine.travel(dt.datetime.combine(opens, dt.time(21, 30), tzinfo=dt.UTC)
                             - dt.timedelta(days=1)):  # fmt: skip
        assert renewal.sweep()["asked"] == 0  # 23:30 in Berlin, the day before
    with time_machine.travel(dt.datetime.combine(opens, dt.time(22, 30), tzinfo=dt.UTC)
                             - dt.timedelta(days=1)):  # fmt: skip
        assert renewal.sweep()["asked"] == 1


def test_the_question_speaks_the_members_language_with_two_answer_links():
    _group, memberships = term_group(2, languages=("de", "en"))
    with time_machine.travel(berlin_noon(TERM_END - dt.timedelta(days=10))):
        renewal.sweep()
        sent = {m.to[0]: m for m in deliver_pending()}
    german, english = (sent[m.user.email] for m in memberships)
    assert german.subject == "Machen Sie in „Gruppe A“ weiter?"
    assert "30. Juni 2027" in german.body
    assert "Ja, ich mache weiter" in german.body
    assert "Do you continue" in english.subject
    assert "June 30, 2027" in english.body
    links = re.findall(r"https://mastermind\.test(/groups/renewal/[^\s\"<]+)", english.body)
    assert [link.split("?")[1] for link in links] == ["answer=continue", "answer=leave"]


def test_a_new_term_asks_again_and_a_member_who_left_is_not_asked():
    group, memberships = term_group(3)
    with time_machine.travel(berlin_noon(TERM_END - dt.timedelta(days=5))):
        renewal.sweep()
    services.leave_group(membership=memberships[2])
    with time_machine.travel(berlin_noon(TERM_END)):
        renewal.sweep()
    group.refresh_from_db()
    assert group.term_ends_on == dt.date(2027, 12, 30)
    with time_machine.travel(berlin_noon(dt.date(2027, 12, 20))):
        assert renewal.sweep()["asked"] == 2


def test_an_answer_is_stored_changed_and_refused_once_the_term_ended():
    _group, (membership, *_rest) = term_group(2)
    token = renewal.answer_link_token(membership)
    with time_machine.travel(berlin_noon(TERM_END - dt.timedelta(days=3))):
        renewal.answer(token=token, answer=RenewalAnswer.LEAVE)
        renewal.answer(token=token, answer=RenewalAnswer.CONTINUE)
    membership.refresh_from_db()
    assert membership.renewal_answer == RenewalAnswer.CONTINUE
    with time_machine.travel(berlin_noon(TERM_END)), pytest.raises(signing.BadToken) as refused:
        renewal.answer(token=token, answer=RenewalAnswer.LEAVE)
    assert refused.value.expired
    with pytest.raises(signing.BadToken):
        renewal.answer(token=token, answer="maybe")


def test_at_the_terms_end_leavers_leave_the_rest_stay_and_the_term_moves_on():
    group, (leaver, stayer, silent) = term_group(3)
    answer(leaver, RenewalAnswer.LEAVE)
    answer(stayer, RenewalAnswer.CONTINUE)
    with time_machine.travel(berlin_noon(TERM_END - dt.timedelta(days=1))):
        assert renewal.sweep()["terms_ended"] == 0
    with time_machine.travel(berlin_noon(TERM_END)):
        renewal.sweep()
        renewal.sweep()  # a second tick changes nothing
        left = deliver_pending()
        current = set(group.memberships.current().values_list("pk", flat=True))
    assert current == {stayer.pk, silent.pk}
    leaver.refresh_from_db()
    assert leaver.left_reason.endswith("hat nach der Laufzeit nicht weitergemacht")
    group.refresh_from_db()
    assert group.status == GroupStatus.ACTIVE
    assert group.term_ends_on == dt.date(2027, 12, 30)
    assert group.term_renewed_at is not None
    answers = Membership.objects.filter(pk__in=current).values_list("renewal_answer", flat=True)
    assert set(answers) == {""}  # cleared for the next term's question
    kinds = Notification.objects.filter(kind=EmailKind.MEMBER_LEFT).count()
    assert kinds == 2  # the two who stay hear that one left, once
    assert left


def test_a_group_where_everyone_leaves_ends_with_its_term(django_capture_on_commit_callbacks):
    group, memberships = term_group(2)
    for membership in memberships:
        answer(membership, RenewalAnswer.LEAVE)
    with time_machine.travel(berlin_noon(TERM_END)):
        with django_capture_on_commit_callbacks(execute=True):
            renewal.sweep()
        deliver_pending()
        assert not group.memberships.current().exists()
    group.refresh_from_db()
    assert group.status == GroupStatus.ENDED
    assert Notification.objects.filter(kind=EmailKind.GROUP_ENDED).count() == 2


def test_a_group_whose_intake_has_no_term_has_no_next_term():
    group, (membership,) = term_group(1, term_months=None)
    with time_machine.travel(berlin_noon(TERM_END)):
        renewal.sweep()
    group.refresh_from_db()
    assert group.status == GroupStatus.ACTIVE and group.term_ends_on is None
    membership.refresh_from_db()
    assert membership.left_at is None


def test_groups_without_a_term_are_never_asked():
    MembershipFactory(group=GroupFactory())
    assert renewal.sweep() == {"asked": 0, "terms_ended": 0}
    assert not mail.outbox


@pytest.mark.parametrize("groups", [1, 10])
def test_free_places_after_a_term_need_the_organisers_attention(
    groups, django_assert_max_num_queries
):
    ended = []
    for _ in range(groups):
        group, (leaver, *_rest) = term_group(3)  # the intake's maximum is 5
        answer(leaver, RenewalAnswer.LEAVE)
        ended.append(group)
    untouched, _members = term_group(2)
    Group.objects.filter(pk=untouched.pk).update(term_ends_on=TERM_END + dt.timedelta(days=9))
    with time_machine.travel(berlin_noon(TERM_END)):
        renewal.sweep()
        with django_assert_max_num_queries(1):
            items = free_places_attention(timezone.now())
    assert len(items) == groups
    assert items[0].text == f"„{ended[0].name}“ hat nach der Laufzeit 3 freie Plätze."
    assert items[0].url == reverse("groups:group_manage", args=[ended[0].pk])
    with time_machine.travel(berlin_noon(TERM_END + dt.timedelta(days=31))):
        assert free_places_attention(timezone.now()) == []
