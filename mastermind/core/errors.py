"""Error pages that are safe to render for any request, however malformed.

They never read the request body (``request.POST``), the session or the signed-in user:
the request that led here may be the reason those cannot be read. Each answer goes
through the normal middleware on its way out, so it carries the security headers.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

TEMPLATES = {400: "400.html", 403: "403.html", 404: "404.html", 500: "500.html"}
PLAIN = {
    400: "Bad request.",
    403: "Forbidden.",
    404: "Not found.",
    500: "Server error.",
}


def error_page(request: HttpRequest, status: int, *, problem: str = "") -> HttpResponse:
    """The branded page for ``status``; plain text if even that cannot be rendered.

    ``problem`` is the guard's short technical reason (e.g. "a cookie contains a NUL
    character"), shown so that whoever sent the request can tell what to fix.
    """
    try:
        template = loader.get_template(TEMPLATES[status])
        body = template.render({"status": status, "problem": problem}, request)
        return HttpResponse(body, status=status)
    except Exception:  # the error page must not fail: the plainest answer instead
        logger.exception("could not render the %s page", status)
        return HttpResponse(PLAIN[status], status=status, content_type="text/plain; charset=utf-8")
