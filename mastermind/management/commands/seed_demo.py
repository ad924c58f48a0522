"""Create demo data (idempotent): `python manage.py seed_demo`."""

from django.core.management.base import BaseCommand
from django.db import transaction

from mastermind import demo


class Command(BaseCommand):
    help = "Create an organiser, an open intake, applications, groups and meetings to explore."

    def handle(self, *args, **options):
        with transaction.atomic():
            report = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        for line in report:
            self.stdout.write(f"  {line}")
