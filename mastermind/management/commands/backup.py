"""Back up the PostgreSQL database with pg_dump (custom format, compressed)."""

import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from mastermind.ops.backups import pg_env, require_postgresql


class Command(BaseCommand):
    help = "Write a pg_dump backup of the database to a file (restore with `restore`)."

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path, help="Backup file to write, e.g. backup.dump")

    def handle(self, *args, output: Path, **options):
        require_postgresql()
        env, database = pg_env(connection.settings_dict)
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(output), database],  # noqa: S607
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        self.stdout.write(self.style.SUCCESS(f"Backup written to {output}"))
