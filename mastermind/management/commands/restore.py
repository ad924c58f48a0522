"""Restore a pg_dump backup into the (empty) database named by DATABASE_URL."""

import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from mastermind.ops.backups import pg_env, require_postgresql


class Command(BaseCommand):
    help = "Restore a backup made by `backup` into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("input", type=Path, help="Backup file to read")

    def handle(self, *args, input: Path, **options):
        require_postgresql()
        if not input.exists():
            raise CommandError(f"{input} does not exist")
        env, database = pg_env(connection.settings_dict)
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [  # noqa: S607
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                database,
                str(input),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        self.stdout.write(self.style.SUCCESS(f"Restored {input}"))
