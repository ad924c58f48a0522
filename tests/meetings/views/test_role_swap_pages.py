"""Role swaps through the member pages: the swap action on the roles line, the request page,
the swaps list and the answer, bad input, and the meeting page's query count."""

import pytest
from django.urls import reverse

from meetings.models import Absence, RoleAssignment, SwapRequest
from tests.meetings.helpers import NOW, deliver_all, future, make_group, make_schedule
from tests.meetings.services.test_role_swap import F, T, holder, swappable_pair

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def setup(client):
    group, users = make_group(5)
    for user in users:
        user.language = "en"
        user.save()
    make_schedule(group, rotate_facilitator=True, rotate_timekeeper=True)
    m1, m2, a, b = swappable_pair(group)
    by_pk = {u.pk: u for u in users}
    deliver_all()
    return group, m1, m2, by_pk[a], by_pk[b], users


def url(meeting, role=F):
    return reverse("meetings:swap_role", args=[meeting.pk, role])


def snapshot():
    return (
        list(SwapRequest.objects.values_list("pk")),
        list(RoleAssignment.objects.order_by("pk").values_list("user", "pinned")),
    )


def test_the_holder_sees_the_swap_action_next_to_their_role(setup, client):
    _group, m1, _m2, a, _b, users = setup
    client.force_login(a)
    page = client.get(m1.get_absolute_url()).content.decode()
    assert f'href="{url(m1)}"' in page
    assert "Swap my role “Facilitator”" in page
    other = next(
        u
        for u in users
        if u.pk not in RoleAssignment.objects.filter(meeting=m1).values_list("user_id", flat=True)
    )
    client.force_login(other)
    assert "swap/facilitator" not in client.get(m1.get_absolute_url()).content.decode()


def test_the_swap_action_speaks_german(setup, client):
    _group, m1, _m2, a, _b, _users = setup
    a.language = "de"
    a.save()
    client.force_login(a)
    assert "Meine Rolle „Moderation“ tauschen" in client.get(m1.get_absolute_url()).content.decode()


def test_no_swap_action_once_the_meeting_has_begun(setup, client, clock):
    _group, m1, _m2, a, _b, _users = setup
    clock.move_to(m1.starts_at)
    client.force_login(a)
    assert "swap/facilitator" not in client.get(m1.get_absolute_url()).content.decode()


def test_request_list_and_accept_through_the_pages(setup, client):
    _group, m1, m2, a, b, _users = setup
    client.force_login(a)
    page = client.get(url(m1))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Swap the role “Facilitator”" in body and b.first_name in body
    target = RoleAssignment.objects.get(meeting=m2, role=F)
    assert client.post(url(m1), {"target": target.pk}).status_code == 302
    swap = SwapRequest.objects.get()
    assert (swap.role, swap.requester, swap.responder) == (F, a, b)
    assert "You asked" in client.get(reverse("meetings:swaps")).content.decode()
    client.force_login(b)
    listed = client.get(reverse("meetings:swaps")).content.decode()
    assert f"{a.first_name} asks you to take the role “Facilitator”" in listed
    detail = client.get(m2.get_absolute_url()).content.decode()
    assert "asks to swap the role “Facilitator” with you" in detail
    client.post(reverse("meetings:swap_answer", args=[swap.pk, "accept"]))
    assert holder(m1, F) == b.pk and holder(m2, F) == a.pk


def test_a_turn_that_is_not_offered_is_refused_and_nothing_saved(setup, client):
    _group, m1, m2, a, _b, _users = setup
    client.force_login(a)
    before = snapshot()
    other_role = RoleAssignment.objects.get(meeting=m2, role=T)  # not a facilitator turn
    for target in (other_role.pk, "abc", "", "9" * 30, -1):
        response = client.post(url(m1), {"target": target})
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert snapshot() == before


def test_a_refused_swap_says_why_and_saves_nothing(setup, client):
    _group, m1, m2, a, b, _users = setup
    Absence.objects.create(meeting=m1, user=b)
    client.force_login(a)
    before = snapshot()
    target = RoleAssignment.objects.get(meeting=m2, role=F)
    response = client.post(url(m1), {"target": target.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "One of you can&#x27;t come to the other meeting." in response.content.decode()
    assert snapshot() == before
    assert deliver_all() == []


@pytest.mark.parametrize("role", [T, "owner", "FACILITATOR"])
def test_a_role_one_does_not_hold_has_no_swap_page(setup, client, role):
    _group, m1, _m2, a, _b, _users = setup
    if holder(m1, T) == a.pk:
        pytest.skip("a holds both roles")
    client.force_login(a)
    assert client.get(url(m1, role)).status_code == 404
    assert client.post(url(m1, role), {"target": "1"}).status_code == 404


@pytest.mark.parametrize("swaps", [1, 3])
def test_meeting_page_query_count_with_roles_and_role_swaps(
    setup, client, django_assert_max_num_queries, swaps
):
    group, m1, _m2, a, _b, _users = setup
    rows = RoleAssignment.objects.filter(meeting__group=group, role=F, meeting__starts_at__gt=NOW)
    others = list(rows.exclude(meeting=m1).exclude(user=a)[:swaps])
    for row in others:
        SwapRequest.objects.create(
            requester=a,
            requester_meeting=m1,
            responder=row.user,
            responder_meeting=row.meeting,
            role=F,
        )
    client.force_login(a)
    with django_assert_max_num_queries(16):  # as without role swaps (test_roles.py)
        page = client.get(m1.get_absolute_url())
    assert page.content.decode().count("You asked") == swaps
    assert future(group)
