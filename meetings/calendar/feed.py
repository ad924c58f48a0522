"""Calendar feeds: member settings, feed tokens, and which meetings a feed shows.

A member's feed ``/calendar/<token>.ics`` shows the meetings of every group they are a
current member of (``Membership.current()``), from 90 days back to the end of the
meeting horizon. Groups the member has left vanish from the feed entirely, past meetings
included, so the subscribing client removes them. Staff get an organiser feed: their own
groups plus every active group.

Shown: scheduled meetings, and cancelled ones for 30 days after the cancellation (taken
from ``updated_at``) so that clients which already have them see STATUS:CANCELLED and
remove or strike them. Skipped meetings (pauses, holidays) are not in the feed.

Validators
----------
Everything the feed shows is a function of the database and the UTC *day* (the window
and the 30-day cut-off move once a day). :func:`feed_state` computes the validators in
two queries without loading a single meeting: the token lookup (which also reads when
the member last joined or left a group, and when they next will) and one row per group
with correlated aggregates over the window's meetings (any status, so a meeting turning
skipped also counts), their hot seats with the presenters' names, and the agenda items
with their titles, plus the group's own fields. The ETag is a hash of all that;
Last-Modified is the newest of those timestamps (and the start of the day), so
If-Modified-Since also sees a meeting dropping out of the feed. A meeting's own fields are
covered by its ``updated_at`` (every write sets it, bulk updates included).
:mod:`meetings.calendar.feed_cache` keeps these validators in Redis between changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from groups.models import Group, GroupStatus, Membership
from mastermind.accounts.models import User
from mastermind.core import ratelimit
from meetings.calendar import feed_cache
from meetings.calendar.events import calendar_name, meeting_event
from meetings.calendar.ical import build_calendar
from meetings.models import (
    AgendaItem,
    HotSeat,
    Meeting,
    MeetingStatus,
    MemberSettings,
    new_feed_token,
)

FEED_DAYS_BACK = 90
CANCELLED_VISIBLE_DAYS = 30
REFRESH_MINUTES = 60
RENEWALS_PER_HOUR = 5
FEED_CACHE_SECONDS = 24 * 60 * 60
# Bump when the rendering changes, so cached bodies and client ETags are not reused.
FEED_FORMAT_VERSION = 1


class TooManyRenewals(Exception):
    """The member renewed the feed address too often in the last hour."""


# ------------------------------------------------------------------ settings and tokens


def settings_for(user: User) -> MemberSettings:
    """The member's settings row, created with defaults (and a fresh token) on first use."""
    member_settings, _created = MemberSettings.objects.get_or_create(user=user)
    return member_settings


def renew_token(*, user: User) -> MemberSettings:
    """Give the member a new feed address; the old one stops working at once."""
    if not ratelimit.hit("calendar_renew", str(user.pk), RENEWALS_PER_HOUR, 60 * 60):
        raise TooManyRenewals
    member_settings = settings_for(user)
    member_settings.feed_token = new_feed_token()
    member_settings.feed_token_created_at = timezone.now()
    member_settings.save(update_fields=["feed_token", "feed_token_created_at"])
    feed_cache.changed(users=[user.pk])  # the old address answers 404 at once
    return member_settings


def set_calendar_invitations(*, user: User, enabled: bool) -> MemberSettings:
    member_settings = settings_for(user)
    if member_settings.calendar_invitations != enabled:
        member_settings.calendar_invitations = enabled
        member_settings.save(update_fields=["calendar_invitations"])
    return member_settings


def feed_path(member_settings: MemberSettings) -> str:
    return reverse("meetings:feed", kwargs={"token": member_settings.feed_token})


# ------------------------------------------------------------------------ feed selection


@dataclass(frozen=True)
class FeedState:
    """What a feed request needs before deciding whether to build anything.

    Plain values only, as it is cached (meetings.calendar.feed_cache) and read on every poll.
    """

    # The owner's id, email, display name, language, time zone and staff flag.
    owner: tuple[int, str, str, str, str, bool]
    group_ids: tuple[int, ...]
    day: dt.datetime  # start of the UTC day the window is computed from
    etag: str
    last_modified: dt.datetime
    # The next start or end of one of the owner's memberships: the rows change then, unasked.
    changes_at: dt.datetime | None = None

    @property
    def user(self) -> User:
        """The owner, unsaved, with the fields the feed shows."""
        pk, email, display_name, language, time_zone, is_staff = self.owner
        return User(
            pk=pk,
            email=email,
            display_name=display_name,
            language=language,
            time_zone=time_zone,
            is_staff=is_staff,
        )


