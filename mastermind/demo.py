"""Demo data for `make run`. Each part is idempotent: running it twice changes nothing."""

import importlib

from allauth.account.models import EmailAddress
from django.conf import settings

from mastermind.accounts.models import User

ORGANISER_EMAIL = "organiser@example.org"
DEMO_PASSWORD = "mastermind-demo"  # noqa: S105 - a published demo sign-in, never in production

# Each part of the app adds its demo data in a `seed(report)` function, in this order.
PARTS = (
    "groups.demo.intake",
    "groups.demo.groups",
    "meetings.demo.schedules",
    "meetings.demo.calendar",
)


def ensure_user(
    email: str, *, display_name: str, staff: bool = False, language: str = "de"
) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "display_name": display_name,
            "is_staff": staff,
            "is_superuser": staff,
            "language": language,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed() -> list[str]:
    ensure_user(ORGANISER_EMAIL, display_name="Olivia Organisatorin", staff=True)
    report = [
        f"Site:      {settings.SITE_URL}/",
        f"Admin:     {settings.SITE_URL}/admin/",
        f"Organiser: {ORGANISER_EMAIL} / password {DEMO_PASSWORD} (or sign in by emailed code;",
        "           the code appears in this console)",
    ]
    for name in PARTS:
        try:
            part = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        part.seed(report)
    return report
