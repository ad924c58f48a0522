"""Hot-seat rotation through the services: plans, re-plans, emails, and a fairness property."""

import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groups.events import membership_closed
from groups.models import Membership
from meetings import services
from meetings.models import Absence, HotSeat, Meeting, MeetingStatus
from meetings.services.hot_seat import replan_group
from meetings.services.schedule import sync_all
from tests.factories import MemberSettingsFactory, MembershipFactory, UserFactory
from tests.helpers import examples
from tests.meetings.helpers import (
    NOW,
    after_window,
    deliver_all,
    future,
    leave,
    make_group,
    make_schedule,
    presenters,
)

pytestmark = pytest.mark.django_db


def plan_of(group) -> dict[int, set[int]]:
    return {m.pk: presenters(m) for m in Meeting.objects.filter(group=group)}


@pytest.mark.usefixtures("clock")
def test_every_future_meeting_gets_a_presenter_in_round_robin_order():
    group, users = make_group(4)
    make_schedule(group)
    order = [next(iter(presenters(m))) for m in future(group)]
    assert set(order[:4]) == {u.pk for u in users}
    assert order[4:8] == order[:4]


@pytest.mark.usefixtures("clock")
def test_two_seats_per_meeting():
    group, _users = make_group(4)
    make_schedule(group, hot_seats=2)
    assert all(len(presenters(m)) == 2 for m in future(group))


@pytest.mark.usefixtures("clock")
def test_absent_presenter_gives_the_seat_to_the_next_in_line():
    group, users = make_group(4)
    make_schedule(group)
    first, second = future(group)[:2]
    presenter = next(iter(presenters(first)))
    next_in_line = presenters(second)
    user = next(u for u in users if u.pk == presenter)
    services.mark_absent(meeting=first, user=user)
    assert presenters(first) == next_in_line
    assert presenter in presenters(second)  # due again at once


@pytest.mark.usefixtures("clock")
def test_presenter_change_bumps_the_sequence_only_where_presenters_changed():
    group, users = make_group(4)
    make_schedule(group)
    meetings = future(group)
    before = {m.pk: m.sequence for m in meetings}
    old_plan = plan_of(group)
    user = next(u for u in users if u.pk in presenters(meetings[0]))
    services.mark_absent(meeting=meetings[0], user=user)
    new_plan = plan_of(group)
    for meeting in Meeting.objects.filter(pk__in=before):
        changed = old_plan[meeting.pk] != new_plan[meeting.pk]
        assert meeting.sequence == before[meeting.pk] + changed


def test_hot_seat_moved_email_goes_once_to_exactly_the_affected_people(clock):
    group, users = make_group(4)
    make_schedule(group)
    deliver_all()
    old_plan = plan_of(group)
    first = future(group)[0]
    absent_user = next(u for u in users if u.pk in presenters(first))
    services.mark_absent(meeting=first, user=absent_user)
    new_plan = plan_of(group)
    affected = set().union(*(old_plan[pk] ^ new_plan[pk] for pk in old_plan))
    after_window(clock)
    sent = deliver_all("hot_seat_changed")
    emails = {u.pk: u.email for u in users}
    assert sorted(m.to[0] for m in sent) == sorted(emails[pk] for pk in affected)
    replan_group(group=group)  # nothing changed: nothing new to tell
    after_window(clock)
    assert deliver_all("hot_seat_changed") == []


def test_hot_seat_email_respects_the_members_setting(clock):
    group, users = make_group(4)
    make_schedule(group)
    first = future(group)[0]
    absent_user = next(u for u in users if u.pk in presenters(first))
    MemberSettingsFactory(user=absent_user, hot_seat_changes=False)
    services.mark_absent(meeting=first, user=absent_user)
    after_window(clock)
    recipients = {m.to[0] for m in deliver_all("hot_seat_changed")}
    assert recipients and absent_user.email not in recipients


@pytest.mark.usefixtures("clock")
def test_membership_signal_replans_without_the_departed_member():
    group, users = make_group(4)
    make_schedule(group)
    gone = users[0]
    Membership.objects.filter(user=gone).update(left_at=NOW)
    left = Membership.objects.get(user=gone)
    membership_closed.send(sender=Membership, group_id=group.pk, membership_ids=[left.pk])
    assert all(gone.pk not in presenters(m) for m in future(group))


