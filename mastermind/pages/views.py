from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from mastermind.core import ratelimit
from mastermind.ops import health

LOGIN_CODE_LIMIT = (20, 60 * 60)  # per client address and hour


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    from groups.selectors import open_intakes

    return render(request, "mastermind/home.html", {"intakes": open_intakes()})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switcher, and a signed-in user's preference follows it."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        from meetings.calendar import feed_cache as calendar_cache

        get_user_model().objects.filter(pk=request.user.pk).update(language=language)
        calendar_cache.changed(users=[request.user.pk])  # the feed's texts follow it
    return response


def page(template: str):
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, template)

    return view


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def request_login_code(request: HttpRequest) -> HttpResponse:
    """allauth's "email me a code", behind a per-address limit that answers 429.

    allauth limits each email address itself (a form error); this caps how many codes
    one address can ask for across many email addresses.
    """
    from allauth.account.views import request_login_code as allauth_view

    if request.method == "POST":
        limit, period = LOGIN_CODE_LIMIT
        if not ratelimit.hit("login_code", ratelimit.client_ip(request), limit, period):
            return ratelimit.rate_limited(
                request,
                period=period,
                message=_("Too many sign-in codes were requested from your address."),
            )
    return allauth_view(request)
