"""A small fixed-window rate limit on Django's cache, shared by every web process.

``hit(scope, key, limit, period)`` counts one request and says whether it is still
allowed. The counter lives under a key for the current window, created with
``cache.add`` (atomic: only the first process creates it) and then ``cache.incr``
(atomic in Redis and in the local-memory cache), so parallel requests never lose a
count. A window's counter expires with the window.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def hit(scope: str, key: str, limit: int, period: int) -> bool:
    """Count one request for ``key`` in ``scope``; True while at most ``limit`` per ``period``."""
    if not settings.RATELIMIT_ENABLED:
        return True
    window = int(time.time() // period)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}:{window}"
    if cache.add(cache_key, 1, timeout=period + 1):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this request starts the window
        cache.add(cache_key, 1, timeout=period + 1)
        count = 1
    return count <= limit


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind N trusted proxies, set RATELIMIT_PROXY_COUNT = N.

    Only the proxies' own entries in X-Forwarded-For are trusted; anything further left
    was written by the client and could be forged.
    """
    proxies = settings.RATELIMIT_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(request: HttpRequest, *, period: int, message: str = "") -> HttpResponse:
    """The "too many requests" page, status 429, in the visitor's language."""
    response = render(
        request,
        "429.html",
        {"message": message or _("You have sent this form too often. Please try again later.")},
        status=429,
    )
    response["Retry-After"] = str(period)
    return response
