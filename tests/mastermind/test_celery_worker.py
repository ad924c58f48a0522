"""A task round-trips through a real broker and a real worker.

With REDIS_URL set (CI) the broker is Redis; otherwise kombu's in-memory transport.
Either way nothing is mocked: the worker consumes the message the test published.
"""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache

from mastermind.celery import app as celery_app
from mastermind.ops.tasks import record_heartbeat

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_broker_is_redis_in_ci():
    if settings.REDIS_URL:
        assert celery_app.conf.broker_url.startswith("redis://")


def test_task_runs_on_a_real_worker():
    token = uuid.uuid4().hex
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        record_heartbeat.delay(token)
        assert wait_for(lambda: cache.get(f"heartbeat:{token}") == "seen")
