"""The organiser's proposal page: propose, adjust, pin, create."""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import include, path, reverse

from groups.models import Group, Intake, MatchingPin, Membership, PinKind
from tests.factories import StaffFactory, UserFactory
from tests.groups.helpers import accept, make_intake, propose
from tests.helpers import create_groups_post_data

pytestmark = pytest.mark.django_db


def url(name, intake, **kwargs):
    return reverse(f"groups:{name}", kwargs={"pk": intake.pk, **kwargs})


def create_url(intake) -> str:
    return reverse("meetings:create_groups", args=[intake.pk])


def test_proposal_page_is_for_staff_only(client):
    intake = make_intake()
    response = client.get(url("intake_proposal", intake))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(url("intake_proposal", intake)).status_code == 302
    assert client.post(create_url(intake)).status_code == 302
    assert Group.objects.count() == 0


# The Intake admin is registered by another part of the app; this page's template override
# is tested on a site of its own so it does not depend on that.
_site = admin.AdminSite(name="admin")
_site.register(Intake)
urlpatterns = [path("admin/", _site.urls), path("", include("groups.urls"))]


@pytest.mark.urls(__name__)
def test_intake_admin_page_links_to_the_proposal(staff_client):
    intake = make_intake()
    response = staff_client.get(reverse("admin:groups_intake_change", args=[intake.pk]))
    assert response.status_code == 200
    assert url("intake_proposal", intake) in response.content.decode()


def test_full_organiser_flow_propose_adjust_pin_create(staff_client):
    intake = make_intake()
    people = accept(intake, 9, topics=("SEO", "Podcasting"))
    page = staff_client.get(url("intake_proposal", intake))
    assert page.status_code == 200
    assert (
        "Propose groups" in page.content.decode() or "Gruppen vorschlagen" in page.content.decode()
    )

    propose(staff_client, intake)
    intake.refresh_from_db()
    assert len(intake.proposal["groups"]) == 2
    body = staff_client.get(url("intake_proposal", intake)).content.decode()
    for person in people:
        assert person.name in body
    assert "19:00" in body
    assert "Podcasting" in body

    moved = intake.proposal["groups"][0]["members"][0]
    staff_client.post(url("proposal_move", intake), {"applicant": moved, "target": "waitlist"})
    intake.refresh_from_db()
    assert moved in intake.proposal["waitlist"]
    body = staff_client.get(url("intake_proposal", intake)).content.decode()
    assert "On the waitlist" in body or "Warteliste" in body

    a, b = intake.proposal["groups"][1]["members"][:2]
    staff_client.post(url("proposal_pin", intake), {"first": a, "second": b, "kind": "apart"})
    assert MatchingPin.objects.filter(kind=PinKind.KEEP_APART).count() == 1
    propose(staff_client, intake)
    intake.refresh_from_db()
    assert not any({a, b} <= set(g["members"]) for g in intake.proposal["groups"])

    response = staff_client.post(create_url(intake), create_groups_post_data(staff_client, intake))
    assert response.status_code == 302
    assert Group.objects.count() == 2
    groups_of = dict(Membership.objects.values_list("application_id", "group_id"))
    assert groups_of[a] != groups_of[b]
    body = staff_client.get(url("intake_proposal", intake)).content.decode()
    assert create_url(intake) not in body


def test_invalid_move_shows_an_error_and_changes_nothing(staff_client):
    intake = make_intake()
    accept(intake, 8)
    propose(staff_client, intake)
    intake.refresh_from_db()
    before = intake.proposal
    response = staff_client.post(
        url("proposal_move", intake), {"applicant": 999999, "target": "waitlist"}, follow=True
    )
    assert response.status_code == 200
    assert list(response.context["messages"])
    intake.refresh_from_db()
    assert intake.proposal == before


def test_pin_with_the_same_person_twice_is_rejected(staff_client):
    intake = make_intake()
    (person, _other) = accept(intake, 2)
    response = staff_client.post(
        url("proposal_pin", intake),
        {"first": person.pk, "second": person.pk, "kind": "apart"},
        follow=True,
    )
    assert MatchingPin.objects.count() == 0
    assert list(response.context["messages"])


def test_removing_a_pin(staff_client):
    intake = make_intake()
    a, b = accept(intake, 2)
    pin = MatchingPin.objects.create(intake=intake, kind="apart", first=a, second=b)
    staff_client.post(url("proposal_unpin", intake, pin_pk=pin.pk))
    assert MatchingPin.objects.count() == 0


def test_create_before_any_proposal_creates_nothing(staff_client):
    intake = make_intake()
    accept(intake, 8)
    response = staff_client.get(create_url(intake), follow=True)
    assert Group.objects.count() == 0
    assert list(response.context["messages"])


def test_withdrawn_member_is_named_on_the_page_and_blocks_create(staff_client):
    intake = make_intake()
    people = accept(intake, 8)
    propose(staff_client, intake)
    people[0].withdrawn_at = people[0].consented_at
    people[0].save()
    body = staff_client.get(url("intake_proposal", intake)).content.decode()
    assert people[0].name in body
    staff_client.post(create_url(intake), create_groups_post_data(staff_client, intake))
    assert Group.objects.count() == 0


