"""Role swaps: facilitator or timekeeper traded like the hot seat (request, accept, decline,
withdraw), pinned against re-plans, re-planned when a pinned holder can't come."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from mastermind.outbox.models import Notification
from meetings import services
from meetings.models import Absence, HotSeat, Meeting, RoleAssignment, SwapRequest, SwapStatus
from tests.meetings.helpers import (
    after_window,
    deliver_all,
    future,
    make_group,
    make_schedule,
    presenters,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

F, T = "facilitator", "timekeeper"


def holder(meeting: Meeting, role: str) -> int | None:
    row = RoleAssignment.objects.filter(meeting=meeting, role=role).first()
    return row.user_id if row else None


def pinned(meeting: Meeting, role: str) -> bool:
    return RoleAssignment.objects.get(meeting=meeting, role=role).pinned


def swappable_pair(group):
    """Two meetings whose facilitators a and b can trade: neither presents at, nor holds the
    other role at, the other's meeting."""
    meetings = future(group)[:8]
    for m1 in meetings:
        for m2 in meetings:
            a, b = holder(m1, F), holder(m2, F)
            if m1 == m2 or a == b:
                continue
            if b in presenters(m1) or a in presenters(m2):
                continue
            if holder(m1, T) == b or holder(m2, T) == a:
                continue
            return m1, m2, a, b
    raise AssertionError("no swappable pair")


@pytest.fixture
def setup():
    group, users = make_group(5)
    make_schedule(group, rotate_facilitator=True, rotate_timekeeper=True)
    m1, m2, a, b = swappable_pair(group)
    for user in users:
        user.language = "en"
        user.save()
    by_pk = {u.pk: u for u in users}
    deliver_all()
    return group, m1, m2, by_pk[a], by_pk[b], users


def ask(a, m1, b, m2, role=F):
    return services.request_swap(
        requester=a, requester_meeting=m1, responder=b, responder_meeting=m2, role=role
    )


def test_request_emails_the_other_member_once_in_their_language(setup):
    _group, m1, m2, a, b, _users = setup
    b.language = "de"
    b.save()
    swap = ask(a, m1, b, m2)
    assert swap.status == SwapStatus.PENDING and swap.role == F
    mails = deliver_all("swap_requested")
    assert [m.to[0] for m in mails] == [b.email]
    assert "Rolle „Moderation“" in mails[0].subject
    assert "Rolle „Moderation“" in mails[0].body
    assert deliver_all("swap_requested") == []  # told once


def test_accept_exchanges_pins_bumps_and_tells_both_once(setup, clock):
    _group, m1, m2, a, b, _users = setup
    a.language = "de"
    a.save()
    seats = {m.pk: presenters(m) for m in (m1, m2)}
    swap = ask(a, m1, b, m2)
    sequences = (m1.sequence, m2.sequence)
    services.accept_swap(swap=swap, by=b)
    assert holder(m1, F) == b.pk and holder(m2, F) == a.pk
    assert pinned(m1, F) and pinned(m2, F)
    assert {m.pk: presenters(m) for m in (m1, m2)} == seats  # the hot seats stay
    m1.refresh_from_db()
    m2.refresh_from_db()
    assert m1.sequence > sequences[0] and m2.sequence > sequences[1]
    assert SwapRequest.objects.get().status == SwapStatus.ACCEPTED
    after_window(clock)
    mails = {m.to[0]: m for m in deliver_all("swap_accepted")}
    assert sorted(mails) == sorted([a.email, b.email])
    assert "Rollentausch angenommen: Moderation" in mails[a.email].subject
    assert "Role swap accepted: Facilitator" in mails[b.email].subject
    assert "The swap of the role “Facilitator” is done" in mails[b.email].body
    assert deliver_all("swap_accepted") == []


def test_accepted_role_swap_survives_a_replan(setup):
    group, m1, m2, a, b, _users = setup
    services.accept_swap(swap=ask(a, m1, b, m2), by=b)
    services.replan_group(group=group)
    services.on_membership_changed(group_id=group.pk)
    assert holder(m1, F) == b.pk and holder(m2, F) == a.pk
    assert pinned(m1, F) and pinned(m2, F)


