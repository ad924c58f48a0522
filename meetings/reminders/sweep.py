"""The reminder sweep: derive from the database what is due now and claim it once.

What is sent
------------
- ``meeting_reminder``: 24 h before the start (``Schedule.reminder_hours_before``; 0 turns
  it off) to every current member who has not said they can't come.
- ``meeting_reminder_second``: ``Schedule.second_reminder_minutes_before`` before the
  start, to the same people; only if the schedule sets it.
- ``preparation_reminder``: 5 days before the start (``preparation_reminder_days``) to
  the hot-seat presenter(s), with the preparation questions.
- ``commitments_prompt``: 60 min after the end (``commitments_prompt_minutes_after``) to
  the members who were not absent.
- ``intake_digest``: when an intake's deadline passes, to ``settings.ORGANISER_EMAILS``,
  else to the active staff users.
- ``meeting_recap``: ``settings.RECAP_DELAY_MINUTES`` after the end, to the current
  members (:mod:`meetings.reminders.recaps`).
- ``health_digest``: Monday mornings, to the same organisers as the intake digest, listing
  the groups that need attention (:mod:`meetings.reminders.health_digest`).

Each kind can be turned off per person (``MemberSettings``: meeting_reminders,
preparation_reminders, commitment_prompts, organiser_digests). A group without a
schedule uses the defaults. Only meetings with status "scheduled" count.

The sweep (every minute, from Celery beat)
------------------------------------------
For each kind one SQL query finds the meetings whose *send time* (start − offset, or
end + offset, with the group's own offset computed in the database) lies in the window
``[now − LOOKBACK, now]``. Because the window looks back six hours, a worker, broker or
beat outage of up to six hours is caught up by the first sweep after it; a longer
outage drops reminders that would now be useless anyway. Three more queries per kind
load the recipients (current members with the preference on), the absences, and the
keys already claimed. Nothing is ever scheduled as a far-future ETA task: the database
is the schedule, so editing it (cancel, move, absence, preference) is all it takes.

The sweep hands the outbox only keys not claimed yet, so a row already queued is not
queued again every minute (``requeue_stuck`` is the backstop for lost messages), and the
steady-state sweep, with everything due already claimed, inserts and publishes nothing.

The number of queries does not depend on how many reminders are due: a fixed handful
per kind, skipped for kinds with nothing due, plus the outbox's insert and key lookup
in batches of 5,000 (13 queries for 500 or 5,000 due on PostgreSQL before recaps and
the health digest, 17-20 with them, see ``bench/bench_sweep.py``).

Exactly once per (kind, meeting, recipient, time)
-------------------------------------------------
Every candidate becomes an unsaved ``Notification`` whose unique ``dedup_key`` is the
claim: ``"{kind}:{meeting}:{user}:{anchor}"``, where *anchor* is the meeting's start
(its end for the commitments prompt) in UTC to the minute, e.g.
``meeting_reminder:42:7:20270302T1800Z``. ``outbox.claim_many`` inserts all of them in
one batch with ``ON CONFLICT DO NOTHING`` and queues the new rows after commit, so two
beats, two parallel sweeps or a sweep repeated within the window claim each key once.

*Why the anchor is in the key.* When the organiser moves a meeting, the reminder has
to follow the new time. With the anchor in the key the new time is a new claim (sent
at the new time − offset), and a reminder claimed for the old time is skipped by its
builder, which sees that the meeting no longer starts at the key's anchor. Without it,
a reminder already sent for the old date would suppress the one for the new date.
Changing only an offset (e.g. 24 h → 48 h) does not change the key, so nobody gets a
second reminder for the same meeting time. A meeting moved so late that its new send
time is already more than ``LOOKBACK`` ago gets no reminder from the sweep: members
hear about such a short-notice change from the calendar part's change email instead.

At send time the builder (``meetings/notifications_reminders.py``) checks again, on
fresh rows, everything the sweep checked: the meeting is still scheduled and at the
same time, the recipient is active, still a current member (still a presenter for the
preparation reminder), not absent, and still wants this kind. Anything else is
*skipped* (recorded, not sent). A reminder that would arrive after its meeting started
(or a commitments prompt more than a day late) raises ``outbox.Expired`` and is
recorded as *expired*, not sent.

Publishing, failures and the one duplicate window
-------------------------------------------------
The new rows' ids are published after commit in batches (``outbox.SEND_BATCH_SIZE`` ids
per task, over one broker connection), to the "mail" queue; the sweep itself runs on the
"sweeps" queue, so it never waits behind a backlog of sends. SMTP and provider errors,
permanent refusals, the retry schedule, the circuit breaker and the at-least-once window
are the outbox's (``mastermind/outbox/delivery.py``, where the retry limit is stated). A
message lost in the broker is re-queued by ``outbox.requeue_stuck``, which beat runs on
its own once a minute (not from the sweep).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator
from django.db import transaction
from django.db.models import DurationField, Expression, F, Func, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from groups.models import Intake, Membership
from mastermind import outbox
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification
from meetings.calendar import invitations
from meetings.models import Absence, HotSeat, Meeting, MeetingStatus, Schedule
from meetings.reminders import health_digest, recaps
from meetings.services.preferences import wants_q

LOOKBACK = timedelta(hours=6)
# A commitments prompt found more than this after its send time is no longer useful.
COMMITMENTS_PROMPT_STALE_AFTER = timedelta(days=1)

MEETING_REMINDER = EmailKind.MEETING_REMINDER
SECOND_REMINDER = EmailKind.SECOND_REMINDER
PREPARATION_REMINDER = EmailKind.PREPARATION_REMINDER
COMMITMENTS_PROMPT = EmailKind.COMMITMENTS_PROMPT
INTAKE_DIGEST = EmailKind.INTAKE_DIGEST


class MinutesInterval(Func):
    """An integer number of minutes as a SQL interval, so ``starts_at - offset`` works."""

    output_field = DurationField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "make_interval(mins => %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores durations on SQLite as integer microseconds.
        return self.as_sql(compiler, connection, template="(%(expressions)s * 60000000)", **extra)


def _schedule_max(field_name: str) -> int:
    """The largest value a schedule allows (its MaxValueValidator), for an index range."""
    validators = Schedule._meta.get_field(field_name).validators
    return max(v.limit_value for v in validators if isinstance(v, MaxValueValidator))


def _schedule_default(field_name: str) -> int | None:
    return Schedule._meta.get_field(field_name).get_default()


@dataclass(frozen=True)
class MeetingKind:
    """One kind of meeting email: when it is due and to whom."""

    name: str
    preference: str  # the MemberSettings field that turns it off
    schedule_field: str
    minutes_per_unit: int
    after_end: bool = False
    presenters_only: bool = False

    @property
    def anchor_field(self) -> str:
        return "ends_at" if self.after_end else "starts_at"

    @property
    def default_units(self) -> int | None:
        return _schedule_default(self.schedule_field)

    @property
    def max_offset(self) -> timedelta:
        return timedelta(minutes=_schedule_max(self.schedule_field) * self.minutes_per_unit)

    def offset(self, schedule: Schedule | None) -> timedelta | None:
        """The offset for a group's schedule (None: not sent for this group)."""
        units = getattr(schedule, self.schedule_field) if schedule else self.default_units
        if units is None or (units == 0 and not self.after_end):
            return None
        return timedelta(minutes=units * self.minutes_per_unit)

    def send_time(self, meeting: Meeting, schedule: Schedule | None) -> datetime | None:
        offset = self.offset(schedule)
        if offset is None:
            return None
        anchor = getattr(meeting, self.anchor_field)
        return anchor + offset if self.after_end else anchor - offset

    def offset_sql(self) -> Expression:
        units: Expression = F(f"group__schedule__{self.schedule_field}")
        if self.default_units is not None:
            units = Coalesce(units, Value(self.default_units))
        return MinutesInterval(units * Value(self.minutes_per_unit))


