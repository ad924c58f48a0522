"""The infrastructure's admin: accounts and the outbox register their models."""

from mastermind.accounts import admin as accounts_admin  # noqa: F401
from mastermind.outbox import admin as outbox_admin  # noqa: F401
