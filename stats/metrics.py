"""Answers: the base values of a unit's subtree over periods, and ``metrics(unit, period)``.

Every value is a sum over the unit's own subtree totals (``stats.totals``): the whole
calendar months of a period from ``MonthTotal``, the days left at either end from
``DayTotal`` — one statement for the period, its 同比 and its 环比 together, summed per
period in SQL. The rows read grow with the months in the periods, not with the stations
below the unit or the days. warnings_overdue at the end of a past day is the running sum
of the totals' overdue changes up to it; for a period that has not ended yet it is a
point-in-time count of the open tasks past their deadline now, read from the raw tasks by
index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from earlywarnings.models import WarningTask
from orgs.models import Unit
from stats.catalogue import BASE_METRICS, DERIVED_METRICS, METRICS, derive, shown
from stats.compare import change_pct, is_notable
from stats.models import DayTotal, MonthTotal, Total
from stats.periods import Period, month_split, months_end
from stats.refresh import refreshed_at
from stats.totals import COLUMNS

CENT = Decimal("0.01")
MONEY_KEYS = frozenset(m.key for m in BASE_METRICS if m.unit == "元")
OVERDUE = "warnings_overdue"

# Sums that are not metrics themselves but feed derived ones (mean times).
EXTRA_KEYS = ("signed", "signed_on_time", "sign_seconds", "handle_seconds")
# The total columns that are summed over a period's days (all but the overdue changes).
SUMMED = tuple(column for column in COLUMNS if column != "overdue_change")
ONE_DAY = dt.timedelta(days=1)


# What answers a period: (bucket, table, first, last) — the rows of a total table whose
# month or day lies between first (None: from the start) and last, summed into bucket.
Read = tuple[int, type[Total], dt.date | None, dt.date]


def _reads(periods: Sequence[Period], today: dt.date) -> list[Read]:
    """Bucket i sums period i: its whole months and the days at either end. Bucket n + i,
    for a period that has ended, sums every month and day up to its end, whose overdue
    changes add up to the tasks overdue at the end of its last day."""
    reads: list[Read] = []
    for i, period in enumerate(periods):
        months, runs = month_split(period.start, period.end)
        if months:
            reads.append((i, MonthTotal, months[0], months[-1]))
        reads += [(i, DayTotal, first, last) for first, last in runs]
        if period.end < today:
            stop = months_end(period.end)
            reads.append((len(periods) + i, MonthTotal, None, stop - ONE_DAY))
            if stop <= period.end:
                reads.append((len(periods) + i, DayTotal, stop, period.end))
    return reads


def _bucket_sums(ids: list[int], reads: list[Read]) -> list[tuple]:
    """Rows (unit id, bucket, the SUM of every total column) of the units ``ids`` over the
    reads, one statement for them all. Written as SQL: the ORM takes longer to compile a
    conditional sum per column and period (about 25 ms for three periods) than the
    database takes to answer, which reads a few rows per unit by its (unit, day) index."""
    qn, ops = connection.ops.quote_name, connection.ops
    columns = ", ".join(qn(column) for column in COLUMNS)
    units = ", ".join(["%s"] * len(ids))
    parts, params = [], []
    for bucket, model, first, last in reads:
        key = qn(model._meta.get_field("month" if model is MonthTotal else "day").column)
        since = "" if first is None else f" AND {key} >= %s"
        parts.append(
            f"SELECT unit_id, {bucket:d} AS bucket, {columns} FROM {qn(model._meta.db_table)} "
            f"WHERE unit_id IN ({units}) AND {key} <= %s{since}"
        )
        params += [*ids, ops.adapt_datefield_value(last)]
        if first is not None:
            params.append(ops.adapt_datefield_value(first))
    sums = ", ".join(f"SUM({qn(column)})" for column in COLUMNS)
    sql = f"SELECT unit_id, bucket, {sums} FROM ({' UNION ALL '.join(parts)}) parts GROUP BY unit_id, bucket"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _zeros() -> dict:
    values = dict.fromkeys(SUMMED, 0)
    values[OVERDUE] = 0
    return values


def _sum_value(column: str, amount) -> int | Decimal:
    """A sum as the ORM would give it: money as Decimal in cents (SQLite sums it as a
    float), counts as int (PostgreSQL sums a bigint as numeric)."""
    return Decimal(str(amount)).quantize(CENT) if column in MONEY_KEYS else int(amount)


def subtree_values(
    unit: Unit, periods: Sequence[Period], *, now: dt.datetime | None = None, children: Sequence[Unit] = ()
) -> dict[int, list[dict]]:
    """For ``unit`` and each of ``children`` (units of its subtree), per period, the base
    metrics (DATA.md keys) and EXTRA_KEYS of that unit's whole subtree, keyed by unit id."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    ids = [unit.pk, *(child.pk for child in children)]
    values = {pk: [_zeros() for _ in periods] for pk in ids}
    n = len(periods)
    for unit_id, bucket, *sums in _bucket_sums(ids, _reads(periods, today)):
        row = dict(zip(COLUMNS, sums, strict=True))
        if bucket < n:
            values[unit_id][bucket].update({key: _sum_value(key, row[key]) for key in SUMMED})
        else:  # every change up to the end of period bucket - n
            values[unit_id][bucket - n][OVERDUE] = int(row["overdue_change"])
    running = [i for i, period in enumerate(periods) if period.end >= today]
    if running:
        for pk, count in overdue_now(unit, children, now=now).items():
            for i in running:
                values[pk][i][OVERDUE] = count
    for per_period in values.values():
        for vals in per_period:
            for key in MONEY_KEYS:
                vals[key] = Decimal(vals[key]).quantize(CENT)
    return values


