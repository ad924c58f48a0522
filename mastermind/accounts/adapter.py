"""django-allauth integration: accounts are made for members, not by the public.

Its emails (sign-in code, password reset, address confirmation) use our own templates in
``templates/account/email/`` (HTML and text, the product's name from ``SITE_NAME``),
rendered in the recipient's language and time zone when we know them.
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils import timezone, translation


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Members get their account when the organiser forms the groups; visitors apply
        # through an intake instead, so there is nothing to sign up for.
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Staff to the organiser's home, members to their groups (``next`` wins over both)."""
        if request.user.is_staff:
            return resolve_url("admin:index")
        return resolve_url("groups:my_groups")

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = context.get("user") or (
            get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        )
        language = getattr(user, "language", "") or translation.get_language()
        time_zone = getattr(user, "time_zone", "") or settings.TIME_ZONE
        context = {
            "SITE_NAME": settings.SITE_NAME,
            "code_minutes": settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT // 60,
            "SITE_URL": settings.SITE_URL,
            "sign_in_url": settings.SITE_URL + resolve_url(settings.LOGIN_URL),
            "apply_url": settings.SITE_URL + resolve_url("groups:intake_list"),
            **context,
        }
        with translation.override(language), timezone.override(time_zone):
            super().send_mail(template_prefix, email, context)
