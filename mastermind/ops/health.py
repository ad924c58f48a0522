"""Checks for /healthz: reachability, the outbox, and beat's heartbeat.

Thresholds are settings (``HEALTH_*``, see the README's Production section).
"""

from datetime import UTC, datetime, timedelta

from celery import current_app as app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from mastermind import outbox
from mastermind.outbox.models import Notification, NotificationStatus

FIRST_CHECK_KEY = "health:first-check"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def broker_ok() -> bool:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False


def outbox_status(now: datetime | None = None) -> dict:
    """The age of the oldest email still to send, how many are failing, the circuit.

    A row is due at its creation, or at ``not_before`` when it waits for its batch window
    (mastermind.outbox.batches); its age counts from then, so a row waiting in backoff is
    old news and a row waiting for its window is not.
    Failing: pending after at least one failed attempt, or failed/rejected in the last day.
    """
    now = now or timezone.now()
    waiting = Notification.objects.filter(
        status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]
    )
    stats = waiting.aggregate(oldest=Min(Coalesce("not_before", "created_at")))
    failing = Notification.objects.filter(
        Q(status=NotificationStatus.PENDING, attempts__gt=0)
        | Q(
            status__in=[NotificationStatus.FAILED, NotificationStatus.REJECTED],
            updated_at__gte=now - timedelta(days=1),
        )
    ).count()
    oldest = stats["oldest"]
    state = outbox.circuit()
    return {
        "oldest_pending_seconds": None if oldest is None else int((now - oldest).total_seconds()),
        "failing": failing,
        "mail_server_failing_since": None
        if state is None
        else datetime.fromtimestamp(state["since"], tz=UTC).isoformat(),
    }


def beat_status(now: datetime | None = None) -> dict:
    """When beat's minute job (requeue_stuck) last ran. Never seen counts as late only
    once this web has been checking for longer than the threshold (a fresh deploy)."""
    now = now or timezone.now()
    try:
        last = cache.get(outbox.HEARTBEAT_KEY)
        cache.add(FIRST_CHECK_KEY, now.timestamp(), timeout=None)
        first = cache.get(FIRST_CHECK_KEY) or now.timestamp()
    except Exception:  # noqa: BLE001 - the broker check reports Redis itself
        return {"last_run_seconds_ago": None, "ok": True}
    limit = settings.HEALTH_BEAT_MAX_AGE_SECONDS
    if last is None:
        return {"last_run_seconds_ago": None, "ok": now.timestamp() - first <= limit}
    age = int(now.timestamp() - last)
    return {"last_run_seconds_ago": age, "ok": age <= limit}


def report(now: datetime | None = None) -> tuple[bool, dict]:
    database = database_ok()
    checks: dict = {"database": database, "broker": broker_ok()}
    healthy = database and checks["broker"]
    if database:
        mail = outbox_status(now)
        oldest = mail["oldest_pending_seconds"]
        mail["ok"] = (
            oldest is None or oldest <= settings.HEALTH_OUTBOX_OLDEST_PENDING_SECONDS
        ) and (mail["failing"] <= settings.HEALTH_OUTBOX_FAILING_MAX)
        checks["outbox"] = mail
        healthy = healthy and mail["ok"]
    checks["beat"] = beat_status(now)
    healthy = healthy and checks["beat"]["ok"]
    return healthy, checks
