"""/healthz for load balancers and monitoring."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mastermind.ops import health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 or 503 with what was checked (see :mod:`mastermind.ops.health`)."""
    healthy, checks = health.report()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
