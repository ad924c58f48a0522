"""Helpers for the backup and restore commands (PostgreSQL only)."""

import os

from django.core.management.base import CommandError
from django.db import connection


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise CommandError(
            "Backups use pg_dump and need PostgreSQL. With SQLite, copy db.sqlite3 while "
            "the app is stopped."
        )


def pg_env(settings_dict: dict) -> tuple[dict[str, str], str]:
    """libpq environment for pg_dump/pg_restore, so no password appears in argv."""
    env = dict(os.environ)
    mapping = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
    for key, variable in mapping.items():
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env, settings_dict["NAME"]