@pytest.mark.parametrize("count", [4, 40])
def test_proposal_page_query_count_does_not_grow(
    staff_client, count, django_assert_max_num_queries
):
    intake = make_intake()
    people = accept(intake, count)
    MatchingPin.objects.create(intake=intake, kind="apart", first=people[0], second=people[1])
    propose(staff_client, intake)
    with django_assert_max_num_queries(8):  # +1: groups with free places
        assert staff_client.get(url("intake_proposal", intake)).status_code == 200


def test_members_in_other_time_zones_see_the_suggested_time_in_their_own(staff_client):
    intake = make_intake(deadline=dt.datetime(2027, 1, 15, 12, tzinfo=dt.UTC))
    accept(intake, 3)
    (new_york,) = accept(intake, 1, slots=("tue-13",), time_zone="America/New_York")
    propose(staff_client, intake)
    intake.refresh_from_db()
    assert new_york.pk in intake.proposal["groups"][0]["members"]
    body = staff_client.get(url("intake_proposal", intake)).content.decode()
    assert "13:00 (America/New_York)" in body


@pytest.mark.parametrize(
    ("language", "proven", "unproven", "no_bound"),
    [
        (
            "en",
            "Best possible grouping",
            "Good grouping, not proven best: within 1.3% of the best possible.",
            "Good grouping, not proven to be the best possible.",
        ),
        (
            "de",
            "Bestmögliche Einteilung",
            "höchstens 1,3 % unter der bestmöglichen.",
            "Gute Einteilung, nicht als bestmöglich bewiesen.",
        ),
    ],
)
def test_page_says_whether_the_grouping_is_proven_best(
    client, django_assert_max_num_queries, language, proven, unproven, no_bound
):
    client.force_login(StaffFactory(language=language))
    staff_client = client
    intake = make_intake()
    accept(intake, 9)
    propose(staff_client, intake)
    intake.refresh_from_db()
    assert intake.proposal["proven_optimal"] is True
    assert intake.proposal["gap"] is None

    def page() -> str:
        with django_assert_max_num_queries(8):  # +1: groups with free places
            response = staff_client.get(
                url("intake_proposal", intake), HTTP_ACCEPT_LANGUAGE=language
            )
        return response.content.decode()

    assert proven in page()
    intake.proposal = {**intake.proposal, "proven_optimal": False, "gap": 0.0126}
    intake.save()
    body = page()
    assert unproven in body
    assert proven not in body
    intake.proposal = {**intake.proposal, "gap": None}
    intake.save()
    assert no_bound in page()
    intake.proposal = {**intake.proposal, "edited": True}
    intake.save()
    body = page()
    assert no_bound not in body
    assert proven not in body


def test_no_warnings_before_any_proposal_was_run(staff_client):
    intake = make_intake()
    accept(intake, 6)
    body = staff_client.get(url("intake_proposal", intake), HTTP_ACCEPT_LANGUAGE="en")
    assert body.context["warnings"] == []


def test_the_waitlist_names_evenings_in_words_not_codes(staff_client):
    intake = make_intake()
    accept(intake, 4, slots=("tue-19",))
    (late,) = accept(intake, 1, slots=("wed-19", "thu-20"), time_zone="America/New_York")
    propose(staff_client, intake)
    intake.refresh_from_db()
    if late.pk not in intake.proposal["waitlist"]:
        moved = {"applicant": late.pk, "target": "waitlist"}
        staff_client.post(url("proposal_move", intake), moved)
    body = staff_client.get(url("intake_proposal", intake)).content.decode()
    assert "wed-19" not in body and "thu-20" not in body
    assert "19:00" in body and "20:00" in body and "America/New_York" in body


def test_a_group_without_a_shared_topic_is_flagged_when_similar_topics_are_wanted(staff_client):
    intake = make_intake(topic_preference="similar")
    for topic in ("SEO", "Podcasting", "Finanzen", "Recht"):
        accept(intake, 1, topics=(topic,))
    propose(staff_client, intake)
    body = staff_client.get(url("intake_proposal", intake)).content.decode()
    assert "Kein Thema wird von zwei Mitgliedern geteilt" in body


def test_complementary_intakes_are_not_warned_about_missing_shared_topics(staff_client):
    intake = make_intake(topic_preference="complementary")
    for topic in ("SEO", "Podcasting", "Finanzen", "Recht"):
        accept(intake, 1, topics=(topic,))
    propose(staff_client, intake)
    body = staff_client.get(url("intake_proposal", intake)).content.decode()
    assert "Kein Thema wird von zwei Mitgliedern geteilt" not in body


def test_a_proposal_without_applicants_claims_neither_a_best_grouping_nor_places(client):
    client.force_login(StaffFactory(language="en"))
    staff_client = client
    intake = make_intake()
    propose(staff_client, intake)
    intake.refresh_from_db()
    assert intake.proposal["groups"] == []
    body = staff_client.get(url("intake_proposal", intake), HTTP_ACCEPT_LANGUAGE="en")
    text = body.content.decode()
    assert "Nobody to place yet." in text
    assert "Everyone has a place." not in text
    assert "Best possible grouping" not in text
