"""Hot-seat swaps: request, accept (pinned, exchanged, both told), decline, withdraw."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from meetings import services
from meetings.models import HotSeat, Preparation, SwapRequest, SwapStatus
from tests.meetings.helpers import (
    after_window,
    deliver_all,
    future,
    make_group,
    make_schedule,
    presenters,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def setup():
    group, users = make_group(4)
    make_schedule(group)
    first, second = future(group)[:2]
    by_pk = {u.pk: u for u in users}
    a = by_pk[next(iter(presenters(first)))]
    b = by_pk[next(iter(presenters(second)))]
    deliver_all()
    return group, first, second, a, b


def test_request_emails_the_other_member(setup):
    _group, first, second, a, b = setup
    swap = services.request_swap(
        requester=a, requester_meeting=first, responder=b, responder_meeting=second
    )
    assert swap.status == SwapStatus.PENDING
    assert [m.to[0] for m in deliver_all("swap_requested")] == [b.email]


def test_accept_exchanges_pins_bumps_and_tells_both(setup, clock):
    _group, first, second, a, b = setup
    swap = services.request_swap(
        requester=a, requester_meeting=first, responder=b, responder_meeting=second
    )
    sequences = (first.sequence, second.sequence)
    services.accept_swap(swap=swap, by=b)
    first.refresh_from_db()
    second.refresh_from_db()
    assert presenters(first) == {b.pk} and presenters(second) == {a.pk}
    assert all(HotSeat.objects.filter(meeting__in=[first, second]).values_list("pinned", flat=True))
    assert first.sequence > sequences[0] and second.sequence > sequences[1]
    after_window(clock)
    assert sorted(m.to[0] for m in deliver_all("swap_accepted")) == sorted([a.email, b.email])
    assert SwapRequest.objects.get().status == SwapStatus.ACCEPTED


def test_accepted_swap_survives_a_replan(setup):
    group, first, second, a, b = setup
    swap = services.request_swap(
        requester=a, requester_meeting=first, responder=b, responder_meeting=second
    )
    services.accept_swap(swap=swap, by=b)
    services.on_membership_changed(group_id=group.pk)
    assert presenters(first) == {b.pk} and presenters(second) == {a.pk}


def test_decline_keeps_seats_and_tells_the_requester(setup):
    _group, first, second, a, b = setup
    swap = services.request_swap(
        requester=a, requester_meeting=first, responder=b, responder_meeting=second
    )
    services.decline_swap(swap=swap, by=b)
    assert presenters(first) == {a.pk} and presenters(second) == {b.pk}
    assert [m.to[0] for m in deliver_all("swap_declined")] == [a.email]
    with pytest.raises(ValidationError):
        services.accept_swap(swap=swap, by=b)


def test_only_the_responder_accepts_and_only_the_requester_withdraws(setup):
    _group, first, second, a, b = setup
    swap = services.request_swap(
        requester=a, requester_meeting=first, responder=b, responder_meeting=second
    )
    with pytest.raises(PermissionDenied):
        services.accept_swap(swap=swap, by=a)
    with pytest.raises(PermissionDenied):
        services.withdraw_swap(swap=swap, by=b)
    services.withdraw_swap(swap=swap, by=a)
    assert SwapRequest.objects.get().status == SwapStatus.WITHDRAWN
    assert [m.to[0] for m in deliver_all("swap_withdrawn")] == [b.email]


def test_cannot_ask_for_a_seat_the_other_does_not_hold(setup):
    _group, first, second, a, b = setup
    with pytest.raises(ValidationError):
        services.request_swap(
            requester=a, requester_meeting=second, responder=b, responder_meeting=first
        )


def test_swap_pages_request_and_accept(setup, client):
    _group, first, second, a, b = setup
    client.force_login(a)
    page = client.get(reverse("meetings:swap_request", args=[first.pk]))
    assert page.status_code == 200
    seat = HotSeat.objects.get(meeting=second, user=b)
    response = client.post(reverse("meetings:swap_request", args=[first.pk]), {"target": seat.pk})
    assert response.status_code == 302
    swap = SwapRequest.objects.get()
    client.force_login(b)
    assert swap.requester.first_name in client.get(reverse("meetings:swaps")).content.decode()
    client.post(reverse("meetings:swap_answer", args=[swap.pk, "accept"]))
    assert presenters(first) == {b.pk}


def test_swap_request_page_is_only_for_the_presenter(setup, client):
    _group, first, _second, _a, b = setup
    client.force_login(b)
    assert client.get(reverse("meetings:swap_request", args=[first.pk])).status_code == 404


def test_accept_moves_each_preparation_with_its_hot_seat(setup):
    _group, first, second, a, b = setup
    services.save_preparation(
        meeting=first, user=a, story="A's story", value_for_others="", feedback_wanted=""
    )
    services.save_preparation(
        meeting=second, user=b, story="B's story", value_for_others="", feedback_wanted=""
    )
    # A stale one: b prepared the first meeting once, before the rotation moved them.
    Preparation.objects.create(meeting=first, user=b, story="old")
    swap = services.request_swap(
        requester=a, requester_meeting=first, responder=b, responder_meeting=second
    )
    services.accept_swap(swap=swap, by=b)
    stories = {(p.meeting_id, p.user_id): p.story for p in Preparation.objects.all()}
    assert stories == {(second.pk, a.pk): "A's story", (first.pk, b.pk): "B's story"}
