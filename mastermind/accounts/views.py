"""Account pages around allauth: the language switcher and the rate-limited code request."""

from allauth.account.views import request_login_code as allauth_request_login_code
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from mastermind.accounts.signals import user_changed
from mastermind.core import ratelimit

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
