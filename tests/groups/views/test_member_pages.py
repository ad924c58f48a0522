import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupStatus, Membership
from tests.factories import GroupFactory, MembershipFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def group_with(count, **kwargs):
    group = GroupFactory(**kwargs)
    members = [
        MembershipFactory(group=group, topics=[f"Thema {i}"], about=f"Über mich {i}")
        for i in range(count)
    ]
    return group, members


def former(group):
    return MembershipFactory(
        group=group,
        left_at=timezone.now() - dt.timedelta(days=1),
        joined_at=timezone.now() - dt.timedelta(days=30),
    )


@pytest.mark.parametrize("name", ["groups:my_groups"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_group_page_and_leave_redirect_to_sign_in(client):
    group, _ = group_with(2)
    for url in (reverse("groups:group_detail", args=[group.pk]), f"/groups/{group.pk}/leave/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_member_sees_members_topics_about_and_links(client):
    group, members = group_with(4)
    client.force_login(members[0].user)
    body = client.get(reverse("groups:group_detail", args=[group.pk])).content.decode()
    for m in members:
        assert m.user.first_name in body
        assert m.topics[0] in body
        assert m.about in body
    assert members[1].user.email not in body
    assert group.video_url in body
    assert group.chat_url in body


def test_non_member_former_member_and_other_groups_member_get_404(client):
    group, _ = group_with(3)
    other_group, others = group_with(3)
    gone = former(group)
    for user in (UserFactory(), gone.user, others[0].user):
        client.force_login(user)
        assert client.get(reverse("groups:group_detail", args=[group.pk])).status_code == 404
        assert client.get(reverse("groups:leave_group", args=[group.pk])).status_code == 404
    client.force_login(others[0].user)
    body = client.get(reverse("groups:group_detail", args=[other_group.pk])).content.decode()
    assert group.name not in body


def test_missing_group_is_404_for_staff_too(client):
    client.force_login(StaffFactory())
    assert client.get(reverse("groups:group_detail", args=[999])).status_code == 404


def test_staff_can_see_any_group(client):
    group, members = group_with(2)
    client.force_login(StaffFactory())
    body = client.get(reverse("groups:group_detail", args=[group.pk])).content.decode()
    assert members[0].about in body


def with_meetings(group, members, count):
    """``count`` future meetings, each with a presenter, and one past one with commitments."""
    from tests.factories import CommitmentFactory, HotSeatFactory, MeetingFactory

    now = timezone.now()
    past = MeetingFactory(group=group, starts_at=now - dt.timedelta(days=14))
    for member in members:
        CommitmentFactory(meeting=past, user=member.user)
    for i in range(count):
        meeting = MeetingFactory(group=group, starts_at=now + dt.timedelta(days=14 * (i + 1)))
        HotSeatFactory(meeting=meeting, user=members[i % len(members)].user)


def test_group_page_shows_the_next_meetings_with_their_presenter(client):
    group, members = group_with(2)
    with_meetings(group, members, 3)
    client.force_login(members[1].user)
    response = client.get(reverse("groups:group_detail", args=[group.pk]))
    assert "meetings/_group_meetings.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert members[0].user.first_name in body
    assert reverse("meetings:group_meetings", args=[group.pk]) in body


@pytest.mark.parametrize(("members", "meetings"), [(1, 1), (10, 26)])
def test_group_page_query_count_does_not_grow_with_members_or_meetings(
    client, django_assert_max_num_queries, members, meetings
):
    group, memberships = group_with(members)
    with_meetings(group, memberships, meetings)
    client.force_login(memberships[0].user)
    url = reverse("groups:group_detail", args=[group.pk])
    with django_assert_max_num_queries(14):  # one is the schedule, for its summary
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [1, 10])
def test_my_groups_query_count_does_not_grow_with_groups(
    client, count, django_assert_max_num_queries
):
    user = UserFactory()
    for _ in range(count):
        group, _members = group_with(3)
        MembershipFactory(group=group, user=user)
        former(GroupFactory()).user  # noqa: B018 - someone else's history
    old = GroupFactory(name="Alte Runde")
    MembershipFactory(group=old, user=user, left_at=timezone.now() - dt.timedelta(days=2))
    client.force_login(user)
    # session, user, memberships with member counts
    with django_assert_max_num_queries(3):
        response = client.get(reverse("groups:my_groups"))
    assert len(response.context["current"]) == count
    assert [m.group for m in response.context["past"]] == [old]


def test_my_groups_lists_current_groups_with_links_and_past_groups_without(client):
    user = UserFactory()
    current, _ = group_with(3)
    MembershipFactory(group=current, user=user)
    past = GroupFactory(name="Alte Runde", status=GroupStatus.ENDED)
    MembershipFactory(group=past, user=user, left_at=timezone.now() - dt.timedelta(days=2))
    client.force_login(user)
    body = client.get(reverse("groups:my_groups")).content.decode()
    assert reverse("groups:group_detail", args=[current.pk]) in body
    assert "Alte Runde" in body
    assert reverse("groups:group_detail", args=[past.pk]) not in body
    assert "4 members" in body or "4 Mitglieder" in body


def test_leaving_needs_confirmation_then_closes_the_membership(client):
    group, members = group_with(4)
    member = members[0]
    client.force_login(member.user)
    url = reverse("groups:leave_group", args=[group.pk])
    assert client.get(url).status_code == 200
    member.refresh_from_db()
    assert member.left_at is None
    response = client.post(url, {"reason": "Neuer Job"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_at is not None
    assert "Neuer Job" in member.left_reason
    assert client.get(reverse("groups:group_detail", args=[group.pk])).status_code == 404
    assert Membership.objects.filter(group=group).count() == 4


def test_leave_reason_too_long_saves_nothing(client):
    group, members = group_with(4)
    client.force_login(members[0].user)
    response = client.post(reverse("groups:leave_group", args=[group.pk]), {"reason": "x" * 151})
    assert response.status_code == 200
    members[0].refresh_from_db()
    assert members[0].left_at is None


@pytest.mark.parametrize(("language", "expected"), [("de", "Meine Gruppen"), ("en", "My groups")])
def test_member_pages_render_in_german_and_english(client, language, expected):
    group, members = group_with(2)
    user = members[0].user
    user.language = language
    user.save()
    client.force_login(user)
    for url in (
        reverse("groups:my_groups"),
        reverse("groups:group_detail", args=[group.pk]),
        reverse("groups:leave_group", args=[group.pk]),
    ):
        body = client.get(url).content.decode()
        assert f'<html lang="{language}">' in body
        assert expected in body
