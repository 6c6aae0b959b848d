"""Project-level views: the health check used by load balancers and docker-compose."""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone


def healthz(request):
    """503 when the database does not answer: nothing can be served. A cache (Redis) that
    does not answer is reported as degraded with a 200: every page still serves without it
    (``antifraud.cache``) and background work waits for it, so a load balancer must not take
    the web node out for it."""
    problems, degraded = [], []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy; report it
        problems.append(f"database: {exc.__class__.__name__}")
    try:
        cache.set("healthz", "ok", 10)
        if cache.get("healthz") != "ok":
            degraded.append("cache: value not read back (Redis down? pages serve without it)")
    except Exception as exc:  # noqa: BLE001
        degraded.append(f"cache: {exc.__class__.__name__}")
    status = 503 if problems else 200
    body = {"ok": not problems, "problems": problems, "degraded": degraded, "at": timezone.now().isoformat()}
    return JsonResponse(body, status=status)
