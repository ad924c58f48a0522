"""Calendar feeds: member settings, feed tokens, which meetings a feed shows, and events.

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
the member last joined or left a group) and one row per group with correlated aggregates
over the window's meetings (any status, so a meeting turning skipped also counts), hot
seats and agenda items, plus the group's own fields. The ETag is a hash of all that;
Last-Modified is the newest of those timestamps (and the start of the day), so
If-Modified-Since also sees a meeting dropping out of the feed. Not covered: renaming a
presenter or an agenda item's title without any other change; such edits show with the
next change or, at the latest, the next day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groups.models import Group, GroupStatus, Membership
from mastermind.models import User

from .ical import EventData, build_calendar, event_uid
from .models import AgendaItem, HotSeat, Meeting, MeetingStatus, MemberSettings, new_feed_token

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
    key = f"calendar:renew:{user.pk}"
    cache.add(key, 0, timeout=60 * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=60 * 60)
        count = 1
    if count > RENEWALS_PER_HOUR:
        raise TooManyRenewals
    member_settings = settings_for(user)
    member_settings.feed_token = new_feed_token()
    member_settings.feed_token_created_at = timezone.now()
    member_settings.save(update_fields=["feed_token", "feed_token_created_at"])
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
    """What a feed request needs before deciding whether to build anything."""

    user: User
    group_ids: tuple[int, ...]
    day: dt.datetime  # start of the UTC day the window is computed from
    etag: str
    last_modified: dt.datetime


def _day_start(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _window(day: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start = day - dt.timedelta(days=FEED_DAYS_BACK)
    end = day + dt.timedelta(days=settings.MEETING_HORIZON_DAYS + 1)
    return start, end


def feed_groups(*, user: User, now: dt.datetime) -> QuerySet[Group]:
    """The member's current groups; for staff also every active group (organiser feed)."""
    condition = Q(pk__in=Membership.objects.current(now).filter(user=user).values("group_id"))
    if user.is_staff:
        condition |= Q(status=GroupStatus.ACTIVE)
    return Group.objects.filter(condition)


def _aggregate(queryset: QuerySet, by: str, value) -> Subquery:
    """A correlated single-value aggregate (``.order_by()`` keeps GROUP BY clean)."""
    return Subquery(queryset.order_by().values(by).annotate(value=value).values("value")[:1])


def _owner_by_token(token: str, now: dt.datetime) -> MemberSettings | None:
    mine = Membership.objects.filter(user=OuterRef("user_id"))
    found = (
        MemberSettings.objects.select_related("user")
        .annotate(
            last_joined=_aggregate(mine.filter(joined_at__lte=now), "user", Max("joined_at")),
            last_left=_aggregate(mine.filter(left_at__lte=now), "user", Max("left_at")),
        )
        .filter(feed_token=token, user__is_active=True)
        .first()
    )
    # The unique index finds the row; the constant-time comparison is belt and braces
    # against a database collation that compares case-insensitively or pads.
    if found is None or not secrets.compare_digest(found.feed_token.encode(), token.encode()):
        return None
    return found


# One row per group: its own fields plus aggregates of what its feed events depend on.
_STATE_FIELDS = (
    "pk", "name", "video_url", "chat_url", "time_zone", "m_count", "m_changed",
    "hs_count", "hs_max", "hs_mix", "ag_count", "ag_max", "ag_mix",
)  # fmt: skip


def feed_state(*, token: str, now: dt.datetime) -> FeedState | None:
    """Validators for the feed of ``token`` (two queries), or None for an unknown token."""
    owner = _owner_by_token(token, now)
    if owner is None:
        return None
    user = owner.user
    day = _day_start(now)
    start, end = _window(day)
    meetings = Meeting.objects.filter(group=OuterRef("pk"), starts_at__gte=start, starts_at__lt=end)
    seats = HotSeat.objects.filter(
        meeting__group=OuterRef("pk"), meeting__starts_at__gte=start, meeting__starts_at__lt=end
    )
    agenda = AgendaItem.objects.filter(group=OuterRef("pk"))
    rows = list(
        feed_groups(user=user, now=now)
        .annotate(
            m_count=_aggregate(meetings, "group", Count("pk")),
            m_changed=_aggregate(meetings, "group", Max("updated_at")),
            hs_count=_aggregate(seats, "meeting__group", Count("pk")),
            hs_max=_aggregate(seats, "meeting__group", Max("pk")),
            hs_mix=_aggregate(seats, "meeting__group", Sum(F("user_id") * F("meeting_id"))),
            ag_count=_aggregate(agenda, "group", Count("pk")),
            ag_max=_aggregate(agenda, "group", Max("pk")),
            ag_mix=_aggregate(agenda, "group", Sum(F("minutes") * (F("position") + 1))),
        )
        .order_by("pk")
        .values_list(*_STATE_FIELDS)
    )
    stamps = [day, owner.feed_token_created_at, owner.last_joined, owner.last_left]
    stamps += [row[_STATE_FIELDS.index("m_changed")] for row in rows]
    last_modified = max(stamp for stamp in stamps if stamp is not None)
    fingerprint = json.dumps(
        [
            FEED_FORMAT_VERSION,
            settings.SITE_URL,
            owner.feed_token,
            [user.pk, user.language, user.time_zone, user.get_full_name(), user.is_staff],
            day.isoformat(),
            rows,
        ],
        default=str,
    )
    etag = hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
    return FeedState(
        user=user,
        group_ids=tuple(row[0] for row in rows),
        day=day,
        etag=etag,
        last_modified=last_modified,
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
            refresh_minutes=REFRESH_MINUTES,
        )


