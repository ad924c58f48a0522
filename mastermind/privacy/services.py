"""The data export and account deletion, over what every app registered (see __init__).

Deleting an account erases personal data but keeps the group's history intact and
anonymous: the user row stays (so past hot seats and memberships still count for the
rotation and the statistics) with its email, name and login removed; everything the
member wrote or told us is deleted. The group is told only that a member left.
"""

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from mastermind.accounts.models import ERASED_DOMAIN, User
from mastermind.outbox.models import Notification
from mastermind.privacy import erasers, exporters

ANONYMOUS_DOMAIN = ERASED_DOMAIN


def iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value else None


def export_user_data(*, user: User) -> dict[str, Any]:
    """Everything we hold about one person, as plain JSON-ready data."""
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "language": user.language,
            "time_zone": user.time_zone,
            "date_joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
        },
    }
    for _name, exporter in exporters:
        data.update(exporter(user=user))
    data["emails_sent"] = [
        {"kind": n.kind, "status": n.status, "created_at": iso(n.created_at)}
        for n in Notification.objects.filter(user=user)
    ]
    return data


@transaction.atomic
def delete_account(*, user: User) -> None:
    """Erase a member's personal data; keep anonymous history; tell their groups."""
    now = timezone.now()
    for _name, eraser in erasers:
        eraser(user=user, now=now)
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
