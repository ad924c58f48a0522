"""Request middleware: time zones and languages, malformed requests, headers and caching."""

import logging
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control

from mastermind.core.errors import error_page
from mastermind.core.timezones import is_valid_zone

logger = logging.getLogger(__name__)

TZ_COOKIE = "mm_tz"


class UserPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.activate(zoneinfo.ZoneInfo(visitor_time_zone(request)))
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language in dict(settings.LANGUAGES)
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def visitor_time_zone(request: HttpRequest) -> str:
    """The signed-in user's zone, else the zone the browser reported, else the site's."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and is_valid_zone(user.time_zone):
        return user.time_zone
    cookie = request.COOKIES.get(TZ_COOKIE, "")
    if cookie and is_valid_zone(cookie):
        return cookie
    return settings.TIME_ZONE


class PermissionsPolicyMiddleware:
    """Deny browser features we never use (camera, microphone, geolocation, …)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestGuardMiddleware:
    """Answer 400 to malformed requests before anything reads them.

    Refused: a NUL character in the path, the query string, a cookie or any header
    (PostgreSQL refuses NUL in text, so a stray %00 in an admin search or a session cookie
    would end as a server error); a request body declared in a charset other than UTF-8
    or in one Python does not know (Django refuses those while parsing the form, and the
    error page would parse it again). Form fields need no help: Django's CharField
    already rejects NUL with a form error.

    Runs before the session, CSRF and authentication layers, so the answer touches neither
    the session nor the body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = request_problem(request)
        if problem:
            logger.info("refused a malformed request to %r: %s", request.path[:200], problem)
            return error_page(request, 400, problem=problem)
        return self.get_response(request)


def request_problem(request: HttpRequest) -> str:
    """Why the request cannot be answered normally (a short English reason), or ""."""
    if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", ""):
        return "the address contains a NUL character"
    for key, value in request.META.items():
        if (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")) and (
            isinstance(value, str) and "\x00" in value
        ):
            return "a header or cookie contains a NUL character"
    # A quoted cookie may spell NUL as an escape ("\\000"), which parsing turns into one.
    if any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items()):
        return "a cookie contains a NUL character"
    try:
        if _has_nul(request.GET):
            return "the address contains a NUL character"
    except Exception:  # noqa: BLE001 - an unparsable query string is a bad request
        return "the query string cannot be read"
    charset = _declared_charset(request)
    has_body = request.method not in ("GET", "HEAD", "OPTIONS")
    if has_body and charset is not None and charset.lower() != "utf-8":
        return "the request body must be UTF-8 encoded"
    return ""


def _declared_charset(request: HttpRequest) -> str | None:
    # Django parsed the Content-Type header already; ``content_params`` keeps the raw value.
    return (getattr(request, "content_params", None) or {}).get("charset")


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class PrivatePagesMiddleware:
    """Keep signed-in pages out of shared and browser caches: ``private, no-store``.

    A page for a signed-in member shows their groups, meetings and notes; a proxy or the
    browser's back-forward cache on a shared computer must not keep a copy.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