MEETING_KINDS = (
    MeetingKind(MEETING_REMINDER, "meeting_reminders", "reminder_hours_before", 60),
    MeetingKind(SECOND_REMINDER, "meeting_reminders", "second_reminder_minutes_before", 1),
    MeetingKind(
        PREPARATION_REMINDER,
        "preparation_reminders",
        "preparation_reminder_days",
        24 * 60,
        presenters_only=True,
    ),
    MeetingKind(
        COMMITMENTS_PROMPT,
        "commitment_prompts",
        "commitments_prompt_minutes_after",
        1,
        after_end=True,
    ),
)
KINDS_BY_NAME = {kind.name: kind for kind in MEETING_KINDS}


def stamp(moment: datetime) -> str:
    """A meeting time as it appears in a dedup key: UTC, to the minute."""
    return f"{moment.astimezone(UTC):%Y%m%dT%H%MZ}"


def dedup_key(kind: str, subject_id: int, recipient: str | int, anchor: datetime) -> str:
    return EmailKind(kind).key(subject_id, recipient, stamp(anchor))


@dataclass
class SweepResult:
    new: dict[str, int] = field(default_factory=dict)  # new claims per kind
    enqueued: int = 0  # pending ids queued by this sweep

    def as_dict(self) -> dict:
        return {"new": self.new, "enqueued": self.enqueued}


def sweep(now: datetime) -> SweepResult:
    """Claim every reminder due in ``[now - LOOKBACK, now]`` once and queue it."""
    result = SweepResult()
    rows: list[Notification] = []
    for kind in MEETING_KINDS:
        found = meeting_candidates(kind, now=now)
        result.new[kind.name] = len(found)
        rows.extend(found)
    digests = intake_digest_candidates(now=now)
    result.new[INTAKE_DIGEST] = len(digests)
    rows.extend(digests)
    found = recaps.recap_candidates(now=now)
    result.new[recaps.RECAP] = len(found)
    rows.extend(found)
    found = health_digest.health_digest_candidates(now=now)
    result.new[health_digest.HEALTH_DIGEST] = len(found)
    rows.extend(found)
    rows.extend(invitations.collect(now))
    # A fixed order makes parallel sweeps take the unique-index locks in the same order.
    rows.sort(key=lambda row: row.dedup_key)
    with transaction.atomic():
        result.enqueued = len(outbox.claim_many(rows))
    # No requeue_stuck here: beat runs it on its own, once a minute (mastermind/celery.py).
    return result


