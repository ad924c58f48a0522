"""A short way through the middleware stack for the calendar feed.

Calendar clients poll ``/calendar/<token>.ics`` around the clock; the token is the only
credential, the answer sets no cookie and renders no HTML. Sessions, CSRF, authentication,
locale negotiation, messages, allauth and the CSP nonce do nothing for it, yet together
they cost several times what a 304 answer itself costs (see bench/README.md). This
middleware sits right after whitenoise (so the security, permissions-policy and static
layers still apply) and hands successful GET/HEAD feed requests straight to the view.
Everything else, including a 404 for an unknown token, takes the normal path, so error
pages render exactly as before. It adds the two headers the skipped layers would have set
for a calendar file (FEED_HEADERS). Tested with the view, through the whole stack, in
tests/meetings/test_feed_cache.py (GET, HEAD, 304, 404, POST, the headers).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from meetings.calendar import views as views_calendar

MARKER = "TOKEN"
# Nothing in a calendar file may run, be framed or load anything.
FEED_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
}


class CalendarFeedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self._affixes: dict[str | None, tuple[str, str] | None] = {}

    def affixes(self) -> tuple[str, str] | None:
        """The feed URL before and after the token, from the URLconf (wherever it is mounted)."""
        urlconf = get_urlconf()
        if urlconf not in self._affixes:
            try:
                url = reverse("meetings:feed", kwargs={"token": MARKER})
            except NoReverseMatch:  # a URLconf without the meetings app
                self._affixes[urlconf] = None
            else:
                path = "/" + url.removeprefix(get_script_prefix())  # compared with path_info
                prefix, suffix = path.split(MARKER)
                self._affixes[urlconf] = prefix, suffix
        return self._affixes[urlconf]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = self.feed_token(request)
        if token is not None:
            try:
                response = views_calendar.feed(request, token=token)
            except Http404:
                return self.get_response(request)  # the regular 404 page
            for header, value in FEED_HEADERS.items():
                response.headers.setdefault(header, value)
            return response
        return self.get_response(request)

    def feed_token(self, request: HttpRequest) -> str | None:
        if request.method not in ("GET", "HEAD"):
            return None
        affixes = self.affixes()
        if affixes is None:
            return None
        prefix, suffix = affixes
        path = request.path_info
        if not (path.startswith(prefix) and path.endswith(suffix)):
            return None
        token = path[len(prefix) : len(path) - len(suffix)]
        # The same rule as the URL's <str:token>: non-empty, no slash.
        return token if token and "/" not in token else None
