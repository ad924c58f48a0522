"""Batches: emails that reach one person within a short window go out as one.

Some emails are better told together: a swap accepted and the hot seats it moved, or
several edits to one meeting, are one email that says everything that changed. The outbox
does this without giving up any guarantee of :mod:`mastermind.outbox.delivery`.

How it works
------------
1. **Claim with a window.** A row claimed with the fields of :func:`batched` carries a
   ``batch_key`` (whom it is for and what it is about, e.g. ``changes:<user>:<group>``) and
   is due only when its window ends: ``due_at`` = ``not_before`` = claim time + window. It is
   not published when claimed; beat's minute re-queue (``requeue_stuck``) publishes it once
   it is due, so the email leaves at most a minute after its window.
2. **The row sent first leads.** When a row with a batch key is leased (step 3 of
   delivery), the same transaction locks every other *pending* row with that key, due or not
   (``SKIP LOCKED``: a row another worker holds is left to it, so two leads never wait for
   each other), and the rows merged into any of them before, and hands them all with the
   lead, oldest first, to the batch builder of the lead's kind (:func:`register_batch`).
   It builds one email from the state at that moment and names the row whose kind the
   email counts as (its reason, its one-click unsubscribe if optional).
3. **The others are merged.** In the same transaction the other rows are marked
   ``merged`` with ``merged_into`` = the lead (or share the lead's ``skipped`` or
   ``expired`` when nothing is wanted any more or it is too late). They are never sent on
   their own: a redelivered or second send task finds them not pending and sends nothing.
4. **Retries keep the batch.** The lead is retried, deferred by the circuit and failed
   like any row; every attempt rebuilds the email from the rows merged into it and any row
   with its key that became pending since, so a retry says what is true then. The admin's
   "send again" on the lead sends the whole batch again; on a merged row, that row alone.
5. **The window is a floor.** Releasing the backlog when the mail server is back
   (``release_waiting``) never makes a row due before its ``not_before``.

What follows: every change is told in exactly one email (at least once, like every row:
see "The one window" in delivery). The window is fixed from the batch's first row: a row
claimed while its batch's email is already being sent waits for its own window and goes
in the next email, so no change waits longer than one window and a minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from django.utils import timezone

from mastermind.core.mail import Email
from mastermind.outbox.models import Notification, NotificationStatus

# Takes the rows of one batch, oldest first (the lead among them), and returns the email and
# the row whose kind it counts as, or None when none of it is wanted any more.
# It raises ``Expired`` when every part would arrive too late to be useful.
BatchBuilder = Callable[[Sequence[Notification]], tuple[Email, Notification] | None]
_batch_builders: dict[str, BatchBuilder] = {}
_kinds_of: dict[BatchBuilder, tuple[str, ...]] = {}


def batched(key: str, *, window: dt.timedelta, now: dt.datetime | None = None) -> dict:
    """The fields of a row sent together with the others of ``key`` (for ``claim`` and
    ``Notification(**...)``): due when its window ends."""
    due = (now or timezone.now()) + window
    return {"batch_key": key, "due_at": due, "not_before": due}


def register_batch(*kinds: str) -> Callable[[BatchBuilder], BatchBuilder]:
    """Rows of these kinds with the same batch key are built together by the builder."""

    def decorator(builder: BatchBuilder) -> BatchBuilder:
        for kind in kinds:
            _batch_builders[kind] = builder
        _kinds_of[builder] = tuple(kinds)
        return builder

    return decorator


def batch_builder_for(kind: str) -> BatchBuilder | None:
    return _batch_builders.get(kind)


def gather(lead: Notification, *, lock: bool) -> list[Notification]:
    """The other rows the lead's email tells (step 2), oldest first; [] if not batched.

    ``lock``: lock them for the lease (the lead's row is locked by the caller).
    """
    builder = _batch_builders.get(lead.kind)
    if builder is None or not lead.batch_key or lead.pk is None:
        return []
    pending = Notification.objects.filter(
        batch_key=lead.batch_key, status=NotificationStatus.PENDING, kind__in=_kinds_of[builder]
    ).exclude(pk=lead.pk)
    # ``of=("self",)``: lock these rows only, never their recipients' (the user is joined,
    # and PostgreSQL refuses FOR UPDATE on the nullable side of an outer join).
    if lock:
        pending = pending.select_for_update(skip_locked=True, of=("self",))
    rows = list(pending.select_related("user"))
    merged = Notification.objects.filter(merged_into__in=[lead.pk, *(r.pk for r in rows)])
    if lock:
        merged = merged.select_for_update(of=("self",))
    rows += [row for row in merged.select_related("user") if row.pk != lead.pk]
    return oldest_first(rows)


def oldest_first(rows: Sequence[Notification]) -> list[Notification]:
    """In the order they were claimed (an unsaved row, as in a preview, counts as new)."""
    now = timezone.now()
    return sorted(rows, key=lambda row: (row.created_at or now, row.pk or 0))


def settle(lead: Notification, others: Sequence[Notification], status: str) -> None:
    """The others share the lead's outcome: merged into it when it is sent (step 3)."""
    if others:
        Notification.objects.filter(pk__in=[row.pk for row in others]).update(
            status=status, merged_into=lead, updated_at=timezone.now()
        )