@pytest.mark.usefixtures("clock")
def test_new_member_joins_the_rotation_soon():
    group, _users = make_group(3)
    make_schedule(group)
    newcomer = UserFactory()
    MembershipFactory(group=group, user=newcomer, joined_at=NOW)
    services.on_membership_changed(group_id=group.pk)
    first_round = [presenters(m) for m in future(group)[:4]]
    assert {newcomer.pk} in first_round  # everyone once before anyone twice


@pytest.mark.usefixtures("clock")
def test_past_hot_seats_are_history_and_never_change(clock):
    group, users = make_group(4)
    make_schedule(group)
    past_meeting = future(group)[0]
    past_presenters = presenters(past_meeting)
    clock.move_to(past_meeting.ends_at)
    leave(group, next(u for u in users if u.pk in past_presenters), past_meeting.ends_at)
    assert presenters(past_meeting) == past_presenters


# -- the fairness property, end to end -------------------------------------------------------

operation = st.one_of(
    st.tuples(st.just("absent"), st.integers(0, 7), st.integers(0, 5)),
    st.tuples(st.just("present"), st.integers(0, 7), st.integers(0, 5)),
    st.tuples(st.just("leave"), st.integers(0, 5), st.integers(0, 60)),
    st.tuples(st.just("join"), st.integers(0, 60), st.just(0)),
    st.tuples(st.just("advance"), st.integers(1, 40), st.just(0)),
)


def _check_fair(group) -> None:
    """Walk all held meetings in order: safety and the rotation's fairness invariant."""
    windows = [(m.user_id, m.joined_at, m.left_at) for m in Membership.objects.filter(group=group)]
    last: dict[int, dt.datetime] = {}
    meetings = Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED).order_by(
        "starts_at", "pk"
    )
    for meeting in meetings:
        absent = set(Absence.objects.filter(meeting=meeting).values_list("user_id", flat=True))
        eligible = {
            uid
            for uid, joined, left in windows
            if joined <= meeting.starts_at and (left is None or meeting.starts_at < left)
        }
        available = eligible - absent
        chosen = presenters(meeting)
        assert chosen <= available, "absent or departed presenter"
        assert len(chosen) == min(1, len(available))
        never = dt.datetime.min.replace(tzinfo=dt.UTC)
        for p in chosen:
            for q in available - chosen:
                assert last.get(q, never) >= last.get(p, never), "someone presents twice first"
        for p in chosen:
            last[p] = meeting.starts_at


# Each example builds a group, a year of meetings and replans it up to eight times.
@settings(
    max_examples=examples(0.25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    members=st.integers(2, 5),
    late_joiners=st.lists(st.integers(1, 80), max_size=2),
    ops=st.lists(operation, max_size=8),
)
def test_rotation_stays_fair_through_random_absences_joins_and_leaves(members, late_joiners, ops):
    with time_machine.travel(NOW, tick=False) as traveller:
        now = NOW
        group, users = make_group(members)
        for days in late_joiners:
            user = UserFactory()
            MembershipFactory(group=group, user=user, joined_at=NOW + dt.timedelta(days=days))
            users.append(user)
        make_schedule(group)
        for kind, a, b in ops:
            past = {
                m.pk: presenters(m) for m in Meeting.objects.filter(group=group, starts_at__lte=now)
            }
            upcoming = future(group, now)
            current = list(Membership.objects.current(now).filter(group=group))
            if kind in ("absent", "present") and upcoming and current:
                meeting, member = upcoming[a % len(upcoming)], current[b % len(current)].user
                if kind == "absent":
                    services.mark_absent(meeting=meeting, user=member)
                else:
                    services.mark_present(meeting=meeting, user=member)
            elif kind == "leave" and current:
                leave(group, current[a % len(current)].user, now + dt.timedelta(days=b))
            elif kind == "join":
                MembershipFactory(group=group, joined_at=now + dt.timedelta(days=a))
                services.on_membership_changed(group_id=group.pk)
            elif kind == "advance":
                now += dt.timedelta(days=a)
                traveller.move_to(now)
                sync_all(groups=[group])
            after = {m.pk: presenters(m) for m in Meeting.objects.filter(pk__in=past)}
            assert after == past, "a past meeting changed"
        _check_fair(group)
        assert (
            not HotSeat.objects.filter(meeting__group=group)
            .exclude(meeting__status=MeetingStatus.SCHEDULED)
            .filter(meeting__starts_at__gt=now)
            .exists()
        )
