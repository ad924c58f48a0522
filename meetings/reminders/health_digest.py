"""The organisers' weekly digest of the groups that need attention.

When
----
Every Monday at :data:`DIGEST_HOUR` (08:00) in ``settings.TIME_ZONE``, to the same people
as the intake digest (``settings.ORGANISER_EMAILS``, else the active staff who want
``organiser_digests``). The sweep claims one row per (ISO week, recipient), key
``health_digest:2027W09:<recipient>``, during the :data:`~meetings.reminders.sweep.LOOKBACK`
hours after that moment; outside that window it costs no query.

What
----
The builder assesses every active group at send time (:func:`meetings.health.group_health`,
a fixed number of queries) in the recipient's language and lists only the groups that
need attention, each with its reasons and links to act: the group's admin page, its
manage page, an email to its members and its schedule. When no group needs attention
the row is recorded as skipped and nothing is sent. Only organisers see this; members
never see a health figure.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from groups.models import Group, GroupStatus
from mastermind import outbox
from mastermind.core.mail import Email, absolute_url
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification
from meetings.health import group_health, member_at, memberships_of
from meetings.models import Schedule
from meetings.reminders import sweep as _sweep
from meetings.services import preferences

HEALTH_DIGEST = EmailKind.HEALTH_DIGEST
DIGEST_WEEKDAY = 0  # Monday
DIGEST_HOUR = 8
# A digest that could not be sent within a day is replaced by next week's.
STALE_AFTER = timedelta(days=1)


def digest_moment(now: datetime) -> datetime | None:
    """This week's digest time, if ``now`` lies in ``[it, it + LOOKBACK)``; else None."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)
    moment = datetime.combine(day, time(DIGEST_HOUR), tzinfo=zone)
    if moment <= now < moment + _sweep.LOOKBACK:
        return moment
    return None


def week_label(moment: datetime) -> str:
    year, week, _day = moment.isocalendar()
    return f"{year}W{week:02d}"


def health_digest_candidates(*, now: datetime) -> list[Notification]:
    """One unsaved digest per organiser for this ISO week, if due and not claimed yet."""
    moment = digest_moment(now)
    if moment is None:
        return []
    week = week_label(moment)
    recipients = _sweep.organiser_recipients()
    wanted = {
        HEALTH_DIGEST.key(week, _sweep.recipient_token(user_id, email)): (user_id, email)
        for user_id, email in recipients
    }
    claimed = set(
        Notification.objects.filter(kind=HEALTH_DIGEST, dedup_key__in=list(wanted)).values_list(
            "dedup_key", flat=True
        )
    )
    return [
        Notification(
            kind=HEALTH_DIGEST,
            dedup_key=key,
            user_id=user_id,
            email=email,
            payload={"anchor": _sweep.stamp(moment), "week": week},
            due_at=now,
        )
        for key, (user_id, email) in sorted(wanted.items())
        if key not in claimed
    ]


def groups_needing_attention(now: datetime) -> list[dict]:
    """The active groups that need attention, with reasons (in the active language) and
    links; a fixed number of queries, whatever the number of groups."""
    groups = list(Group.objects.filter(status=GroupStatus.ACTIVE).order_by("name", "pk"))
    if not groups:
        return []
    ids = [group.pk for group in groups]
    memberships = memberships_of(ids)
    health = group_health(group_ids=ids, now=now, memberships=memberships)
    flagged = [group for group in groups if health[group.pk].needs_attention]
    if not flagged:
        return []
    schedules = dict(
        Schedule.objects.filter(group_id__in=[g.pk for g in flagged]).values_list("group_id", "pk")
    )
    emails: dict[int, list[str]] = {}
    for membership in memberships:
        if member_at(membership, now) and membership.user.is_active:
            emails.setdefault(membership.group_id, []).append(membership.user.email)
    rows = []
    for group in flagged:
        schedule_id = schedules.get(group.pk)
        schedule_path = (
            reverse("admin:meetings_schedule_change", args=[schedule_id])
            if schedule_id
            else f"{reverse('admin:meetings_schedule_add')}?group={group.pk}"
        )
        rows.append(
            {
                "name": group.name,
                "reasons": health[group.pk].reasons,
                "admin_url": absolute_url(reverse("admin:groups_group_change", args=[group.pk])),
                "manage_url": absolute_url(reverse("groups:group_manage", kwargs={"pk": group.pk})),
                "mailto": "mailto:"
                + ",".join(quote(e, safe="@") for e in emails.get(group.pk, [])),
                "schedule_url": absolute_url(schedule_path),
                "has_schedule": schedule_id is not None,
            }
        )
    return rows


@outbox.register(HEALTH_DIGEST)
def build_health_digest(notification: Notification) -> Email | None:
    now = timezone.now()
    anchor = datetime.strptime(notification.payload["anchor"], "%Y%m%dT%H%MZ")
    if now >= anchor.replace(tzinfo=UTC) + STALE_AFTER:
        raise outbox.Expired
    address = preferences.organiser_address(notification)
    if address is None:
        return None
    user, (language, time_zone, to, headers) = notification.user, address
    with translation.override(language):  # the reasons are put into words here
        groups = groups_needing_attention(now)
    if not groups:
        return None  # every group is fine: no email this week
    return Email(
        template="meetings/email/health_digest",
        to=to,
        context={
            "groups": groups,
            "home_url": absolute_url(reverse("admin:index")),
            "profile_url": preferences.profile_url() if user else "",
            "unsubscribe_url": headers.get("List-Unsubscribe", "").strip("<>"),
        },
        language=language,
        time_zone=time_zone,
        headers=headers,
    )