def due_meetings(kind: MeetingKind, *, now: datetime) -> QuerySet[Meeting]:
    """Scheduled meetings whose send time for ``kind`` is in ``[now - LOOKBACK, now]``."""
    anchor = F(kind.anchor_field)
    send_at = anchor + kind.offset_sql() if kind.after_end else anchor - kind.offset_sql()
    # A constant range on the anchor first, so the (status, starts_at) index narrows it.
    if kind.after_end:
        coarse = Q(ends_at__gte=now - LOOKBACK - kind.max_offset, ends_at__lte=now)
    else:
        coarse = Q(starts_at__gte=now - LOOKBACK, starts_at__lte=now + kind.max_offset)
    queryset = (
        Meeting.objects.filter(coarse, status=MeetingStatus.SCHEDULED)
        .alias(send_at=send_at)
        .filter(send_at__gte=now - LOOKBACK, send_at__lte=now)
    )
    if not kind.after_end:
        queryset = queryset.exclude(**{f"group__schedule__{kind.schedule_field}": 0})
    return queryset


def meeting_candidates(kind: MeetingKind, *, now: datetime) -> list[Notification]:
    """Unsaved notifications for ``kind`` due now and not claimed yet."""
    due = due_meetings(kind, now=now)
    meetings = list(due.values_list("pk", "group_id", kind.anchor_field))
    if not meetings:
        return []
    due_ids = due.values("pk")
    members_by_group: dict[int, list[tuple[int, str]]] = defaultdict(list)
    members = (
        Membership.objects.current(now)
        .filter(group_id__in=due.values("group_id"), user__is_active=True)
        .filter(wants_q(kind.preference, prefix="user__"))
        .values_list("group_id", "user_id", "user__email")
    )
    for group_id, user_id, email in members:
        members_by_group[group_id].append((user_id, email))
    absent = set(
        Absence.objects.filter(meeting_id__in=due_ids).values_list("meeting_id", "user_id")
    )
    presenters = None
    if kind.presenters_only:
        presenters = set(
            HotSeat.objects.filter(meeting_id__in=due_ids).values_list("meeting_id", "user_id")
        )
    claimed = set(
        Notification.objects.filter(kind=kind.name, subject_id__in=due_ids).values_list(
            "dedup_key", flat=True
        )
    )
    rows = []
    for meeting_id, group_id, anchor in meetings:
        for user_id, email in members_by_group.get(group_id, ()):
            pair = (meeting_id, user_id)
            if pair in absent or (presenters is not None and pair not in presenters):
                continue
            key = dedup_key(kind.name, meeting_id, user_id, anchor)
            if key in claimed:
                continue
            rows.append(
                Notification(
                    kind=kind.name,
                    dedup_key=key,
                    user_id=user_id,
                    email=email,
                    **outbox.about_id(Meeting, meeting_id),
                    payload={"anchor": stamp(anchor)},
                    due_at=now,
                )
            )
    return rows


def organiser_recipients() -> list[tuple[int | None, str]]:
    """(user id or None, email) of who gets organiser digests."""
    if settings.ORGANISER_EMAILS:
        return [(None, email) for email in settings.ORGANISER_EMAILS]
    staff = (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .filter(wants_q("organiser_digests", prefix=""))
        .order_by("pk")
    )
    return list(staff.values_list("pk", "email"))


def recipient_token(user_id: int | None, email: str) -> str:
    """How a digest recipient appears in its key: the user id, else a hash of the email."""
    if user_id is not None:
        return str(user_id)
    return "e" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def intake_digest_candidates(*, now: datetime) -> list[Notification]:
    intakes = list(
        Intake.objects.filter(deadline__gte=now - LOOKBACK, deadline__lte=now).values_list(
            "pk", "deadline"
        )
    )
    if not intakes:
        return []
    claimed = set(
        Notification.objects.filter(
            kind=INTAKE_DIGEST, intake__in=[pk for pk, _ in intakes]
        ).values_list("dedup_key", flat=True)
    )
    rows = []
    for user_id, email in organiser_recipients():
        for intake_id, deadline in intakes:
            key = dedup_key(INTAKE_DIGEST, intake_id, recipient_token(user_id, email), deadline)
            if key not in claimed:
                rows.append(
                    Notification(
                        kind=INTAKE_DIGEST,
                        dedup_key=key,
                        user_id=user_id,
                        email=email,
                        **outbox.about_id(Intake, intake_id),
                        payload={"anchor": stamp(deadline)},
                        due_at=now,
                    )
                )
    return rows
