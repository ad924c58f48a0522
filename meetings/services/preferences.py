"""What each member wants to be emailed, their profile, and one-click unsubscribe.

``MemberSettings`` rows are created lazily: a user without one gets every default
(everything on except calendar invitations), and queries treat a missing row as the
defaults (:func:`wants_q`).

Unsubscribe links (RFC 8058) carry a signed token naming the user and the preference;
it does not expire, because an old email's link must keep working, and it can only
ever turn that one preference off.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from mastermind.core.mail import absolute_url
from meetings.calendar import feed_cache
from meetings.models import MemberSettings

# Preferences a member can turn off. Short-notice changes to their own meetings are
# always sent (the calendar part sends those): there is no switch for them on purpose.
MEMBER_PREFERENCES = (
    "meeting_reminders",
    "preparation_reminders",
    "commitment_prompts",
    "recaps",
    "hot_seat_changes",
    "calendar_invitations",
)
ORGANISER_PREFERENCES = ("organiser_digests",)
ALL_PREFERENCES = (*MEMBER_PREFERENCES, *ORGANISER_PREFERENCES)

UNSUBSCRIBE_SALT = "meetings.unsubscribe"


def preferences_for(user) -> tuple[str, ...]:
    """The switches this user sees: organiser digests only for staff."""
    return ALL_PREFERENCES if user.is_staff else MEMBER_PREFERENCES


def label(preference: str) -> str:
    return MemberSettings._meta.get_field(preference).verbose_name


def default(preference: str) -> bool:
    return MemberSettings._meta.get_field(preference).get_default()


def settings_for(user) -> MemberSettings:
    member_settings, _created = MemberSettings.objects.get_or_create(user=user)
    return member_settings


def wants_q(preference: str, *, prefix: str = "") -> Q:
    """A filter for users (``prefix=""``) or rows with a user (``"user__"``) who want it."""
    if preference not in ALL_PREFERENCES:
        raise ValueError(f"Unknown preference {preference!r}")
    on = Q(**{f"{prefix}member_settings__{preference}": True})
    if default(preference):
        on |= Q(**{f"{prefix}member_settings__isnull": True})
    return on


def wants(*, user_id: int, preference: str) -> bool:
    values = MemberSettings.objects.filter(user_id=user_id).values_list(preference, flat=True)
    stored = list(values)
    return stored[0] if stored else default(preference)


@transaction.atomic
def update_profile(
    *,
    user,
    display_name: str,
    language: str,
    time_zone: str,
    preferences: Mapping[str, bool],
) -> None:
    """Save name, language, zone and the given switches (unknown switches are ignored)."""
    user.display_name = display_name
    user.language = language
    user.time_zone = time_zone
    user.save(update_fields=["display_name", "language", "time_zone"])
    # Their own feed, and their name as presenter in their groups' feeds.
    feed_cache.changed(users=[user.pk], groups=feed_cache.groups_of(user.pk))
    allowed = {k: bool(v) for k, v in preferences.items() if k in preferences_for(user)}
    if allowed:
        MemberSettings.objects.update_or_create(user=user, defaults=allowed)


def unsubscribe_token(*, user_id: int, preference: str) -> str:
    if preference not in ALL_PREFERENCES:
        raise ValueError(f"Unknown preference {preference!r}")
    return signing.dumps([user_id, preference], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, preference) from a valid token, else None."""
    try:
        user_id, preference = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or preference not in ALL_PREFERENCES:
        return None
    return user_id, preference


def unsubscribe(*, user_id: int, preference: str) -> bool:
    """Turn one preference off. Only ever turns off; False if the user is gone."""
    off = {preference: False}
    if MemberSettings.objects.filter(user_id=user_id).update(**off):
        return True
    # A deleted account stays as an inactive, anonymised row: its old links change nothing
    # (creating settings would also mint a new calendar feed token for it).
    if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
        return False
    _settings, created = MemberSettings.objects.get_or_create(user_id=user_id, defaults=off)
    if not created:  # created by a concurrent request in between
        MemberSettings.objects.filter(user_id=user_id).update(**off)
    return True


def unsubscribe_url(*, user_id: int, preference: str) -> str:
    token = unsubscribe_token(user_id=user_id, preference=preference)
    return absolute_url(reverse("meetings:unsubscribe", kwargs={"token": token}))


def unsubscribe_headers(*, user_id: int, preference: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: mail clients offer a one-click unsubscribe button."""
    url = unsubscribe_url(user_id=user_id, preference=preference)
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def profile_url() -> str:
    return absolute_url(reverse("meetings:profile"))


def organiser_address(notification) -> tuple[str, str, str, dict] | None:
    """Language, time zone, address and unsubscribe headers of an organiser digest: the
    staff member's own, or the site's for an address from ``ORGANISER_EMAILS``; None if the
    user is no longer active staff or turned organiser digests off."""
    user = notification.user
    if user is None:
        return settings.LANGUAGE_CODE, settings.TIME_ZONE, notification.email, {}
    if not (user.is_active and user.is_staff):
        return None
    if not wants(user_id=user.pk, preference="organiser_digests"):
        return None
    headers = unsubscribe_headers(user_id=user.pk, preference="organiser_digests")
    return user.language, user.time_zone, user.email, headers
