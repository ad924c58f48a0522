"""/healthz for load balancers and monitoring; the organiser's admin index."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mastermind.ops import attention, dashboard, health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 or 503 with what was checked (see :mod:`mastermind.ops.health`)."""
    healthy, checks = health.report()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def admin_index(request: HttpRequest) -> HttpResponse:
    """The organiser's home (wrapped in admin_view): what needs attention now, then the
    sections the apps contribute (:mod:`mastermind.ops.dashboard`), then the admin's list."""
    now = timezone.now()
    templates, context = dashboard.sections(request, now)
    return admin.site.index(
        request,
        extra_context={
            "attention": attention.items(now),
            "dashboard_sections": templates,
            **context,
        },
    )
