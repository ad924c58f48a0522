import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import ApplicationStatus, GroupStatus, MatchingPin, Membership
from tests.factories import (
    ApplicationFactory,
    GroupFactory,
    InterestSignupFactory,
    MembershipFactory,
    StaffFactory,
    UserFactory,
)
from tests.groups.helpers import accept, make_intake

pytestmark = pytest.mark.django_db


def group_with(count, **kwargs):
    group = GroupFactory(**kwargs)
    for _ in range(count):
        MembershipFactory(group=group)
    return group


@pytest.mark.parametrize("count", [1, 10])
def test_group_changelist_shows_member_counts_in_bounded_queries(
    staff_client, count, django_assert_max_num_queries
):
    intake = make_intake()
    for _ in range(count):
        group = group_with(3, intake=intake)
        MembershipFactory(group=group, left_at=timezone.now() - dt.timedelta(days=1))
    with django_assert_max_num_queries(10):
        response = staff_client.get(reverse("admin:groups_group_changelist"))
    assert response.status_code == 200
    assert [row._member_count for row in response.context["cl"].result_list] == [3] * count


def test_group_changelist_filters_by_status_and_intake(staff_client):
    intake = make_intake()
    active = group_with(1, intake=intake, name="Aktiv")
    group_with(1, name="Beendet", status=GroupStatus.ENDED)
    response = staff_client.get(
        reverse("admin:groups_group_changelist"), {"status__exact": "active"}
    )
    assert list(response.context["cl"].result_list) == [active]
    response = staff_client.get(
        reverse("admin:groups_group_changelist"), {"intake__id__exact": intake.pk}
    )
    assert list(response.context["cl"].result_list) == [active]


def test_group_change_page_shows_membership_history_and_manage_link(staff_client):
    group = group_with(2)
    gone = MembershipFactory(
        group=group, left_at=timezone.now() - dt.timedelta(days=1), left_reason="Umzug"
    )
    body = staff_client.get(reverse("admin:groups_group_change", args=[group.pk])).content
    body = body.decode()
    assert "Umzug" in body
    assert str(gone.user) in body
    assert reverse("groups:group_manage", args=[group.pk]) in body


def test_end_group_action_keeps_memberships(staff_client):
    group = group_with(3)
    staff_client.post(
        reverse("admin:groups_group_changelist"),
        {"action": "end_groups", "_selected_action": [group.pk]},
    )
    group.refresh_from_db()
    assert group.status == GroupStatus.ENDED
    assert group.memberships.count() == 3
    assert group.memberships.current().count() == 0


def test_membership_changelist_filters_current_and_former(staff_client):
    group = group_with(2)
    gone = MembershipFactory(group=group, left_at=timezone.now() - dt.timedelta(days=1))
    changelist = reverse("admin:groups_membership_changelist")
    current = staff_client.get(changelist, {"current": "yes"}).context["cl"].result_list
    former = staff_client.get(changelist, {"current": "no"}).context["cl"].result_list
    assert gone not in current and len(current) == 2
    assert list(former) == [gone]


