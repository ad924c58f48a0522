"""The site's handler400/403/404/500 (set in mastermind/urls.py).

Django's defaults are fine pages, but the 400 handler is also what runs when reading the
form failed, and any page that touches ``request.POST`` there fails a second time (a bare
500 without headers). These render the branded templates from ``mastermind.core.errors``,
which reads neither the body nor the session.
"""

from django.http import HttpRequest, HttpResponse

from mastermind.core.errors import error_page


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)