def base_values(unit: Unit, periods: list[Period], *, now: dt.datetime | None = None) -> list[dict]:
    """For each period, the base metrics (DATA.md keys) and EXTRA_KEYS of ``unit``'s subtree."""
    return subtree_values(unit, periods, now=now)[unit.pk]


def overdue_now(unit: Unit, children: Sequence[Unit] = (), *, now: dt.datetime) -> dict[int, int]:
    """The tasks open past a deadline at ``now`` in ``unit``'s subtree and in each of
    ``children``'s, by unit id: from the raw tasks, as the rollups only know whole days."""
    live = WarningTask.objects.live().within(unit).overdue(now).order_by()
    if not children:
        return {unit.pk: live.count()}
    counts = {unit.pk: 0, **{child.pk: 0 for child in children}}
    for path, count in live.values_list("station__path").annotate(n=Count("id")):
        counts[unit.pk] += count
        for child in children:
            if path.startswith(child.path):
                counts[child.pk] += count
    return counts


def population(unit: Unit) -> int | None:
    """Residents of the unit: its own figure, else the sum of its stations'."""
    if unit.population:
        return unit.population
    total = Unit.objects.subtree(unit).stations().aggregate(total=Sum("population"))["total"]
    return total or None


def _json_number(key: str, value):
    if value is None:
        return None
    if key in MONEY_KEYS:
        return float(Decimal(value).quantize(CENT))
    if METRICS[key].derived:
        return shown(value)
    return value


def metric_entry(key: str, value, yoy_base, mom_base) -> dict:
    """One metric of the stats JSON: value, bases, changes, and notable flags for counts."""
    metric = METRICS[key]
    entry = {
        "label": metric.label,
        "value": _json_number(key, value),
        "yoy_base": _json_number(key, yoy_base),
        "yoy_pct": None if value is None or yoy_base is None else change_pct(value, yoy_base),
        "mom_base": _json_number(key, mom_base),
        "mom_pct": None if value is None or mom_base is None else change_pct(value, mom_base),
        "unit": metric.unit,
    }
    if metric.is_count:
        entry["yoy_notable"] = is_notable(value, yoy_base)
        entry["mom_notable"] = is_notable(value, mom_base)
    return entry


def metrics(unit: Unit, period: Period, *, now: dt.datetime | None = None) -> dict:
    """The stats JSON of DATA.md for ``unit``'s subtree over ``period``, with its 同比 and
    环比, plus the derived rates and a notable-change flag on every count."""
    yoy, mom = period.yoy(), period.mom()
    now_values, yoy_values, mom_values = base_values(unit, [period, yoy, mom], now=now)
    people = population(unit)
    derived = [derive(v, population=people) for v in (now_values, yoy_values, mom_values)]
    entries = {m.key: metric_entry(m.key, now_values[m.key], yoy_values[m.key], mom_values[m.key])
               for m in BASE_METRICS}  # fmt: skip
    for m in DERIVED_METRICS:
        entries[m.key] = metric_entry(m.key, derived[0][m.key], derived[1][m.key], derived[2][m.key])
    stamp = refreshed_at()
    return {
        "unit": unit_json(unit),
        "period": period.as_dict(),
        "yoy_period": {"start": yoy.start.isoformat(), "end": yoy.end.isoformat()},
        "mom_period": {"start": mom.start.isoformat(), "end": mom.end.isoformat()},
        "metrics": entries,
        "refreshed_at": stamp.isoformat() if stamp else None,
    }


def unit_json(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name, "level": unit.level}
