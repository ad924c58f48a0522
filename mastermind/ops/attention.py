"""What needs the organiser's attention now, at the top of the admin's index page.

The infrastructure reports the mail server, emails that could not be sent, background
jobs that stopped and failed sign-ins; the apps add their own items (applications to
review, decisions not sent, ...) through :data:`attention_hooks`. A few queries in all,
whatever the data size.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mastermind.accounts.models import FailedSignIn
from mastermind.core.registry import Hooks
from mastermind.core.timezones import local_text
from mastermind.ops import health
from mastermind.outbox.models import Notification, NotificationStatus

SIGN_IN_WINDOW = timedelta(hours=24)
FAILED_EMAILS_WINDOW = timedelta(days=7)
# Past this many wrong passwords in a day, someone is guessing rather than mistyping.
SIGN_IN_URGENT = 20


@dataclass(frozen=True)
class Attention:
    text: str
    url: str = ""
    urgent: bool = False


# Each hook takes ``now`` and returns a list of :class:`Attention`.
attention_hooks = Hooks("what needs the organiser's attention")


def items(now: datetime | None = None) -> list[Attention]:
    now = now or timezone.now()
    found = [*mail_items(now), *beat_items(now), *sign_in_items(now)]
    for _name, hook in attention_hooks:
        found.extend(hook(now))
    return sorted(found, key=lambda item: not item.urgent)


def _changelist(model, **filters) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return f"{url}?{query}" if query else url


def mail_items(now: datetime) -> list[Attention]:
    found = []
    status = health.outbox_status(now)
    if status["mail_server_failing_since"]:
        since = datetime.fromisoformat(status["mail_server_failing_since"]).astimezone(UTC)
        waiting = Notification.objects.filter(status=NotificationStatus.PENDING).count()
        found.append(
            Attention(
                ngettext(
                    "The mail server has not answered since %(time)s; %(count)s email is "
                    "waiting and goes out as soon as it answers.",
                    "The mail server has not answered since %(time)s; %(count)s emails are "
                    "waiting and go out as soon as it answers.",
                    waiting,
                )
                % {"time": local_text(since), "count": waiting},
                _changelist(Notification, status__exact=NotificationStatus.PENDING),
                urgent=True,
            )
        )
    undeliverable = Notification.objects.filter(
        status__in=[NotificationStatus.FAILED, NotificationStatus.REJECTED],
        updated_at__gte=now - FAILED_EMAILS_WINDOW,
    ).count()
    if undeliverable:
        found.append(
            Attention(
                ngettext(
                    "%(count)s email could not be delivered in the last 7 days.",
                    "%(count)s emails could not be delivered in the last 7 days.",
                    undeliverable,
                )
                % {"count": undeliverable},
                _changelist(Notification, status__in="failed,rejected"),
                urgent=True,
            )
        )
    return found


def beat_items(now: datetime) -> list[Attention]:
    beat = health.beat_status(now)
    if beat["ok"]:
        return []
    if beat["last_run_seconds_ago"] is None:
        text = _("Background jobs (reminders, invitations) have not run since the last start.")
    else:
        minutes = beat["last_run_seconds_ago"] // 60
        text = ngettext(
            "Background jobs (reminders, invitations) last ran %(minutes)s minute ago.",
            "Background jobs (reminders, invitations) last ran %(minutes)s minutes ago.",
            minutes,
        ) % {"minutes": minutes}
    return [Attention(text, urgent=True)]


def sign_in_items(now: datetime) -> list[Attention]:
    count = FailedSignIn.objects.filter(attempted_at__gte=now - SIGN_IN_WINDOW).count()
    if not count:
        return []
    text = ngettext(
        "%(count)s failed sign-in in the last 24 hours.",
        "%(count)s failed sign-ins in the last 24 hours.",
        count,
    ) % {"count": count}
    return [Attention(text, _changelist(FailedSignIn), urgent=count >= SIGN_IN_URGENT)]
