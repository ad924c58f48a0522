"""Activate each visitor's time zone and remember a signed-in member's language."""

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone, translation

from mastermind.core.timezones import is_valid_zone

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


class RejectNulBytesMiddleware:
    """Answer 400 to a NUL character in the path or the query string.

    PostgreSQL refuses NUL in text, so a stray %00 in, say, an admin search or filter would
    end as a server error instead of a clear no. Form fields need no help: Django's
    CharField already rejects NUL with a form error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _has_nul(request.GET):
            return HttpResponseBadRequest(
                "Bad request: the address contains a NUL character.", content_type="text/plain"
            )
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())
