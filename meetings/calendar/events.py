"""What one meeting looks like as a calendar event, in the active language.

Used by the feed, the "add to calendar" download and the iMIP invitations, so all three
show the same UID, SEQUENCE, texts and links.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from mastermind.accounts.models import User
from mastermind.core.mail import absolute_url
from meetings.calendar.ical import EventData, event_uid
from meetings.models import AgendaItem, Meeting, MeetingStatus
from meetings.role_assignment import role_holders

# The group's own fields its meetings' events show (meetings/receivers.py re-issues them).
GROUP_FIELDS = frozenset({"name", "video_url", "chat_url"})


def calendar_name(user: User) -> str:
    return _("Mastermind – %(name)s") % {"name": user.get_full_name()}


# -------------------------------------------------------------------------------- events


def meeting_url(meeting: Meeting) -> str:
    return absolute_url(meeting.get_absolute_url())


def preparation_url(meeting: Meeting) -> str:
    return absolute_url(reverse("meetings:prepare", kwargs={"pk": meeting.pk}))


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
    roles = [f"{name}: {user.first_name}" for name, user in role_holders(meeting)]
    if roles:
        parts.append("\n".join(roles))
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
        url=meeting_url(meeting),
        conference=meeting.group.video_url,
        conference_label=_("Video call"),
        status=status,
        organizer_email=organizer[0],
        organizer_name=organizer[1],
        attendees=attendees,
    )
