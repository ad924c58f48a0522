"""A whole round as a state machine (issue 13): random sequences of real actions.

Every action goes through the services the pages and the admin use; after each one the
worker's part runs (the reminder sweep, which also derives the calendar emails, and the
outbox delivering what is due), and the invariants are checked against what members
actually receive: their feed over HTTP and the iMIP messages in their inbox.

On-commit work (the groups' events, the feed cache) runs at the end of each action, as it
would on commit; each example rolls back to a savepoint, so examples are independent.
The example count follows the Hypothesis profile: 3 examples of 20 steps in ``dev`` and
``ci``, 33 in ``thorough`` (``pytest --hypothesis-profile=thorough``).

Both groups have a term (issue 16): the first renews by a month at each end, the second's
intake has no term length, so after its end it meets without one. Members answer the
renewal question through its signed link; the clock can jump to a term's end, where the
worker's renewal sweep ends it. Leavers leave, a group where nobody continues ends, and a
continuing group gets its next term's meetings (checked in ``round_model.term_problems``).
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from groups import signing
from groups.models import Group, GroupStatus, Membership, RenewalAnswer
from groups.services import groups as group_services
from groups.services import renewal
from groups.services.groups import GroupsError
from mastermind.outbox.models import Notification, NotificationStatus
from mastermind.privacy.services import delete_account
from meetings import services
from meetings.calendar import feed as calendar
from meetings.calendar.invitations import invitation_window
from meetings.models import (
    Meeting,
    MeetingStatus,
    Pause,
    RoleAssignment,
    Schedule,
    SwapRequest,
)
from meetings.reminders import sweep as reminders
from meetings.services import attendance, swaps
from tests.factories import GroupFactory, IntakeFactory, MembershipFactory, UserFactory
from tests.meetings import round_model as model
from tests.meetings.helpers import BERLIN, deliver_all

pytestmark = pytest.mark.django_db

START = dt.datetime(2027, 1, 4, 10, 0, tzinfo=BERLIN)  # a Monday morning
# The first group's term ends after four weeks and renews by a month; the second's after
# five, with no term after it.
TERMS = ((dt.date(2027, 2, 1), 1), (dt.date(2027, 2, 8), None))
GROUPS, MEMBERS = 2, 4
# Merged: told in the email of another row of its batch (mastermind/outbox/batches.py).
FINAL = (
    NotificationStatus.SENT,
    NotificationStatus.SKIPPED,
    NotificationStatus.EXPIRED,
    NotificationStatus.MERGED,
)


class Round(RuleBasedStateMachine):
    capture = None  # django_capture_on_commit_callbacks, set by the test

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()
        cache.clear()
        mail.outbox.clear()
        with self.capture(execute=True):
            self.groups = [
                GroupFactory(
                    name=f"Gruppe {i}",
                    intake=IntakeFactory(term_months=months),
                    term_ends_on=ends,
                )
                for i, (ends, months) in enumerate(TERMS)
            ]
            self.users = []
            for group in self.groups:
                for _ in range(MEMBERS):
                    user = UserFactory()
                    MembershipFactory(
                        group=group, user=user, joined_at=START - dt.timedelta(days=30)
                    )
                    calendar.set_calendar_invitations(user=user, enabled=True)
                    self.users.append(user)
                # The second group has two hot seats a meeting and both roles; the first
                # one hot seat and a facilitator.
                services.save_schedule(
                    schedule=Schedule(
                        group=group,
                        first_date=dt.date(2027, 1, 5),
                        weekday=1,
                        hot_seats=2 if group is self.groups[1] else 1,
                        rotate_facilitator=True,
                        rotate_timekeeper=group is self.groups[1],
                    )
                )
        self.feeds = {
            user.pk: calendar.feed_path(calendar.settings_for(user)) for user in self.users
        }
        self.seen: dict[tuple[int, str], model.FeedEvent] = {}
        self.validators: dict[int, tuple[str, str, frozenset]] = {}
        self.imip: dict[tuple[str, str], tuple[str, model.FeedEvent]] = {}
        self.imip_keys: set[tuple[str, str, int, str]] = set()
        self.requested: dict[tuple[str, str], int] = {}
        self.deleted: set[int] = set()
        self.previous_end: dict[int, dt.date] = {}  # a group's last term end that it outlived
        self.work()

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)
        self.traveller.stop()
        cache.clear()

    # -- helpers ---------------------------------------------------------------------

    @property
    def now(self) -> dt.datetime:
        from django.utils import timezone

        return timezone.now()

    def upcoming(self, index: int, *statuses) -> Meeting | None:
        rows = list(
            Meeting.objects.filter(starts_at__gt=self.now, status__in=statuses or ["scheduled"])
            .filter(starts_at__lt=self.now + dt.timedelta(days=60))
            .order_by("starts_at", "pk")
        )
        return rows[index % len(rows)] if rows else None

    def membership(self, index: int) -> Membership | None:
        rows = list(Membership.objects.current(self.now).order_by("pk"))
        return rows[index % len(rows)] if rows else None

    def act(self, action, *args, **kwargs):
        """Run one action as a request would: its on-commit work at the end; refused input
        (a ValidationError or PermissionDenied) changes nothing."""
        self.clock.shift(dt.timedelta(minutes=1))  # a while after the last feed poll
        sid = transaction.savepoint()
        try:
            with self.capture(execute=True):
                action(*args, **kwargs)
        except (ValidationError, PermissionDenied, GroupsError):
            transaction.savepoint_rollback(sid)
        else:
            transaction.savepoint_commit(sid)
        self.work()

    def work(self):
        """The worker's minute: the sweep claims what is due, the outbox sends it."""
        with self.capture(execute=True):
            renewal.sweep(self.now)  # first: a term moving on creates meetings to invite to
        with self.capture(execute=True):
            reminders.sweep(self.now)
        sent = deliver_all()
        for to, method, event in model.imip_messages(sent):
            key = (to, event.uid, event.sequence, method)
            assert key not in self.imip_keys, f"sent twice: {key}"
            self.imip_keys.add(key)
            if method == "CANCEL":  # RFC 5546: a CANCEL outranks the REQUEST it withdraws
                requested = self.requested.get((to, event.uid), -1)
                assert event.sequence > requested, f"CANCEL of {event.uid} not above REQUEST"
            else:
                self.requested[(to, event.uid)] = event.sequence
            self.imip[(to, event.uid)] = (method, event)

    # -- actions ---------------------------------------------------------------------

    @rule(
        group=st.integers(0, GROUPS - 1),
        weekday=st.integers(0, 4),
        hour=st.integers(17, 20),
        every=st.integers(1, 3),
    )
    def edit_schedule(self, group, weekday, hour, every):
        schedule = Schedule.objects.get(group=self.groups[group])
        schedule.weekday, schedule.every_weeks = weekday, every
        schedule.start_time = dt.time(hour, 0)
        self.act(services.save_schedule, schedule=schedule)

    @rule(
        group=st.none() | st.integers(0, GROUPS - 1),
        days=st.integers(0, 50),
        length=st.integers(0, 20),
    )
    def add_pause(self, group, days, length):
        first = self.now.astimezone(BERLIN).date() + dt.timedelta(days=days)
        target = None if group is None else self.groups[group]

        def pause():
            Pause.objects.create(
                name="Pause",
                group=target,
                start_date=first,
                end_date=first + dt.timedelta(days=length),
            )
            services.sync_after_pause_change(group=target)

        self.act(pause)

    @rule(index=st.integers(0, 10))
    def remove_pause(self, index):
        pauses = list(Pause.objects.order_by("pk"))
        if pauses:
            pause = pauses[index % len(pauses)]

            def remove():
                group = pause.group
                pause.delete()
                services.sync_after_pause_change(group=group)

            self.act(remove)

    @rule(index=st.integers(0, 50))
    def cancel(self, index):
        meeting = self.upcoming(index)
        if meeting:
            self.act(services.cancel_meeting, meeting=meeting, reason="Raum belegt")

    @rule(index=st.integers(0, 50), days=st.integers(-3, 10), hour=st.integers(8, 21))
    def move(self, index, days, hour):
        meeting = self.upcoming(index)
        if meeting:
            local = meeting.starts_at.astimezone(BERLIN) + dt.timedelta(days=days)
            target = local.replace(hour=hour)
            self.act(services.move_meeting, meeting=meeting, starts_at=target, reason="")

    @rule(member=st.integers(0, 50), index=st.integers(0, 50))
    def cannot_come(self, member, index):
        membership = self.membership(member)
        meetings = list(
            Meeting.objects.filter(
                group=membership.group if membership else None, starts_at__gt=self.now
            )
            .filter(status=MeetingStatus.SCHEDULED)
            .order_by("starts_at")[:6]
        )
        if membership and meetings:
            meeting = meetings[index % len(meetings)]
            self.act(attendance.mark_absent, meeting=meeting, user=membership.user)

    @rule(index=st.integers(0, 50), other=st.integers(0, 50))
    def swap(self, index, other):
        meeting = self.upcoming(index)
        if meeting is None:
            return
        mine = meeting.hot_seats.first()
        theirs = list(
            Meeting.objects.filter(
                group=meeting.group, starts_at__gt=self.now, hot_seats__isnull=False
            )
            .filter(status=MeetingStatus.SCHEDULED)
            .exclude(pk=meeting.pk)
            .exclude(hot_seats__user=mine.user if mine else None)
            .order_by("starts_at")
        )
        if mine is None or not theirs:
            return
        target = theirs[other % len(theirs)]
        responder = target.hot_seats.first().user

        def request_and_accept():
            swap = swaps.request_swap(
                requester=mine.user,
                requester_meeting=meeting,
                responder=responder,
                responder_meeting=target,
            )
            swaps.accept_swap(swap=SwapRequest.objects.get(pk=swap.pk), by=responder)

        self.act(request_and_accept)

    @rule(
        index=st.integers(0, 50),
        other=st.integers(0, 50),
        role=st.sampled_from(["facilitator", "timekeeper"]),
    )
    def swap_role(self, index, other, role):
        """Two role holders trade turns (refused when it would break the separation); the
        rotation invariant then checks pins from the rows, and later absences undo them."""
        meeting = self.upcoming(index)
        mine = meeting and RoleAssignment.objects.filter(meeting=meeting, role=role).first()
        if mine is None:
            return
        theirs = list(
            RoleAssignment.objects.filter(
                meeting__group=meeting.group,
                meeting__starts_at__gt=self.now,
                meeting__status=MeetingStatus.SCHEDULED,
                role=role,
            )
            .exclude(meeting=meeting)
            .exclude(user_id=mine.user_id)
            .exclude(meeting__hot_seats__user_id=mine.user_id)  # mostly swaps that can work
            .exclude(user_id__in=meeting.hot_seats.values("user_id"))
            .select_related("user", "meeting")
            .order_by("meeting__starts_at")
        )
        if not theirs:
            return
        target = theirs[other % len(theirs)]

        def request_and_accept():
            swap = swaps.request_swap(
                requester=mine.user,
                requester_meeting=meeting,
                responder=target.user,
                responder_meeting=target.meeting,
                role=role,
            )
            swaps.accept_swap(swap=SwapRequest.objects.get(pk=swap.pk), by=target.user)

        self.act(request_and_accept)

    @rule(member=st.integers(0, 50))
    def leave(self, member):
        membership = self.membership(member)
        if membership:
            self.act(group_services.leave_group, membership=membership, reason="")

    @rule(group=st.integers(0, GROUPS - 1))
    def end_group(self, group):
        self.act(group_services.end_group, group=self.groups[group])

    @rule(
        group=st.integers(0, GROUPS - 1),
        field=st.sampled_from(["video_url", "name", "description"]),
        value=st.integers(0, 3),
    )
    def edit_group(self, group, field, value):
        text = {
            "video_url": f"https://meet.example.org/raum-{value}",
            "name": f"Gruppe {group} ({value})",
            "description": f"Wir treffen uns online, Runde {value}.",
        }[field]
        fresh = Group.objects.get(pk=self.groups[group].pk)
        self.act(group_services.update_group, group=fresh, **{field: text})

    @rule(member=st.integers(0, 50))
    def delete_account(self, member):
        membership = self.membership(member)
        if membership:
            self.deleted.add(membership.user_id)
            self.act(delete_account, user=membership.user)

    @rule(member=st.integers(0, 50), leave=st.booleans())
    def answer_renewal(self, member, leave):
        membership = self.membership(member)
        if membership is None or membership.group.term_ends_on is None:
            return
        token = renewal.answer_link_token(membership)

        def answer():
            # The term ended meanwhile: the page says so, nothing changes.
            with contextlib.suppress(signing.BadToken):
                renewal.answer(token=token, answer="leave" if leave else "continue")

        self.act(answer)

    @rule(group=st.integers(0, GROUPS - 1))
    def clock_passes_term_end(self, group):
        fresh = Group.objects.get(pk=self.groups[group].pk)
        if fresh.status != GroupStatus.ACTIVE or fresh.term_ends_on is None:
            return
        current = list(fresh.memberships.current(self.now))
        nobody_continues = all(m.renewal_answer == RenewalAnswer.LEAVE for m in current)
        target = dt.datetime.combine(fresh.term_ends_on, dt.time(0, 30), tzinfo=BERLIN)
        self.clock.shift(max(target - self.now, dt.timedelta(minutes=1)))
        self.work()
        fresh.refresh_from_db()
        if nobody_continues:
            assert fresh.status == GroupStatus.ENDED, "nobody continued, the group goes on"
        else:
            assert fresh.status == GroupStatus.ACTIVE
            self.previous_end[fresh.pk] = target.date()

    @rule(hours=st.sampled_from([1, 5, 23, 24, 49, 24 * 7]))
    def time_passes(self, hours):
        self.clock.shift(dt.timedelta(hours=hours))
        self.work()

    # -- invariants ------------------------------------------------------------------

    def fetch_feed(self, user_id: int) -> tuple[list[model.FeedEvent], object] | None:
        response = Client().get(self.feeds[user_id])
        if response.status_code == 404 and user_id in self.deleted:
            return None
        assert response.status_code == 200, response.status_code
        _method, events = model.parse_events(response.content)
        return events, response

    @invariant()
    def feeds_show_exactly_the_current_groups(self):
        now = self.now
        for user in self.users:
            fetched = self.fetch_feed(user.pk)
            if fetched is None:
                continue
            events, response = fetched
            groups = model.current_group_ids(user.pk, now)
            future = {e.uid: e for e in events if e.start > now}
            expected = {
                model.uid_of(m.pk): m
                for m in Meeting.objects.filter(group_id__in=groups, starts_at__gt=now)
                .filter(starts_at__lt=now + dt.timedelta(days=300))
                .exclude(status=MeetingStatus.SKIPPED)
            }
            held = {uid for uid, m in expected.items() if m.status == MeetingStatus.SCHEDULED}
            assert held <= set(future), f"user {user.pk} misses {held - set(future)}"
            strangers = set(future) - set(expected)
            for uid in strangers:
                assert future[uid].status == "CANCELLED", (
                    f"user {user.pk} sees {uid} of another group"
                )
            for uid in set(future) - held:
                assert future[uid].status == "CANCELLED", f"{uid} does not take place"
            self.check_sequences(user.pk, events, response)

    def check_sequences(self, user_id, events, response):
        for event in events:
            before = self.seen.get((user_id, event.uid))
            if before is not None:
                assert event.sequence >= before.sequence, f"SEQUENCE fell for {event.uid}"
                if event.content != before.content:
                    changed = model.changed_properties(before, event)
                    detail = model.describe_change(before, event)
                    assert event.sequence > before.sequence, (
                        f"{event.uid} changed {changed} without a new SEQUENCE: {detail}"
                    )
            self.seen[(user_id, event.uid)] = event
        content = frozenset((e.uid, e.content) for e in events)
        etag, modified = response["ETag"], response["Last-Modified"]
        previous = self.validators.get(user_id)
        if previous and previous[2] != content:
            assert etag != previous[0], "the feed changed but kept its ETag"
            again = Client().get(self.feeds[user_id], HTTP_IF_MODIFIED_SINCE=previous[1])
            assert again.status_code == 200, "If-Modified-Since got 304 for changed content"
        self.validators[user_id] = (etag, modified, content)

    @invariant()
    def invitations_agree_with_the_feed(self):
        now = self.now
        window_end = now + invitation_window() - dt.timedelta(days=15)
        for user in self.users:
            if user.pk in self.deleted:
                continue
            groups = model.current_group_ids(user.pk, now)
            for meeting in Meeting.objects.filter(starts_at__gt=now, starts_at__lt=window_end):
                last = self.imip.get((user.email, model.uid_of(meeting.pk)))
                if meeting.status == MeetingStatus.SCHEDULED and meeting.group_id in groups:
                    assert last is not None, f"{user.email} was never invited to {meeting.pk}"
                    method, event = last
                    assert method == "REQUEST", f"{user.email}: last for {meeting.pk} is {method}"
                    assert event.sequence == meeting.sequence
                    assert event.start == meeting.starts_at
                elif last is not None:
                    assert last[0] == "CANCEL", (
                        f"{user.email} keeps {meeting.pk} ({meeting.status})"
                    )

    @invariant()
    def hot_seats_and_roles_are_safe_and_fair(self):
        for group in self.groups:
            assert model.rotation_problems(group.pk, self.now) == []

    @invariant()
    def meetings_do_not_overlap_and_ended_groups_have_none(self):
        now = self.now
        for group in self.groups:
            group.refresh_from_db()
            future = list(Meeting.objects.filter(group=group, starts_at__gt=now))
            assert model.overlaps(future) == []
            if group.status == GroupStatus.ENDED:
                held = [m.pk for m in future if m.status == MeetingStatus.SCHEDULED]
                assert held == [], f"ended group {group.pk} still meets: {held}"

    @invariant()
    def terms_end_and_renew_as_answered(self):
        now = self.now
        for group in self.groups:
            previous = self.previous_end.get(group.pk)
            assert model.term_problems(group.pk, now, previous) == []
            for user_id, group_id in model.leavers_of(group.pk):
                fetched = None if user_id in self.deleted else self.fetch_feed(user_id)
                if fetched is None:
                    continue
                theirs = {
                    model.uid_of(pk)
                    for pk in Meeting.objects.filter(
                        group_id=group_id, starts_at__gt=now
                    ).values_list("pk", flat=True)
                }
                held = [e.uid for e in fetched[0] if e.uid in theirs and e.status != "CANCELLED"]
                assert held == [], f"leaver {user_id} still has {held}"

    @invariant()
    def every_email_reached_its_end(self):
        stuck = Notification.objects.exclude(status__in=FINAL).filter(due_at__lte=self.now)
        assert list(stuck.values_list("kind", "status", "last_error")) == []
        merged = Notification.objects.filter(status=NotificationStatus.MERGED)
        # The mail server never fails here: every merged row was told in a sent email.
        assert not merged.exclude(merged_into__status=NotificationStatus.SENT).exists()


def test_a_whole_round_keeps_every_place_consistent(django_capture_on_commit_callbacks, settings_):
    Round.capture = staticmethod(django_capture_on_commit_callbacks)
    current = settings()
    run_state_machine_as_test(
        Round,
        settings=settings(
            max_examples=max(3, current.max_examples // 30),  # thorough: 33
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )


@pytest.fixture(name="settings_")
def short_horizon(settings):
    settings.MEETING_HORIZON_DAYS = 120  # four months of meetings keep each step quick
    return settings
