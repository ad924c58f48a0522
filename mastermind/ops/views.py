"""/healthz for load balancers and monitoring; the organiser's admin index."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mastermind.ops import attention, health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 or 503 with what was checked (see :mod:`mastermind.ops.health`)."""
    healthy, checks = health.report()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def admin_index(request: HttpRequest) -> HttpResponse:
    """The admin's index with what needs attention now on top (wrapped in admin_view)."""
    return admin.site.index(request, extra_context={"attention": attention.items()})
