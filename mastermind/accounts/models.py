"""The account of everyone who signs in: organisers and members."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mastermind.core.timezones import validate_time_zone

# An erased account keeps its row (history counts) under an address in this reserved
# domain (RFC 2606: ".invalid" never resolves); see mastermind.privacy.
ERASED_DOMAIN = "deleted.invalid"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: organiser or member. The email address is the login."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    is_staff = models.BooleanField(
        _("organiser"),
        default=False,
        help_text=_("Organisers can sign in to the admin and manage intakes and groups."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name()

    @property
    def is_erased(self) -> bool:
        """The person deleted their account: only an anonymous row is left."""
        return self.email.endswith(f"@{ERASED_DOMAIN}")

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        if self.is_erased:
            return gettext("former member")
        return self.display_name or self.email

    def get_short_name(self) -> str:
        if self.is_erased:
            return gettext("former member")
        return (self.display_name or self.email).split()[0]

    @property
    def first_name(self) -> str:
        """What other members see: the first word of the display name ("former member"
        for an erased account, never its placeholder address)."""
        if self.is_erased:
            return gettext("former member")
        return self.get_short_name().split("@")[0]


class FailedSignIn(models.Model):
    """A wrong password, kept for the organiser to see (the admin's "failed sign-ins").

    The address typed and the client address are personal data: rows older than
    ``KEEP_FOR`` are deleted when the next one is recorded.
    """

    KEEP_FOR = timedelta(days=30)

    email = models.CharField(_("email address entered"), max_length=254)
    address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        ordering = ["-attempted_at"]

    def __str__(self) -> str:
        return self.email
