"""Demo data for `make run`, part of the composition root: it seeds every app in order.

Each part is idempotent: running it twice changes nothing.
"""

from django.conf import settings

from groups.demo import groups as demo_groups
from groups.demo import intake as demo_intake
from mastermind.accounts.demo import DEMO_PASSWORD, ORGANISER_EMAIL, ensure_user
from meetings.demo import agenda as demo_agenda
from meetings.demo import calendar as demo_calendar
from meetings.demo import schedules as demo_schedules

PARTS = (demo_intake, demo_agenda, demo_groups, demo_schedules, demo_calendar)


def seed() -> list[str]:
    ensure_user(ORGANISER_EMAIL, display_name="Olivia Organisatorin", staff=True)
    report = [
        f"Site:      {settings.SITE_URL}/",
        f"Admin:     {settings.SITE_URL}/admin/",
        f"Organiser: {ORGANISER_EMAIL} / password {DEMO_PASSWORD} (or sign in by emailed code;",
        "           the code appears in this console)",
    ]
    for part in PARTS:
        part.seed(report)
    return report