def _day_start(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _window(day: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start = day - dt.timedelta(days=FEED_DAYS_BACK)
    end = day + dt.timedelta(days=settings.MEETING_HORIZON_DAYS + 1)
    return start, end


def _as_datetime(value) -> dt.datetime | None:
    """Raw SQL gives datetimes on PostgreSQL and naive UTC strings on SQLite."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _tables() -> dict[str, str]:
    models = {
        "settings": MemberSettings,
        "user": User,
        "membership": Membership,
        "group": Group,
        "meeting": Meeting,
        "seat": HotSeat,
        "agenda": AgendaItem,
    }
    return {key: connection.ops.quote_name(model._meta.db_table) for key, model in models.items()}


# Hand-written SQL: the ORM spends milliseconds compiling these correlated subqueries,
# far more than the database spends running them, and this runs on every feed poll.
# Table names come from model metadata, every value is a query parameter.
_OWNER_SQL = """
SELECT s.feed_token, s.feed_token_created_at, u.id, u.email, u.display_name, u.language,
       u.time_zone, u.is_staff,
       (SELECT MAX(m.joined_at) FROM {membership} m WHERE m.user_id = u.id AND m.joined_at <= %s),
       (SELECT MAX(m.left_at) FROM {membership} m WHERE m.user_id = u.id AND m.left_at <= %s),
       (SELECT MIN(m.joined_at) FROM {membership} m WHERE m.user_id = u.id AND m.joined_at > %s),
       (SELECT MIN(m.left_at) FROM {membership} m WHERE m.user_id = u.id AND m.left_at > %s)
FROM {settings} s JOIN {user} u ON u.id = s.user_id
WHERE s.feed_token = %s AND u.is_active = %s
"""

# One row per group of the feed: its own fields plus aggregates over what its events
# show: the meetings of the window (any status), and every hot seat of those meetings and
# every agenda item with the texts the events show (presenter names, titles), joined in
# one string each. {join} is the vendor's string aggregate (see _string_agg).
_GROUPS_SQL = """
SELECT g.id, g.name, g.video_url, g.chat_url, g.time_zone,
  (SELECT COUNT(*) FROM {meeting} m WHERE m.group_id = g.id
      AND m.starts_at >= %s AND m.starts_at < %s),
  (SELECT MAX(m.updated_at) FROM {meeting} m WHERE m.group_id = g.id
      AND m.starts_at >= %s AND m.starts_at < %s),
  (SELECT {seats} FROM {seat} h JOIN {meeting} m ON m.id = h.meeting_id
      JOIN {user} u ON u.id = h.user_id
      WHERE m.group_id = g.id AND m.starts_at >= %s AND m.starts_at < %s),
  (SELECT {agenda_items} FROM {agenda} a WHERE a.group_id = g.id)
FROM {group} g
WHERE g.id IN (  -- current memberships (Membership.current()), or staff: active groups
    SELECT ms.group_id FROM {membership} ms WHERE ms.user_id = %s AND ms.joined_at <= %s
    AND (ms.left_at IS NULL OR ms.left_at > %s)
  ) OR (g.status = %s AND %s)
ORDER BY g.id
"""


def _string_agg(parts: list[str], order: str) -> str:
    """SQL joining ``parts`` per row and the rows into one string, in ``order``.

    PostgreSQL orders the rows as asked. SQLite (development only) has no ordered
    aggregate before 3.44 and joins them in scan order, which is the same for the same
    rows; each row carries its ids, so the string is exact either way.
    """
    row = " || ':' || ".join(parts)
    if connection.vendor == "postgresql":
        return f"string_agg({row}, chr(31) ORDER BY {order})"
    return f"group_concat({row}, char(31))"


def _groups_sql() -> str:
    seats = ["h.meeting_id", "h.user_id", "u.display_name", "u.email"]
    agenda = ["a.id", "a.position", "a.minutes", "a.title"]
    return _GROUPS_SQL.format(
        seats=_string_agg(seats, "h.meeting_id, h.user_id"),
        agenda_items=_string_agg(agenda, "a.position, a.id"),
        **_tables(),
    )


def _owner_by_token(token: str, now: dt.datetime) -> tuple[User, list, dt.datetime | None] | None:
    """The feed's owner, the validator parts of their row and their next membership change."""
    at = connection.ops.adapt_datetimefield_value(now)
    sql = _OWNER_SQL.format(**_tables())
    rows = _fetch(sql, [at, at, at, at, token, True])
    if not rows:
        return None
    feed_token, created, pk, email, display_name, language, time_zone, is_staff, *rest = rows[0]
    *stamps, next_join, next_leave = rest
    # The unique index finds the row; the constant-time comparison is belt and braces
    # against a database collation that compares case-insensitively or pads.
    if not secrets.compare_digest(feed_token.encode(), token.encode()):
        return None
    user = User(
        pk=pk,
        email=email,
        display_name=display_name,
        language=language,
        time_zone=time_zone,
        is_staff=bool(is_staff),
    )
    upcoming = [_as_datetime(value) for value in (next_join, next_leave) if value is not None]
    stamps = [_as_datetime(created), *(_as_datetime(stamp) for stamp in stamps)]
    return user, stamps, min(upcoming, default=None)


def feed_state(*, token: str, now: dt.datetime) -> FeedState | None:
    """Validators for the feed of ``token`` (two queries), or None for an unknown token."""
    owner = _owner_by_token(token, now)
    if owner is None:
        return None
    user, stamps, changes_at = owner
    day = _day_start(now)
    adapt = connection.ops.adapt_datetimefield_value
    window = [adapt(value) for value in _window(day)]
    at = adapt(now)
    params = window * 3 + [user.pk, at, at, GroupStatus.ACTIVE.value, user.is_staff]
    rows = _fetch(_groups_sql(), params)
    stamps += [day, *(_as_datetime(row[6]) for row in rows)]
    last_modified = max(stamp for stamp in stamps if stamp is not None)
    fingerprint = json.dumps(
        [
            FEED_FORMAT_VERSION,
            settings.SITE_URL,
            token,
            [user.pk, user.language, user.time_zone, user.get_full_name(), user.is_staff],
            day.isoformat(),
            rows,
        ],
        default=str,
    )
    etag = hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
    return FeedState(
        owner=(
            user.pk,
            user.email,
            user.display_name,
            user.language,
            user.time_zone,
            user.is_staff,
        ),
        group_ids=tuple(row[0] for row in rows),
        day=day,
        etag=etag,
        last_modified=last_modified,
        changes_at=changes_at,
    )


def feed_meetings(*, group_ids: tuple[int, ...], day: dt.datetime) -> list[Meeting]:
    """The meetings a feed shows, with group, hot seats and presenters (two queries)."""
    start, end = _window(day)
    cancelled_cutoff = day - dt.timedelta(days=CANCELLED_VISIBLE_DAYS)
    return list(
        Meeting.objects.filter(group_id__in=group_ids, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=MeetingStatus.SKIPPED)
        .exclude(status=MeetingStatus.CANCELLED, updated_at__lt=cancelled_cutoff)
        .select_related("group")
        .prefetch_related(with_presenters())
        .order_by("starts_at", "pk")
    )


def with_presenters() -> Prefetch:
    """Hot seats with their users in one query."""
    return Prefetch("hot_seats", queryset=HotSeat.objects.select_related("user").order_by("pk"))


def agenda_by_group(group_ids) -> dict[int, list[AgendaItem]]:
    agenda: dict[int, list[AgendaItem]] = {group_id: [] for group_id in group_ids}
    for item in AgendaItem.objects.filter(group_id__in=list(group_ids)).order_by(
        "group_id", "position", "pk"
    ):
        agenda[item.group_id].append(item)
    return agenda


def feed_body(state: FeedState) -> bytes:
    """The serialized feed, cached under its ETag (which covers all it depends on)."""
    key = f"calendar:feed:{state.etag}"
    body = cache.get(key)
    if body is None:
        body = build_feed(state)
        cache.set(key, body, timeout=FEED_CACHE_SECONDS)
    return body


def build_feed(state: FeedState) -> bytes:
    user = state.user
    meetings = feed_meetings(group_ids=state.group_ids, day=state.day)
    agenda = agenda_by_group(state.group_ids)
    with translation.override(user.language):
        events = [
            meeting_event(meeting=meeting, agenda=agenda.get(meeting.group_id, []))
            for meeting in meetings
        ]
        return build_calendar(
            events=events,
            name=calendar_name(user),
            time_zone=user.time_zone,
            feed=True,
            refresh_minutes=REFRESH_MINUTES,
        )


def single_meeting_ics(*, meeting: Meeting, user: User) -> bytes:
    """The "add to calendar" download of one meeting, in the member's language."""
    agenda = agenda_by_group([meeting.group_id])[meeting.group_id]
    with translation.override(user.language):
        return build_calendar(
            events=[meeting_event(meeting=meeting, agenda=agenda)], time_zone=user.time_zone
        )


def can_see_meeting(*, user: User, meeting: Meeting, now: dt.datetime | None = None) -> bool:
    if user.is_staff:
        return True
    return (
        Membership.objects.current(now or timezone.now())
        .filter(user=user, group_id=meeting.group_id)
        .exists()
    )
