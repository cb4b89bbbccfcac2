import logging

import redis
from django.conf import settings
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
    """Load balancers and compose health checks. The database must answer (503 otherwise);
    Redis is a cache and a broker, so without it the service runs on, "degraded" (200), and
    the page says so: emails wait in the outbox until it is back (the system administrator's
    Emails page has the counts; this page is public and says no more than it must)."""
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
            client = redis.Redis.from_url(
                settings.REDIS_URL,
                socket_connect_timeout=settings.REDIS_TIMEOUT,
                socket_timeout=settings.REDIS_TIMEOUT,
            )
            checks["redis"] = "ok" if client.ping() else "error"
        except redis.RedisError as error:
            logger.warning("health check: redis is down (%s)", error.__class__.__name__)
            checks["redis"] = "error"
    healthy = checks["database"] == "ok"
    beat = last_heartbeat() if healthy else None
    body = {
        "status": ("ok" if all(v == "ok" for v in checks.values()) else "degraded")
        if healthy
        else "error",
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
