"""Outbox builders for calendar emails (see mastermind/outbox.py and meetings/invitations.py).

iMIP (RFC 6047) messages carry the calendar twice, as mail clients look in different
places: as a ``text/calendar; method=…`` part inside multipart/alternative (next to the
text and HTML bodies; Outlook and Gmail show their invitation UI from it) and as an
``invite.ics`` attachment of the same type (Apple Mail, Thunderbird, and anyone who wants
to import it by hand). Both carry the UID of the feed's event, so subscribing *and*
accepting invitations leaves one event in most clients.

Each builder re-checks that the email is still wanted when it is sent: returns None to
skip (preference off, no longer a member, a newer version exists) and raises
``outbox.Expired`` once the meeting has started.
"""

from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from mastermind import outbox
from mastermind.accounts.models import User
from mastermind.core.mail import Attachment, Email, absolute_url
from mastermind.outbox.models import Notification, NotificationStatus
from meetings import rules
from meetings.calendar import events as calendar_events
from meetings.calendar import feed as calendar
from meetings.calendar.ical import build_calendar
from meetings.calendar.invitations import (
    KIND_CANCEL,
    KIND_INVITATION,
    KIND_SHORT_NOTICE,
    MEETING_FIELDS,
    NOT_HELD,
    short_notice_key,
)
from meetings.models import Meeting, MeetingStatus, MemberSettings


def organizer() -> tuple[str, str]:
    """(address, name) of DEFAULT_FROM_EMAIL: the sender must be the ORGANIZER."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return address, name or "Mastermind"


def _meeting(notification: Notification) -> Meeting | None:
    return (
        Meeting.objects.select_related("group")
        .prefetch_related(calendar.with_presenters(), calendar.with_roles())
        .filter(pk=notification.subject_id)
        .first()
    )


def _is_member(user: User, meeting: Meeting) -> bool:
    return user.is_active and rules.is_current_member(user=user, group_id=meeting.group_id)


def _not_started(meeting: Meeting) -> None:
    if meeting.starts_at <= timezone.now():
        raise outbox.Expired


def meeting_attachment(*, meeting: Meeting, user: User) -> Attachment:
    """The meeting as a one-event calendar to import (METHOD:PUBLISH), for reminders.

    The same event as the feed and the invitations show for this UID and SEQUENCE.
    """
    agenda = calendar.agenda_by_group([meeting.group_id])[meeting.group_id]
    with translation.override(user.language):
        event = calendar_events.meeting_event(meeting=meeting, agenda=agenda)
        body = build_calendar(events=[event], time_zone=meeting.time_zone, method="PUBLISH")
    # RFC 6047 2.4: the METHOD is repeated in the Content-Type.
    return Attachment("meeting.ics", body, "text/calendar; method=PUBLISH")


def imip_email(
    *, meeting: Meeting, user: User, to: str, method: str, is_update: bool = False
) -> Email:
    """The invitation (REQUEST) or cancellation (CANCEL) for one member.

    ``is_update``: this member already has a version of the event (titled "Updated: …").
    """
    agenda = calendar.agenda_by_group([meeting.group_id])[meeting.group_id]
    with translation.override(user.language):
        event = calendar_events.meeting_event(
            meeting=meeting,
            agenda=agenda,
            dtstamp=timezone.now(),
            organizer=organizer(),
            attendees=((to, user.get_full_name()),),
        )
        body = build_calendar(events=[event], time_zone=user.time_zone, method=method)
    # Django adds charset="utf-8" to text/* parts itself.
    mimetype = f"text/calendar; method={method}"
    template = "invitation" if method == "REQUEST" else "invitation_cancel"
    return Email(
        template=f"meetings/email/{template}",
        to=to,
        language=user.language,
        time_zone=user.time_zone,
        context={
            "user": user,
            "meeting": meeting,
            "group": meeting.group,
            "summary": event.summary,
            "presenters": calendar_events.presenters(meeting),
            "meeting_url": calendar_events.meeting_url(meeting),
            "calendar_url": absolute_url(reverse("meetings:calendar")),
            "is_update": is_update,
        },
        alternatives=[(body.decode("utf-8"), mimetype)],
        attachments=[Attachment("invite.ics", body, mimetype)],
    )


@outbox.register(KIND_INVITATION)
def build_invitation(notification: Notification) -> Email | None:
    meeting, user = _meeting(notification), notification.user
    if meeting is None or user is None:
        return None
    _not_started(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        return None
    if meeting.sequence != notification.payload.get("sequence"):
        return None  # a newer version has its own row
    wanted = MemberSettings.objects.filter(user=user, calendar_invitations=True).exists()
    if not wanted or not _is_member(user, meeting):
        return None
    # "Updated" only if this member was sent a REQUEST for this UID before (any SEQUENCE:
    # a new meeting is often at 1 already, once its hot seat is assigned).
    earlier = Notification.objects.filter(
        kind=KIND_INVITATION,
        status=NotificationStatus.SENT,
        user=user,
        **outbox.about(meeting),
    ).exclude(pk=notification.pk)
    return imip_email(
        meeting=meeting,
        user=user,
        to=notification.email,
        method="REQUEST",
        is_update=earlier.exists(),
    )


@outbox.register(KIND_CANCEL)
def build_cancellation(notification: Notification) -> Email | None:
    meeting, user = _meeting(notification), notification.user
    if meeting is None or user is None:
        return None
    _not_started(meeting)
    if meeting.status not in NOT_HELD and _is_member(user, meeting):
        return None  # held after all and still theirs: the next REQUEST updates it
    return imip_email(meeting=meeting, user=user, to=notification.email, method="CANCEL")


@outbox.register(KIND_SHORT_NOTICE)
def build_short_notice(notification: Notification) -> Email | None:
    meeting, user = _meeting(notification), notification.user
    if meeting is None or user is None:
        return None
    _not_started(meeting)
    values = {name: getattr(meeting, name) for name in MEETING_FIELDS}
    if short_notice_key(values, user.pk) != notification.dedup_key:
        return None  # moved or cancelled again (or back on): that change has its own row
    if not _is_member(user, meeting):
        return None
    with translation.override(user.language):
        summary = calendar_events.meeting_summary(meeting)
    return Email(
        template="meetings/email/short_notice",
        to=notification.email,
        language=user.language,
        time_zone=user.time_zone,
        context={
            "user": user,
            "meeting": meeting,
            "group": meeting.group,
            "summary": summary,
            "cancelled": meeting.status in NOT_HELD,
            "meeting_url": calendar_events.meeting_url(meeting),
            "video_url": meeting.group.video_url,
        },
    )
