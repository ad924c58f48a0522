"""Print the row count of every table the app owns (to compare a restore with its source)."""

import json

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a JSON object of row counts per model."

    def handle(self, *args, **options):
        counts = {
            model._meta.label: model._default_manager.count()
            for model in apps.get_models(include_auto_created=True)
        }
        self.stdout.write(json.dumps(counts, sort_keys=True))
