"""Keeping the rollups fresh: a refresh every minute (CELERY_BEAT_SCHEDULE) and one after
each applied import (sent by name from ``imports``, which does not import ``stats``)."""

import datetime as dt

from celery import shared_task

from stats.refresh import refresh


@shared_task(name="stats.refresh", acks_late=True)
def refresh_task(since: str | None = None) -> str:
    """Recompute the (unit, day) pairs records changed since the watermark touched (or since
    ``since``, an ISO datetime, when earlier: an import passes its start)."""
    return str(refresh(since=dt.datetime.fromisoformat(since) if since else None))
