"""GDPR: a member's data export and account deletion.

Deleting an account erases personal data but keeps the group's history intact and
anonymous: the user row stays (so past hot seats and memberships still count for the
rotation and the statistics) with its email, name and login removed; everything the
member wrote or told us is deleted. The group is told only that a member left.
"""

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from groups.models import Application, Membership
from mastermind import outbox
from mastermind.accounts.models import User
from mastermind.outbox.models import Notification
from meetings.models import (
    Absence,
    Commitment,
    HotSeat,
    MemberSettings,
    Preparation,
    SwapRequest,
)

ANONYMOUS_DOMAIN = "deleted.invalid"


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value else None


def export_user_data(*, user: User) -> dict[str, Any]:
    """Everything we hold about one person, as plain JSON-ready data."""
    applications = Application.objects.filter(user=user) | Application.objects.annotate(
        email_ci=Lower("email")
    ).filter(email_ci=user.email.lower())
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "language": user.language,
            "time_zone": user.time_zone,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "settings": list(
            MemberSettings.objects.filter(user=user).values(
                "calendar_invitations",
                "meeting_reminders",
                "preparation_reminders",
                "commitment_prompts",
                "hot_seat_changes",
                "organiser_digests",
            )
        ),
        "applications": [
            {
                "intake": a.intake.title,
                "name": a.name,
                "email": a.email,
                "about": a.about,
                "topics": a.all_topics,
                "expectations": a.expectations,
                "availability": a.availability,
                "time_zone": a.time_zone,
                "language": a.language,
                "consent_version": a.consent_version,
                "consented_at": _iso(a.consented_at),
                "confirmed_at": _iso(a.confirmed_at),
                "status": a.status,
                "applied_at": _iso(a.created_at),
            }
            for a in applications.select_related("intake").distinct()
        ],
        "memberships": [
            {
                "group": m.group.name,
                "joined_at": _iso(m.joined_at),
                "left_at": _iso(m.left_at),
                "topics": m.topics,
                "about": m.about,
            }
            for m in Membership.objects.filter(user=user).select_related("group")
        ],
        "hot_seats": [
            {"group": h.meeting.group.name, "meeting_starts_at": _iso(h.meeting.starts_at)}
            for h in HotSeat.objects.filter(user=user).select_related("meeting__group")
        ],
        "absences": [
            {"meeting_starts_at": _iso(a.meeting.starts_at), "note": a.note}
            for a in Absence.objects.filter(user=user).select_related("meeting")
        ],
        "preparations": [
            {
                "meeting_starts_at": _iso(p.meeting.starts_at),
                "story": p.story,
                "value_for_others": p.value_for_others,
                "feedback_wanted": p.feedback_wanted,
            }
            for p in Preparation.objects.filter(user=user).select_related("meeting")
        ],
        "commitments": [
            {"meeting_starts_at": _iso(c.meeting.starts_at), "text": c.text, "status": c.status}
            for c in Commitment.objects.filter(user=user).select_related("meeting")
        ],
        "emails_sent": [
            {"kind": n.kind, "status": n.status, "created_at": _iso(n.created_at)}
            for n in Notification.objects.filter(user=user)
        ],
    }


@transaction.atomic
def delete_account(*, user: User) -> None:
    """Erase a member's personal data; keep anonymous history; tell their groups."""
    now = timezone.now()
    open_memberships = list(
        Membership.objects.select_for_update().filter(user=user, left_at__isnull=True)
    )
    for membership in open_memberships:
        membership.left_at = now
        membership.left_reason = "account deleted"
        membership.save(update_fields=["left_at", "left_reason"])
    Membership.objects.filter(user=user).update(topics=[], about="")

    Application.objects.filter(user=user).delete()
    Application.objects.annotate(email_ci=Lower("email")).filter(
        email_ci=user.email.lower()
    ).delete()
    Preparation.objects.filter(user=user).delete()
    Commitment.objects.filter(user=user).delete()
    Absence.objects.filter(user=user).delete()
    SwapRequest.objects.filter(requester=user).delete()
    SwapRequest.objects.filter(responder=user).delete()
    HotSeat.objects.filter(user=user, meeting__starts_at__gt=now).delete()
    MemberSettings.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()

    user.email = f"deleted-{user.pk}@{ANONYMOUS_DOMAIN}"
    user.display_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    # A new password hash also ends every session (Django checks the session's auth hash).
    user.set_unusable_password()
    user.save()

    for membership in open_memberships:
        _tell_group_a_member_left(membership)
        transaction.on_commit(lambda group_id=membership.group_id: _membership_changed(group_id))


def _tell_group_a_member_left(membership: Membership) -> None:
    others = Membership.objects.current().filter(group_id=membership.group_id)
    for other in others.select_related("user"):
        outbox.claim(
            kind="member_left",
            dedup_key=f"member_left:{membership.pk}:{other.user_id}",
            email=other.user.email,
            user=other.user,
            membership=membership,
        )


def _membership_changed(group_id: int) -> None:
    try:
        from groups.events import membership_changed
    except ImportError:  # the signal arrives with the groups part
        return
    membership_changed.send(sender=Membership, group_id=group_id)
