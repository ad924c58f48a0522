"""Account pages around allauth: the language switcher, the rate-limited code request,
and the admin's sign-in, which is allauth's.
"""

import ipaddress
import logging
from urllib.parse import urlencode

from allauth.account.views import request_login_code as allauth_request_login_code
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from mastermind.accounts.models import FailedSignIn
from mastermind.accounts.signals import user_changed
from mastermind.core import ratelimit
from mastermind.core.errors import error_page

logger = logging.getLogger("mastermind.accounts.signin")

LOGIN_CODE_LIMIT = (20, 60 * 60)  # per client address and hour


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switcher, and a signed-in user's preference follows it."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        get_user_model().objects.filter(pk=request.user.pk).update(language=language)
        user_changed.send(sender=get_user_model(), user_id=request.user.pk)
    return response


def request_login_code(request: HttpRequest) -> HttpResponse:
    """allauth's "email me a code", behind a per-address limit that answers 429.

    allauth limits each email address itself (a form error); this caps how many codes
    one address can ask for across many email addresses.
    """
    if request.method == "POST":
        limit, period = LOGIN_CODE_LIMIT
        if not ratelimit.hit("login_code", ratelimit.client_ip(request), limit, period):
            return ratelimit.rate_limited(
                request,
                period=period,
                message=_("Too many sign-in codes were requested from your address."),
            )
    return allauth_request_login_code(request)


def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/ hands over to allauth's sign-in, with its rate limits for everyone.

    Django's own admin sign-in form has no limit on wrong passwords; routing it here means
    one sign-in path, one set of limits (``ACCOUNT_RATE_LIMITS``) and one place that logs
    failed attempts. A signed-in member without staff rights gets a 403, not a loop back
    to the sign-in page.
    """
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_staff:
            return HttpResponseRedirect(next_url)
        return error_page(request, 403)
    login_url = resolve_url(settings.LOGIN_URL)
    return HttpResponseRedirect(f"{login_url}?{urlencode({'next': next_url})}")


@receiver(user_login_failed, dispatch_uid="mastermind.accounts.log_failed_sign_in")
def log_failed_sign_in(sender, credentials=None, request=None, **kwargs) -> None:
    """Every wrong password is logged and kept for the organiser (admin: failed sign-ins)."""
    credentials = credentials or {}
    who = str(credentials.get("email") or credentials.get("username") or "?")[:254]
    address = ratelimit.client_ip(request) if request is not None else None
    logger.warning("failed sign-in for %r from %s", who, address or "?")
    record_failed_sign_in(email=who, address=address)


def record_failed_sign_in(*, email: str, address: str | None) -> None:
    try:
        ipaddress.ip_address(address or "")
    except ValueError:
        address = None
    now = timezone.now()
    FailedSignIn.objects.filter(attempted_at__lt=now - FailedSignIn.KEEP_FOR).delete()
    FailedSignIn.objects.create(email=email, address=address, attempted_at=now)
