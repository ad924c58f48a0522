"""The feed's validators: its ETag and Last-Modified, in two queries, from the database.

Everything the feed shows is a function of the database and the UTC *day* (the window
and the 30-day cut-off move once a day). :func:`feed_state` computes the validators in
two queries without loading a single meeting: the token lookup (which also reads when
the member last joined or left a group, and when they next will) and one row per group
with correlated aggregates over the window's meetings (any status, so a meeting turning
skipped also counts: their number, newest ``updated_at`` and the sum of their SEQUENCEs,
which grows with every revision even within one clock tick), their hot seats with the
presenters' names, and the agenda items with their titles, plus the group's own fields.
The ETag is a hash of all that; Last-Modified is the newest of those timestamps (and the
start of the day), so If-Modified-Since also sees a meeting dropping out of the feed. A
meeting's own fields are covered by its ``updated_at`` (every write sets it, bulk updates
included). A change to what an event says that is stored elsewhere (the group's name or
link, the agenda, a presenter's name) revises those events
(``meetings.services.meetings.revise``), which moves their ``updated_at``, and so
Last-Modified, too.
:mod:`meetings.calendar.feed_cache` keeps these validators in Redis between changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from groups.models import Group, GroupStatus, Membership
from mastermind.accounts.models import User
from meetings.models import AgendaItem, HotSeat, Meeting, MemberSettings

FEED_DAYS_BACK = 90
# Bump when the rendering changes, so cached bodies and client ETags are not reused.
FEED_FORMAT_VERSION = 1


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
    # The series reaches MEETING_HORIZON_DAYS past the *local* today (schedule.horizon_end),
    # which is up to a day ahead of the UTC day east of Greenwich (00:30 in Berlin is the
    # UTC day before), and its last meeting is late on that day: two days of slack.
    end = day + dt.timedelta(days=settings.MEETING_HORIZON_DAYS + 2)
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
  (SELECT SUM(m.sequence) FROM {meeting} m WHERE m.group_id = g.id
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
    params = window * 4 + [user.pk, at, at, GroupStatus.ACTIVE.value, user.is_staff]
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
