"""Every email the app sends, built from one world as the outbox builds it, for checks
that must hold for all of them (tests/mastermind/outbox/test_every_email.py and the
one-voice test). allauth's emails are caught from its real flows.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core import mail
from django.test import Client
from django.utils import timezone

from groups.models import Membership
from mastermind.outbox import build_message
from mastermind.outbox.kinds import EmailKind
from mastermind.outbox.models import Notification
from meetings.calendar.invitations import MEETING_FIELDS, short_notice_key
from meetings.models import MemberSettings
from meetings.reminders.sweep import stamp
from tests.factories import InterestSignupFactory, MeetingFactory
from tests.security.helpers import World, build_world

# The recipient's zone differs from the site's, so a time shown in the wrong zone shows.
RECIPIENT_ZONE = "America/New_York"
OPTIONAL = {
    EmailKind.MEETING_REMINDER,
    EmailKind.SECOND_REMINDER,
    EmailKind.PREPARATION_REMINDER,
    EmailKind.COMMITMENTS_PROMPT,
    EmailKind.HOT_SEAT_CHANGED,
    EmailKind.CALENDAR_INVITATION,
    EmailKind.INTAKE_ANNOUNCEMENT,
    EmailKind.INTAKE_DIGEST,
}


def world_for(language: str) -> World:
    world = build_world()
    for user in (world.a1, world.a2, world.staff):
        user.language, user.time_zone = language, RECIPIENT_ZONE
        user.save()
    world.app_x.language, world.app_x.time_zone = language, RECIPIENT_ZONE
    world.app_x.confirmed_at = None
    world.app_x.status = "accepted"
    world.app_x.save()
    world.signup.language = language
    world.signup.save()
    MemberSettings.objects.filter(user=world.a1).update(calendar_invitations=True)
    return world


def notifications(world: World) -> dict[str, tuple[Notification, object]]:
    """One unsaved notification per kind, and the meeting it shows (or None)."""
    a1, a, swap = world.a1, world.meeting_a, world.swap
    ended = MeetingFactory(
        group=world.group_a,
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1, minutes=5),
    )
    left = Membership.objects.get(user=world.af, group=world.group_a)
    confirmed = InterestSignupFactory(email="fan@example.org", language=world.signup.language)

    def n(kind, subject, *, user=a1, email=None, **payload):
        email = email or (user.email if user else "")
        return Notification(kind=kind, user=user, email=email, subject=subject, payload=payload)

    at = {"anchor": stamp(a.starts_at)}
    return {
        EmailKind.APPLICATION_CONFIRM: (
            n(EmailKind.APPLICATION_CONFIRM, world.app_x, user=None, email=world.app_x.email),
            None,
        ),
        EmailKind.APPLICATION_EDIT_LINK: (
            n(EmailKind.APPLICATION_EDIT_LINK, world.app_x, user=None, email=world.app_x.email),
            None,
        ),
        EmailKind.DECISION: (
            n(
                EmailKind.DECISION,
                world.app_x,
                user=None,
                email=world.app_x.email,
                status="accepted",
            ),
            None,
        ),
        EmailKind.INTEREST_CONFIRM: (
            n(
                EmailKind.INTEREST_CONFIRM,
                world.intake,
                user=None,
                email=world.signup.email,
                signup=world.signup.pk,
            ),
            None,
        ),
        EmailKind.INTAKE_ANNOUNCEMENT: (
            n(
                EmailKind.INTAKE_ANNOUNCEMENT,
                world.intake,
                user=None,
                email=confirmed.email,
                signup=confirmed.pk,
            ),
            None,
        ),
        EmailKind.INTAKE_DIGEST: (
            n(
                EmailKind.INTAKE_DIGEST,
                world.intake,
                user=world.staff,
                anchor=stamp(world.intake.deadline),
            ),
            None,
        ),
        EmailKind.WELCOME: (n(EmailKind.WELCOME, a1.memberships.get()), None),
        EmailKind.MEMBER_LEFT: (n(EmailKind.MEMBER_LEFT, left), None),
        EmailKind.MEMBER_LEFT_ORGANISER: (
            n(EmailKind.MEMBER_LEFT_ORGANISER, left, user=world.staff),
            None,
        ),
        EmailKind.GROUP_ENDED: (n(EmailKind.GROUP_ENDED, a1.memberships.get()), None),
        EmailKind.MEETING_REMINDER: (n(EmailKind.MEETING_REMINDER, a, **at), a),
        EmailKind.SECOND_REMINDER: (n(EmailKind.SECOND_REMINDER, a, **at), a),
        EmailKind.PREPARATION_REMINDER: (n(EmailKind.PREPARATION_REMINDER, a, **at), a),
        EmailKind.COMMITMENTS_PROMPT: (
            n(EmailKind.COMMITMENTS_PROMPT, ended, anchor=stamp(ended.ends_at)),
            None,
        ),
        EmailKind.MEETING_CHANGED: (
            n(
                EmailKind.MEETING_CHANGED,
                a,
                change="moved",
                old_starts_at=(a.starts_at - dt.timedelta(days=1)).isoformat(),
            ),
            a,
        ),
        EmailKind.HOT_SEAT_CHANGED: (n(EmailKind.HOT_SEAT_CHANGED, a), a),
        EmailKind.SWAP_REQUESTED: (n(EmailKind.SWAP_REQUESTED, a, user=world.a2, swap=swap.pk), a),
        EmailKind.SWAP_ACCEPTED: (n(EmailKind.SWAP_ACCEPTED, a, swap=swap.pk), a),
        EmailKind.SWAP_DECLINED: (n(EmailKind.SWAP_DECLINED, a, swap=swap.pk), a),
        EmailKind.SWAP_WITHDRAWN: (n(EmailKind.SWAP_WITHDRAWN, a, user=world.a2, swap=swap.pk), a),
        EmailKind.CALENDAR_INVITATION: (
            n(EmailKind.CALENDAR_INVITATION, a, sequence=a.sequence),
            a,
        ),
        EmailKind.CALENDAR_CANCEL: (n(EmailKind.CALENDAR_CANCEL, world.meeting_b), world.meeting_b),
        EmailKind.SHORT_NOTICE: (short_notice(n(EmailKind.SHORT_NOTICE, a), a, a1), a),
    }


def short_notice(notification: Notification, meeting, user) -> Notification:
    """A short notice names the change it is about in its key (meetings/calendar/invitations.py)."""
    values = {name: getattr(meeting, name) for name in MEETING_FIELDS}
    notification.dedup_key = short_notice_key(values, user.pk)
    return notification


def render_all(language: str) -> dict[str, tuple[object, object]]:
    """kind -> (the rendered message, the meeting it is about or None)."""
    world = world_for(language)
    rendered = {}
    every = notifications(world)
    for kind, (notification, meeting) in every.items():
        message = build_message(notification)
        assert message is not None, f"{kind}: the builder skipped it"
        rendered[str(kind)] = (message, meeting)
    # Changes within a few minutes go as one email (meetings/change_email.py): all its parts.
    together = [every[k][0] for k in ("swap_accepted", "meeting_changed", "hot_seat_changed")]
    rendered["changes_together"] = (
        build_message(together[0], others=together[1:]),
        every[EmailKind.MEETING_CHANGED][1],
    )
    rendered.update({name: (m, None) for name, m in allauth_emails(world, language).items()})
    return rendered


def allauth_emails(world: World, language: str) -> dict[str, object]:
    """The sign-in code, password reset and unknown-address emails, from allauth's flows."""
    client = Client(headers={"accept-language": language})
    sent = {}
    for name, url, data in (
        ("login_code", "/accounts/login/code/", {"email": world.a1.email}),
        ("password_reset", "/accounts/password/reset/", {"email": world.a1.email}),
        ("unknown_account", "/accounts/password/reset/", {"email": "nobody@example.org"}),
    ):
        mail.outbox.clear()
        client.post(url, data)
        assert len(mail.outbox) == 1, name
        sent[name] = mail.outbox[0]
    return sent


def html_of(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def links(text: str, site_url: str) -> list[str]:
    return re.findall(re.escape(site_url) + r"(/[^\s\"<>]*)", text)
