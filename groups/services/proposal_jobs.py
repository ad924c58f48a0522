"""Computing a proposal in the background: the ``groups.compute_proposal`` task.

The matching may take its whole time limit (about 6 s), too long for a web request (a
gunicorn timeout, an impatient double click). So "Propose groups" only records a job on
the intake's proposal and queues the task after commit:

``Intake.proposal["job"]`` = ``{"state": "computing" | "failed", "token", "started_at",
"allow_off_size"}``, next to the previous proposal (if any), which stays as it is until
the new one replaces it whole (and with it the job).

Guarantees:

* **One computation at a time.** A request while a job is computing starts nothing.
* **Idempotent task.** The task matches without holding the intake's row, then stores
  the result under the row lock only if the job is still the one it was started for
  (same token, still computing) and no groups were created meanwhile. A redelivered
  task, a task of a replaced request or one that comes after the groups were created
  changes nothing.
* **Nothing stays stuck.** A job computing for longer than ``STUCK_AFTER`` (a lost worker,
  a message never delivered) counts as dead: the page says so and a new request replaces
  it (with a new token, so the old task, should it still run, stores nothing).
* **Errors are shown.** A matching that raises, or a broker that refuses the task, is
  logged and the job becomes "failed"; the page asks to try again.

Hand edits (move, pin) are quick (they check the edited grouping, no search) and stay
synchronous in groups.services.proposals.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from functools import partial

from django.db import transaction
from django.utils import timezone

from groups.models import Intake
from groups.services import proposals

logger = logging.getLogger(__name__)

COMPUTING = "computing"
FAILED = "failed"
STUCK = "stuck"  # computing for too long: shown, and may be restarted; never stored
STORED = "stored"
STALE = "stale"
# Longer than the task's hard time limit (groups/tasks.py) plus a short wait in the queue.
STUCK_AFTER = dt.timedelta(minutes=2)


def job_state(proposal: dict | None, *, now: dt.datetime | None = None) -> str | None:
    """COMPUTING, STUCK, FAILED, or None when no job is pending."""
    job = (proposal or {}).get("job")
    if not job:
        return None
    if job.get("state") != COMPUTING:
        return FAILED
    started = dt.datetime.fromisoformat(job["started_at"])
    return STUCK if (now or timezone.now()) - started > STUCK_AFTER else COMPUTING


def request_proposal(*, intake: Intake, allow_off_size: bool = False) -> bool:
    """Start computing a new proposal in the background; False if one is computing already."""
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        proposals.refuse_if_created(locked)
        now = timezone.now()
        if job_state(locked.proposal, now=now) == COMPUTING:
            return False
        token = secrets.token_hex(16)
        job = {
            "state": COMPUTING,
            "token": token,
            "started_at": now.isoformat(),
            "allow_off_size": allow_off_size,
        }
        locked.proposal = {**(locked.proposal or {}), "job": job}
        locked.save(update_fields=["proposal", "updated_at"])
        transaction.on_commit(partial(_enqueue, locked.pk, token))
    return True


def _enqueue(intake_id: int, token: str) -> None:
    # Imported here: the task module imports this one.
    from groups.tasks import compute_proposal

    try:
        compute_proposal.delay(intake_id, token)
    except Exception:  # the broker is down: say so now rather than after STUCK_AFTER
        logger.exception("Could not queue the proposal of intake %s", intake_id)
        _store(intake_id, token, None)


def _is_current(intake: Intake, token: str) -> bool:
    job = (intake.proposal or {}).get("job") or {}
    return job.get("state") == COMPUTING and job.get("token") == token


def compute_proposal(*, intake_id: int, token: str) -> str:
    """Compute and store the proposal the job ``token`` asked for: STORED, FAILED or STALE."""
    intake = Intake.objects.filter(pk=intake_id).first()
    if intake is None or intake.groups_created_at is not None or not _is_current(intake, token):
        return STALE
    allow_off_size = bool(intake.proposal["job"].get("allow_off_size"))
    try:
        proposal = proposals.build_proposal(intake, allow_off_size=allow_off_size)
    except Exception:
        logger.exception("The proposal of intake %s could not be computed", intake_id)
        return FAILED if _store(intake_id, token, None) else STALE
    return STORED if _store(intake_id, token, proposal) else STALE


def _store(intake_id: int, token: str, proposal: dict | None) -> bool:
    """Store the result (None: the failure) if the job is still current."""
    with transaction.atomic():
        intake = Intake.objects.select_for_update().filter(pk=intake_id).first()
        if intake is None or intake.groups_created_at is not None:
            return False
        if not _is_current(intake, token):
            return False
        if proposal is None:
            job = {**intake.proposal["job"], "state": FAILED}
            proposal = {**intake.proposal, "job": job}
        intake.proposal = proposal
        intake.save(update_fields=["proposal", "updated_at"])
    return True
