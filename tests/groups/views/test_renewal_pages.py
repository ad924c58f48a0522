"""The renewal link's page (GET shows, only POST stores: mail scanners follow links) and
the organiser's view of the answers, on the group's manage page and in the admin."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Membership, RenewalAnswer
from groups.services import renewal
from tests.factories import GroupFactory, IntakeFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def term_group(names=("Anna Adler", "Bernd Berg", "Clara Conrad")):
    ends = timezone.localdate() + dt.timedelta(days=14)
    group = GroupFactory(intake=IntakeFactory(term_months=6), term_ends_on=ends)
    memberships = [
        MembershipFactory(group=group, user=UserFactory(display_name=name, language="de"))
        for name in names
    ]
    return group, memberships


def link(membership, answer="leave") -> str:
    token = renewal.answer_link_token(membership)
    return reverse("groups:renewal_answer", kwargs={"token": token}) + f"?answer={answer}"


def test_opening_the_link_changes_nothing_and_offers_both_answers(client):
    _group, (membership, *_rest) = term_group()
    response = client.get(link(membership, "leave"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="continue"' in body and 'value="leave"' in body
    membership.refresh_from_db()
    assert membership.renewal_answer == "" and membership.renewal_answered_at is None


def test_posting_stores_the_answer_and_posting_again_changes_it(client):
    _group, (membership, *_rest) = term_group()
    url = link(membership)
    response = client.post(url, {"answer": "leave"})
    assert response.status_code == 200
    assert "zum Ende der Laufzeit" in response.content.decode()
    membership.refresh_from_db()
    assert membership.renewal_answer == RenewalAnswer.LEAVE
    client.post(url, {"answer": "continue"})
    membership.refresh_from_db()
    assert membership.renewal_answer == RenewalAnswer.CONTINUE
    assert "Ihre bisherige Antwort: Sie machen weiter." in client.get(url).content.decode()


def test_a_bad_answer_or_a_link_of_a_past_term_is_refused(client):
    group, (membership, *_rest) = term_group()
    url = link(membership)
    assert client.post(url, {"answer": "maybe"}).status_code == 404
    group.term_ends_on += dt.timedelta(days=180)  # the term moved on
    group.save(update_fields=["term_ends_on"])
    assert client.get(url).status_code == 410
    assert client.post(url, {"answer": "leave"}).status_code == 410
    membership.refresh_from_db()
    assert membership.renewal_answer == ""


def test_a_link_stops_working_once_the_member_left(client):
    _group, (membership, *_rest) = term_group()
    url = link(membership)
    Membership.objects.filter(pk=membership.pk).update(left_at=timezone.now())
    assert client.post(url, {"answer": "continue"}).status_code == 410


def answered(memberships):
    anna, bernd, _clara = memberships
    Membership.objects.filter(pk=anna.pk).update(renewal_answer=RenewalAnswer.CONTINUE)
    Membership.objects.filter(pk=bernd.pk).update(renewal_answer=RenewalAnswer.LEAVE)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_manage_page_shows_who_continues_leaves_or_has_not_answered(
    staff_client, django_assert_max_num_queries
):
    group, memberships = term_group()
    answered(memberships)
    with django_assert_max_num_queries(9):
        response = staff_client.get(reverse("groups:group_manage", args=[group.pk]))
    body = response.content.decode()
    assert re.search(r'data-answer="continue">\s*Anna Adler\s*<', body)
    assert re.search(r'data-answer="leave">\s*Bernd Berg\s*<', body)
    assert re.search(r'data-answer="none">\s*Clara Conrad\s*<', body)
    assert "Macht weiter (1)" in text(body)
    assert "Noch nicht geantwortet (1)" in text(body)


def test_the_manage_page_of_a_group_without_a_term_has_no_renewal_section(staff_client):
    group = GroupFactory()
    MembershipFactory(group=group)
    body = staff_client.get(reverse("groups:group_manage", args=[group.pk])).content.decode()
    assert "data-answer" not in body


def test_the_group_admin_shows_each_members_answer(staff_client):
    group, memberships = term_group()
    answered(memberships)
    body = staff_client.get(reverse("admin:groups_group_change", args=[group.pk])).content
    body = text(body.decode())
    assert "Macht weiter" in body
    assert "Hört zum Ende der Laufzeit auf" in body
    assert "Noch nicht geantwortet" in body
