"""Operational tasks: prove that a worker consumes from the broker."""

from celery import shared_task
from django.core.cache import cache


@shared_task(name="mastermind.record_heartbeat")
def record_heartbeat(token: str) -> None:
    """Leave a mark in the cache: proves a worker consumed from the broker."""
    cache.set(f"heartbeat:{token}", "seen", timeout=300)
