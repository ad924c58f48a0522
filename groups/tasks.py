"""Thin Celery tasks of the groups app."""

from celery import shared_task

from groups.services import proposal_jobs, renewal, retention


@shared_task(name="groups.purge_expired_applications")
def purge_expired_applications() -> int:
    return retention.purge_expired_applications()


@shared_task(name="groups.sweep_renewals")
def sweep_renewals() -> dict[str, int]:
    return renewal.sweep()


# The matching stops itself after about 6 s; the limits only catch a runaway (the soft one
# marks the job failed, groups.services.proposal_jobs). A job older than STUCK_AFTER may be
# restarted, so the hard limit stays below it.
@shared_task(name="groups.compute_proposal", soft_time_limit=60, time_limit=75)
def compute_proposal(intake_id: int, token: str) -> str:
    return proposal_jobs.compute_proposal(intake_id=intake_id, token=token)
