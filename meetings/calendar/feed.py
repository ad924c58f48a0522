"""Calendar feeds: member settings, feed tokens, and which meetings a feed shows.

A member's feed ``/calendar/<token>.ics`` shows the meetings of every group they are a
current member of (``Membership.current()``), from 90 days back to the end of the
meeting horizon. Groups the member has left vanish from the feed entirely, past meetings
included, so the subscribing client removes them. Staff get an organiser feed: their own
groups plus every active group.

Shown: scheduled meetings, and cancelled ones for 30 days after the cancellation (taken
from ``status_changed_at``) so that clients which already have them see STATUS:CANCELLED and
remove or strike them. Skipped meetings (pauses, holidays) are not in the feed.

The validators (ETag, Last-Modified) are computed in :mod:`meetings.calendar.validators`.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from groups.models import Membership
from mastermind.accounts.models import User
from mastermind.core import ratelimit
from meetings.calendar import feed_cache
from meetings.calendar.events import calendar_name, meeting_event
from meetings.calendar.ical import build_calendar
from meetings.calendar.validators import (  # noqa: F401  (re-exported: feed_cache, bench)
    FEED_DAYS_BACK,
    FeedState,
    _day_start,
    _owner_by_token,
    _window,
    feed_state,
)
from meetings.models import (
    AgendaItem,
    HotSeat,
    Meeting,
    MeetingStatus,
    MemberSettings,
    new_feed_token,
)
from meetings.role_assignment import prefetch_roles, with_roles  # noqa: F401 (with_roles re-exported)

CANCELLED_VISIBLE_DAYS = 30
REFRESH_MINUTES = 60
RENEWALS_PER_HOUR = 5
FEED_CACHE_SECONDS = 24 * 60 * 60


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


def shown(meetings: QuerySet[Meeting], *, day: dt.datetime | None = None, now=None):
    """Those of ``meetings`` that a feed shows on ``day`` (or the day of ``now``)."""
    day = day or _day_start(now or timezone.now())
    start, end = _window(day)
    cutoff = day - dt.timedelta(days=CANCELLED_VISIBLE_DAYS)
    # Cancelled for longer than that: since status_changed_at (older rows: updated_at).
    cancelled_long_ago = Q(status_changed_at__lt=cutoff) | Q(
        status_changed_at__isnull=True, updated_at__lt=cutoff
    )
    return (
        meetings.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=MeetingStatus.SKIPPED)
        .exclude(Q(status=MeetingStatus.CANCELLED) & cancelled_long_ago)
    )


def feed_meetings(*, group_ids: tuple[int, ...], day: dt.datetime) -> list[Meeting]:
    """The meetings a feed shows, with group, hot seats and presenters (two queries)."""
    meetings = list(
        shown(Meeting.objects.filter(group_id__in=group_ids), day=day)
        .select_related("group", "group__schedule")
        .prefetch_related(with_presenters())
        .order_by("starts_at", "pk")
    )
    prefetch_roles(meetings)  # no query unless a group rotates roles
    return meetings


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
