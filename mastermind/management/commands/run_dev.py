"""Serve the app with a Celery worker and beat, all stopped together by Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development web server, a Celery worker and Celery beat together."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        Path(settings.VAR_DIR).mkdir(exist_ok=True)
        python = sys.executable
        commands = {
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "mastermind",
                "worker",
                "-l",
                "INFO",
                "--concurrency",
                "2",
                "--pool",
                "threads",
            ],
            "beat": [python, "-m", "celery", "-A", "mastermind", "beat", "-l", "INFO"],
            "web": [python, "manage.py", "runserver", addrport],
        }
        self.stdout.write(self.style.SUCCESS(f"Serving on http://{addrport}/ (Ctrl-C stops all)"))
        # The worker and beat are development processes too (settings: DEBUG on only under
        # the development server or DEBUG=true).
        env = {**os.environ, "DEBUG": "true"}
        processes = {
            name: subprocess.Popen(cmd, env=env)  # noqa: S603
            for name, cmd in commands.items()
        }
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            stopped = [n for n, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; stopping the others.")
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