def calendar_name(user: User) -> str:
    return _("Mastermind – %(name)s") % {"name": user.get_full_name()}


# -------------------------------------------------------------------------------- events


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def meeting_url(meeting: Meeting) -> str:
    try:
        return absolute(meeting.get_absolute_url())
    except NoReverseMatch:  # the meeting pages are another part of the app
        return absolute(f"/meetings/{meeting.pk}/")


def preparation_url(meeting: Meeting) -> str:
    try:
        return absolute(reverse("meetings:preparation", kwargs={"pk": meeting.pk}))
    except NoReverseMatch:
        return f"{meeting_url(meeting)}#preparation"


def presenters(meeting: Meeting) -> list[User]:
    """Presenters in a stable order; reads the prefetched hot seats."""
    return [seat.user for seat in sorted(meeting.hot_seats.all(), key=lambda seat: seat.pk)]


def meeting_summary(meeting: Meeting) -> str:
    names = ", ".join(user.first_name for user in presenters(meeting))
    if names:
        summary = _("%(group)s – Hot Seat: %(names)s") % {
            "group": meeting.group.name,
            "names": names,
        }
    else:
        summary = _("%(group)s – Mastermind meeting") % {"group": meeting.group.name}
    if meeting.status == MeetingStatus.CANCELLED:
        # Google Calendar shows cancelled events in subscriptions without a mark.
        summary = _("Cancelled: %(summary)s") % {"summary": summary}
    return summary


def agenda_lines(meeting: Meeting, agenda: list[AgendaItem]) -> list[str]:
    """Agenda items with their local clock times, e.g. "19:15 Hot seat"."""
    clock = meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone))
    lines = []
    for item in agenda:
        lines.append(f"{clock:%H:%M} {item.title}")
        clock += dt.timedelta(minutes=item.minutes)
    return lines


def meeting_description(meeting: Meeting, agenda: list[AgendaItem]) -> str:
    parts = []
    if meeting.status == MeetingStatus.CANCELLED:
        reason = meeting.cancel_reason.strip()
        parts.append(
            _("This meeting is cancelled: %(reason)s") % {"reason": reason}
            if reason
            else _("This meeting is cancelled.")
        )
    lines = agenda_lines(meeting, agenda)
    if lines:
        parts.append("\n".join([_("Agenda"), *lines]))
    links = [
        _("Hot-seat preparation: %(url)s") % {"url": preparation_url(meeting)},
        _("Meeting page: %(url)s") % {"url": meeting_url(meeting)},
    ]
    if meeting.group.video_url:
        links.append(_("Video call: %(url)s") % {"url": meeting.group.video_url})
    if meeting.group.chat_url:
        links.append(_("Group chat: %(url)s") % {"url": meeting.group.chat_url})
    parts.append("\n".join(links))
    return "\n\n".join(parts)


def meeting_event(
    *,
    meeting: Meeting,
    agenda: list[AgendaItem],
    dtstamp: dt.datetime | None = None,
    organizer: tuple[str, str] = ("", ""),
    attendees: tuple[tuple[str, str], ...] = (),
) -> EventData:
    """One meeting as an event, in the active language. ``dtstamp`` defaults to the
    meeting's last change, which keeps feed bodies identical for identical data."""
    status = "CANCELLED" if meeting.status != MeetingStatus.SCHEDULED else "CONFIRMED"
    return EventData(
        uid=event_uid(meeting.pk, settings.SITE_DOMAIN),
        sequence=meeting.sequence,
        dtstamp=dtstamp or meeting.updated_at,
        last_modified=meeting.updated_at,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        time_zone=meeting.time_zone,
        summary=meeting_summary(meeting),
        description=meeting_description(meeting, agenda),
        location=meeting.group.video_url,
        url=meeting.group.video_url,
        status=status,
        organizer_email=organizer[0],
        organizer_name=organizer[1],
        attendees=attendees,
    )


def single_meeting_ics(*, meeting: Meeting, user: User) -> bytes:
    """The "add to calendar" download of one meeting, in the member's language."""
    agenda = agenda_by_group([meeting.group_id])[meeting.group_id]
    with translation.override(user.language):
        return build_calendar(
            events=[meeting_event(meeting=meeting, agenda=agenda)],
            name=calendar_name(user),
            time_zone=user.time_zone,
            refresh_minutes=REFRESH_MINUTES,
        )


def can_see_meeting(*, user: User, meeting: Meeting, now: dt.datetime | None = None) -> bool:
    if user.is_staff:
        return True
    return (
        Membership.objects.current(now or timezone.now())
        .filter(user=user, group_id=meeting.group_id)
        .exists()
    )
