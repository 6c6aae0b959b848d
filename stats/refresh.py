"""Keeping the rollups up to date: incremental refresh and full rebuild.

``refresh()`` reads the records changed since the watermark (``updated_at``, which imports,
the API, the admin and services all set), moves their footprints, and recomputes exactly
the (unit, day) pairs they touched before and after — from the raw records, so running it
twice, or over an overlapping window, never double counts — then the subtree totals of
those pairs and of their ancestors (``stats.totals``), from the recomputed facts.
Refreshes take a lock (an UPDATE of the state row), so two never interleave.

The window starts ``OVERLAP`` before the watermark: a transaction that stamped its rows
just before a refresh but committed just after it is still seen by the next one. An
import passes its own start time, so however long it ran, its rows are read. Records the
window holds again are skipped when their footprint already carries their ``updated_at``
(read at that version before), so the overlap costs a lookup, not a recount.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from stats import facts, totals
from stats.models import DayTotal, MonthTotal, Source, StatsState

log = logging.getLogger(__name__)

OVERLAP = dt.timedelta(minutes=5)
# Past this many touched (unit, day) pairs a full recompute is cheaper than pair by pair;
# past this many changed records (a big import), a full rebuild is.
FULL_RECOMPUTE_PAIRS = 20000
FULL_REBUILD_RECORDS = 50000


@dataclass(frozen=True)
class RefreshResult:
    kind: str  # "refresh" or "rebuild"
    records: int  # changed records read (rebuild: 0)
    pairs: int  # (unit, day) pairs recomputed (rebuild: 0 = all)
    seconds: float
    refreshed_at: dt.datetime

    def __str__(self) -> str:
        if self.kind == "rebuild":
            return f"全量重建完成，用时 {self.seconds:.1f} 秒"
        return f"增量刷新：{self.records} 条记录改动，重算 {self.pairs} 个（单位, 日）组合，用时 {self.seconds:.2f} 秒"


def _lock() -> StatsState:
    """Take the refresh lock (a row lock on PostgreSQL, the write lock on SQLite) and
    return the state row. Call inside a transaction."""
    StatsState.objects.get_or_create(pk=1)
    StatsState.objects.filter(pk=1).update(last_pairs=F("last_pairs"))
    return StatsState.objects.get(pk=1)


def refreshed_at() -> dt.datetime | None:
    """When the rollups were last brought up to date, in local time (None: never)."""
    stamp = StatsState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    return timezone.localtime(stamp) if stamp else None


def refresh(*, since: dt.datetime | None = None) -> RefreshResult:
    """Bring the rollups up to date with every record changed since the watermark (or
    since ``since``, when that is earlier). The first refresh ever is a full rebuild."""
    started = time.monotonic()
    with transaction.atomic():
        state = _lock()
        if state.watermark is None:
            return _rebuild(state, started, since_day=None)
        now = timezone.now()
        window = min(state.watermark, since or state.watermark) - OVERLAP
        changed: dict[Source, list[int]] = {}
        for source in Source:  # cases before events: an event moves with its case
            changed[source] = facts.changed_ids(source, window, cases=changed.get(Source.CASE, []))
        records = sum(len(ids) for ids in changed.values())
        if records > FULL_REBUILD_RECORDS:
            return _rebuild(state, started, since_day=None)
        pairs: facts.Pairs = {}
        for source, ids in changed.items():
            for unit_id, days in facts.move_footprints(source, ids).items():
                pairs.setdefault(unit_id, set()).update(days)
        count = sum(len(days) for days in pairs.values())
        if count > FULL_RECOMPUTE_PAIRS:
            facts.recompute_all()
            totals.recompute_all()
        else:
            facts.recompute_pairs(pairs)
            totals.recompute_pairs(pairs)
        seconds = time.monotonic() - started
        StatsState.objects.filter(pk=1).update(watermark=now, refreshed_at=now, last_pairs=count,
                                               last_seconds=seconds)  # fmt: skip
    result = RefreshResult("refresh", records, count, seconds, now)
    log.debug("%s", result)
    return result


def _analyze() -> None:
    """After a rebuild every rollup row is new: PostgreSQL's planner statistics are read
    afresh at once rather than when autovacuum next gets to it (until then it may plan a
    dashboard's sum over millions of rows as if the tables were empty)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (*facts.FACT_MODELS, DayTotal, MonthTotal):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def rebuild(*, since: dt.date | None = None) -> RefreshResult:
    """Recompute every rollup row (on or after ``since``) from the raw records."""
    started = time.monotonic()
    with transaction.atomic():
        return _rebuild(_lock(), started, since_day=since)


def _rebuild(state: StatsState, started: float, *, since_day: dt.date | None) -> RefreshResult:
    now = timezone.now()
    facts.rebuild_all(since_day)
    totals.recompute_all(since_day)
    seconds = time.monotonic() - started
    StatsState.objects.filter(pk=state.pk).update(watermark=now, refreshed_at=now, rebuilt_at=now, last_pairs=0,
                                                  last_seconds=seconds)  # fmt: skip
    transaction.on_commit(_analyze)
    result = RefreshResult("rebuild", 0, 0, seconds, now)
    log.debug("%s", result)
    return result
