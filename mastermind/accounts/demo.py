"""Demo accounts for `make run`: the organiser and a helper the apps' demo data uses."""

from allauth.account.models import EmailAddress

from mastermind.accounts.models import User

ORGANISER_EMAIL = "organiser@example.org"
DEMO_PASSWORD = "mastermind-demo"  # noqa: S105 - a published demo sign-in, never in production


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
