"""Project-level views: the health check used by load balancers and docker-compose."""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone


def healthz(request):
    """200 when the database and the cache answer, 503 (naming the failing part) when not."""
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy; report it
        problems.append(f"database: {exc.__class__.__name__}")
    try:
        cache.set("healthz", "ok", 10)
        if cache.get("healthz") != "ok":
            problems.append("cache: value not read back")
    except Exception as exc:  # noqa: BLE001
        problems.append(f"cache: {exc.__class__.__name__}")
    status = 503 if problems else 200
    return JsonResponse({"ok": not problems, "problems": problems, "at": timezone.now().isoformat()}, status=status)
