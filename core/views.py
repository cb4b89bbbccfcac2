import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.models import last_heartbeat

logger = logging.getLogger(__name__)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Load balancers and compose health checks: the database and Redis must answer."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        logger.exception("health check: database")
        checks["database"] = "error"
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "ok", timeout=5)
            checks["redis"] = "ok" if cache.get("healthz") == "ok" else "error"
        except Exception:
            logger.exception("health check: redis")
            checks["redis"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    beat = last_heartbeat() if checks["database"] == "ok" else None
    body = {
        "status": "ok" if healthy else "error",
        "checks": checks,
        # Informational: a stale heartbeat means beat or the worker is down, not the web.
        "last_heartbeat": beat.at.isoformat() if beat else None,
        "time": timezone.now().isoformat(),
    }
    return JsonResponse(body, status=200 if healthy else 503)


def not_offered(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")
