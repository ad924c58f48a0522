import pytest

from mastermind import outbox
from mastermind.core.mail import Email
from mastermind.outbox.models import Notification
from tests.mastermind.outbox.helpers import KIND, Outage, Watch


@outbox.register(KIND)
def build(notification: Notification) -> Email | None:
    return Email(template="mastermind/email/test", to=notification.email, context={"n": 1})


@pytest.fixture(autouse=True)
def _reset_backends():
    Outage.until, Outage.connections = None, 0
    Watch.message_ids, Watch.in_transaction, Watch.fail_next, Watch.gate = [], [], 0, None
    yield
    if Watch.gate is not None:
        Watch.gate.set()


@pytest.fixture
def make_rows():
    def make(count: int, **fields) -> list[Notification]:
        return [
            Notification.objects.create(
                kind=KIND, dedup_key=f"r{i}", email=f"m{i}@example.org", **fields
            )
            for i in range(count)
        ]

    return make