def test_memberships_cannot_be_deleted_in_the_admin(staff_client):
    membership = MembershipFactory()
    url = reverse("admin:groups_membership_delete", args=[membership.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_pin_admin_stores_pairs_in_order_and_rejects_other_intakes(staff_client):
    intake = make_intake()
    a, b = accept(intake, 2)
    outsider = ApplicationFactory()
    add = reverse("admin:groups_matchingpin_add")
    staff_client.post(add, {"intake": intake.pk, "kind": "apart", "first": b.pk, "second": a.pk})
    pin = MatchingPin.objects.get()
    assert (pin.first, pin.second) == (a, b)
    response = staff_client.post(
        add, {"intake": intake.pk, "kind": "together", "first": a.pk, "second": outsider.pk}
    )
    assert response.status_code == 200
    assert MatchingPin.objects.count() == 1


# --------------------------------------------------------------------------- manage page


def manage(group):
    return reverse("groups:group_manage", args=[group.pk])


def test_manage_page_is_for_staff_only(client):
    group = group_with(2)
    assert client.get(manage(group)).status_code == 302
    client.force_login(UserFactory())
    response = client.post(manage(group), {"action": "end", "confirm": "on"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == GroupStatus.ACTIVE


def test_manage_adds_from_waitlist_only_below_the_maximum(staff_client):
    intake = make_intake(max_group_size=5)
    group = group_with(4, intake=intake)
    first, second = (
        ApplicationFactory(intake=intake, status=ApplicationStatus.WAITLISTED) for _ in range(2)
    )
    page = staff_client.get(manage(group)).content.decode()
    assert first.name in page
    staff_client.post(manage(group), {"action": "add", "application": first.pk})
    assert group.memberships.current().count() == 5
    response = staff_client.post(manage(group), {"action": "add", "application": second.pk})
    assert response.status_code == 400
    assert group.memberships.current().count() == 5


def test_manage_moves_a_member_keeping_history(staff_client):
    source, target = group_with(4), group_with(3)
    membership = source.memberships.first()
    staff_client.post(
        manage(source), {"action": "move", "membership": membership.pk, "to_group": target.pk}
    )
    membership.refresh_from_db()
    assert membership.left_at is not None
    assert target.memberships.current().filter(user=membership.user).exists()
    body = staff_client.get(manage(source)).content.decode()
    assert target.name in body  # the reason in the former members list


def test_manage_end_group_needs_the_confirmation_box(staff_client):
    group = group_with(2)
    response = staff_client.post(manage(group), {"action": "end"})
    assert response.status_code == 400
    group.refresh_from_db()
    assert group.status == GroupStatus.ACTIVE
    staff_client.post(manage(group), {"action": "end", "confirm": "on"})
    group.refresh_from_db()
    assert group.status == GroupStatus.ENDED


@pytest.mark.parametrize("count", [1, 10])
def test_manage_page_query_count_does_not_grow(staff_client, count, django_assert_max_num_queries):
    intake = make_intake()
    group = group_with(count, intake=intake)
    MembershipFactory(group=group, left_at=timezone.now() - dt.timedelta(days=1))
    for _ in range(count):
        ApplicationFactory(intake=intake, status=ApplicationStatus.WAITLISTED)
        GroupFactory()
    with django_assert_max_num_queries(9):
        assert staff_client.get(manage(group)).status_code == 200


def test_membership_topics_read_as_a_list_not_json(staff_client):
    membership = MembershipFactory(topics=["SEO", "Podcasting"])
    pages = [
        staff_client.get(reverse("admin:groups_group_change", args=[membership.group_id])),
        staff_client.get(reverse("admin:groups_membership_change", args=[membership.pk])),
    ]
    for page in pages:
        body = page.content.decode()
        assert "[&quot;SEO&quot;" not in body and '["SEO"' not in body
    assert "SEO, Podcasting" in pages[0].content.decode()
    assert "SEO\nPodcasting" in pages[1].content.decode()


def test_membership_topics_are_edited_one_per_line(staff_client):
    membership = MembershipFactory(topics=["SEO"])
    response = staff_client.post(
        reverse("admin:groups_membership_change", args=[membership.pk]),
        {"topics": "SEO\n Podcasting \n\nSEO", "about": "Hallo"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.topics == ["SEO", "Podcasting"]


@pytest.mark.parametrize(
    ("language", "count_text"),
    [("en", "3 interest sign-ups"), ("de", "3 Interessenten-Anmeldungen")],
)
def test_the_interest_list_counts_sign_ups(client, language, count_text):
    client.force_login(StaffFactory(language=language))
    for _ in range(3):
        InterestSignupFactory()
    response = client.get(reverse("admin:groups_interestsignup_changelist"))
    assert count_text in response.content.decode()