def test_a_pinned_holder_who_cannot_come_is_replanned(setup):
    _group, m1, m2, a, b, _users = setup
    services.accept_swap(swap=ask(a, m1, b, m2), by=b)
    services.mark_absent(meeting=m1, user=b)
    assert holder(m1, F) not in (None, b.pk)
    assert not pinned(m1, F)  # the rotation's choice, not a swap
    assert holder(m1, F) not in presenters(m1)
    assert holder(m2, F) == a.pk and pinned(m2, F)


def test_decline_keeps_the_roles_and_tells_the_requester(setup):
    _group, m1, m2, a, b, _users = setup
    swap = ask(a, m1, b, m2)
    services.decline_swap(swap=swap, by=b)
    assert holder(m1, F) == a.pk and holder(m2, F) == b.pk
    assert not pinned(m1, F)
    mails = deliver_all("swap_declined")
    assert [m.to[0] for m in mails] == [a.email]
    assert "Role swap declined: Facilitator" in mails[0].subject
    with pytest.raises(ValidationError):
        services.accept_swap(swap=swap, by=b)


def test_withdraw_tells_the_responder(setup):
    _group, m1, m2, a, b, _users = setup
    services.withdraw_swap(swap=ask(a, m1, b, m2), by=a)
    mails = deliver_all("swap_withdrawn")
    assert [m.to[0] for m in mails] == [b.email]
    assert "the role “Facilitator”" in mails[0].body


def refused(message: str, a, m1, b, m2, role=F) -> None:
    before = (SwapRequest.objects.count(), Notification.objects.count())
    with translation.override("en"), pytest.raises(ValidationError) as error:
        ask(a, m1, b, m2, role)
    assert message in " ".join(error.value.messages)
    assert (SwapRequest.objects.count(), Notification.objects.count()) == before


def test_a_role_you_no_longer_hold_is_refused(setup):
    _group, m1, m2, a, b, users = setup
    refused("You no longer hold the role “Facilitator”", b, m1, a, m2)
    c = next(u for u in users if u.pk not in (a.pk, b.pk))
    refused("The other person no longer holds the role “Facilitator”", a, m1, c, m2)


def test_an_absent_other_person_is_refused(setup):
    _group, m1, m2, a, b, _users = setup
    Absence.objects.create(meeting=m1, user=b)
    refused("One of you can't come to the other meeting.", a, m1, b, m2)


def test_the_other_person_cannot_take_the_role_where_they_present(setup):
    _group, m1, m2, a, b, _users = setup
    HotSeat.objects.filter(meeting=m1).update(user=b)  # b now presents at a's meeting
    refused(f"{b.first_name} is on the hot seat at your meeting", a, m1, b, m2)


def test_you_cannot_take_the_role_where_you_present(setup):
    _group, m1, m2, a, b, _users = setup
    HotSeat.objects.filter(meeting=m2).update(user=a)
    refused("You are on the hot seat at the other meeting", a, m1, b, m2)


def test_a_presenter_may_take_the_role_when_nobody_else_is_free(setup):
    _group, m1, m2, a, b, users = setup
    # At m1 only a and b can come and both present: somebody presenting must facilitate.
    for user in users:
        if user.pk not in (a.pk, b.pk):
            Absence.objects.create(meeting=m1, user=user)
    HotSeat.objects.filter(meeting=m1).delete()
    HotSeat.objects.create(meeting=m1, user=a)
    HotSeat.objects.create(meeting=m1, user=b)
    assert ask(a, m1, b, m2).status == SwapStatus.PENDING


def test_the_other_role_at_that_meeting_is_refused(setup):
    _group, m1, m2, a, b, _users = setup
    RoleAssignment.objects.filter(meeting=m1, role=T).update(user=b)
    refused("already holds another role at your meeting", a, m1, b, m2)


def test_a_role_the_group_does_not_rotate_is_refused(setup):
    group, m1, m2, a, b, _users = setup
    schedule = group.schedule
    schedule.rotate_timekeeper = False
    services.save_schedule(schedule=schedule)
    refused("does not rotate the role “Timekeeper”", a, m1, b, m2, T)


def test_accept_checks_again_and_changes_nothing_when_things_moved(setup):
    _group, m1, m2, a, b, _users = setup
    swap = ask(a, m1, b, m2)
    Absence.objects.create(meeting=m2, user=a)
    with pytest.raises(ValidationError):
        services.accept_swap(swap=swap, by=b)
    assert SwapRequest.objects.get().status == SwapStatus.PENDING
    assert holder(m1, F) == a.pk and holder(m2, F) == b.pk
