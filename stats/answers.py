"""Answers kept for a minute: the same question about the same unit and period, asked again
before the rollups change, is answered from the cache (shared by every worker when Redis is
configured). The key holds the rollups' refresh time, so a refresh that changes anything
makes every kept answer stale at once; before the first refresh nothing is kept.

The engine's own functions stay uncached (what they cost is what the benchmark measures);
the pages and the API ask through here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

from orgs.models import Unit
from stats.periods import Period
from stats.refresh import refreshed_at

READ = object()  # ``kept``'s stamp: read the refresh time now


def kept(name: str, unit: Unit, period: Period, build: Callable[[], object], *, extra: str = "",
         seconds: int | None = None, stamp=READ) -> object:  # fmt: skip
    """``build()``'s answer about ``unit`` over ``period``, kept for ``seconds`` (default
    ``STATS_CACHE_SECONDS``) under the rollups' refresh time (``extra`` tells apart
    questions of the same name). A page keeping several answers passes the ``stamp`` it
    read once."""
    seconds = settings.STATS_CACHE_SECONDS if seconds is None else seconds
    if not seconds:
        return build()
    if stamp is READ:
        stamp = refreshed_at()
    if stamp is None:
        return build()
    key = f"stats:{name}:{extra}:{unit.pk}:{unit.path}:{period.kind}:{period.start}:{period.end}:{stamp.timestamp()}"
    answer = cache.get(key)
    if answer is None:
        answer = build()
        cache.set(key, answer, seconds)
    return answer
