"""The site's handler400/403/404/500 (set in mastermind/urls.py).

Django's defaults are fine pages, but the 400 handler is also what runs when reading the
form failed, and any page that touches ``request.POST`` there fails a second time (a bare
500 without headers). These render the branded templates from ``mastermind.core.errors``,
which reads neither the body nor the session.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from mastermind.core.errors import TEMPLATES, error_page


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)


def preview(request: HttpRequest, status: int) -> HttpResponse:
    """/_errors/404/ etc.: the branded pages, to look at while DEBUG shows Django's own."""
    if not settings.DEBUG or status not in TEMPLATES:
        raise Http404
    return error_page(request, status)
