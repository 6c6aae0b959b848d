"""Answers: the base values of a unit's subtree over periods, and ``metrics(unit, period)``.

Every value is a SUM over the rollups of the unit's subtree between two dates — one query
per fact table for the period, its 同比 and its 环比 together. The one exception is
warnings_overdue of a period that has not ended yet: a point-in-time count of the open
tasks past their deadline now, read from the raw tasks by index.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from cases.models import EventKind
from earlywarnings.models import WarningTask
from orgs.models import Unit
from stats.catalogue import BASE_METRICS, DERIVED_METRICS, METRICS, derive, shown
from stats.compare import change_pct, is_notable
from stats.models import OVERDUE_ROWS, CaseFact, EventFact, PublicityFact, WarningFact
from stats.periods import Period
from stats.refresh import refreshed_at

CENT = Decimal("0.01")
MONEY_KEYS = frozenset(m.key for m in BASE_METRICS if m.unit == "元")

# Sums that are not metrics themselves but feed derived ones (mean times).
EXTRA_KEYS = ("signed", "signed_on_time", "sign_seconds", "handle_seconds")


def _any_of(periods: list[Period]) -> Q:
    """Rows in any of the periods; the enclosing range up front lets the day index serve."""
    q = Q(pk__in=[])
    for period in periods:
        q |= Q(day__gte=period.start, day__lte=period.end)
    return Q(day__gte=min(p.start for p in periods), day__lte=max(p.end for p in periods)) & q


def base_values(unit: Unit, periods: list[Period], *, now: dt.datetime | None = None) -> list[dict]:
    """For each period, the base metrics (DATA.md keys) and EXTRA_KEYS of ``unit``'s subtree."""
    now = now or timezone.now()
    values: list[dict] = [{} for _ in periods]

    def collect(model, spec: dict[str, tuple[str, dict]]) -> None:
        # One grouped query per table: plain sums by day (and by the one column the
        # conditions test), then each period adds up its days here. Conditional sums per
        # period in SQL cost a CASE per row and aggregate; this is several times faster.
        keys = sorted({name for _, conditions in spec.values() for name in conditions})
        columns = sorted({column for column, _ in spec.values()})
        rows = (
            model.objects.within(unit).filter(_any_of(periods)).order_by()
            .values("day", *keys).annotate(**{f"{c}_": Sum(c) for c in columns})
        )  # fmt: skip
        for vals in values:
            for key in spec:
                vals[key] = 0
        plan = [(key, f"{column}_", tuple(conditions.items())) for key, (column, conditions) in spec.items()]
        bounds = [(period.start, period.end, values[i]) for i, period in enumerate(periods)]
        for row in rows:
            day = row["day"]
            hits = [vals for start, end, vals in bounds if start <= day <= end]
            for key, column, conditions in plan:
                if all(row[name] == wanted for name, wanted in conditions):
                    amount = row[column] or 0
                    for vals in hits:
                        vals[key] += amount

    collect(CaseFact, {
        "reports": ("n", {}), "cases": ("n", {"filed": True}), "loss": ("loss", {"filed": True}),
        "warned_victims": ("warned", {"filed": True}),
    })  # fmt: skip
    collect(EventFact, {
        "solved": ("n", {"kind": EventKind.SOLVED}), "arrests": ("people", {"kind": EventKind.ARREST}),
        "frozen": ("amount", {"kind": EventKind.FREEZE}), "recovered": ("amount", {"kind": EventKind.RECOVER}),
        "returned": ("amount", {"kind": EventKind.RETURN}),
    })  # fmt: skip
    collect(WarningFact, {
        "warnings_received": ("received", {}), "warnings_handled": ("handled", {}),
        "warnings_on_time": ("handled_on_time", {}), "dissuaded": ("dissuaded", {}),
        "signed": ("signed", {}), "signed_on_time": ("signed_on_time", {}),
        "sign_seconds": ("sign_seconds", {}), "handle_seconds": ("handle_seconds", {}),
    })  # fmt: skip
    collect(PublicityFact, {"publicity_activities": ("n", {}), "publicity_reach": ("reach", {})})
    overdue = overdue_at_end(unit, periods, now=now)
    for i, vals in enumerate(values):
        vals["warnings_overdue"] = overdue[i]
        for key in MONEY_KEYS:
            vals[key] = Decimal(vals[key]).quantize(CENT)
    return values


def overdue_by_unit(unit: Unit, periods: list[Period], *, now: dt.datetime) -> list[dict[int, int]]:
    """Per period, by unit id of ``unit``'s subtree, the tasks open past a deadline at the
    end of the period's last day (from the rollups' running sums), or now for a period that
    has not ended yet (from the raw tasks)."""
    today = timezone.localtime(now).date()
    result: list[dict[int, int] | None] = [None] * len(periods)
    past = [(i, p) for i, p in enumerate(periods) if p.end < today]
    if past:
        aggregates = {}
        for i, period in past:
            aggregates[f"s{i}"] = Sum("overdue_starts", filter=Q(day__lte=period.end), default=0)
            aggregates[f"e{i}"] = Sum("overdue_ends", filter=Q(day__lte=period.end), default=0)
        last = max(p.end for _, p in past)
        rows = WarningFact.objects.within(unit).filter(OVERDUE_ROWS, day__lte=last).order_by().values("unit_id")
        by_unit = {row.pop("unit_id"): row for row in rows.annotate(**aggregates)}
        for i, _ in past:
            result[i] = {u: row[f"s{i}"] - row[f"e{i}"] for u, row in by_unit.items()}
    if any(r is None for r in result):
        live = WarningTask.objects.live().within(unit).overdue(now).order_by().values("station_id")
        counts = {row["station_id"]: row["n"] for row in live.annotate(n=Count("id"))}
        result = [counts if r is None else r for r in result]
    return result


def overdue_at_end(unit: Unit, periods: list[Period], *, now: dt.datetime) -> list[int]:
    """The subtree's total of ``overdue_by_unit`` for each period."""
    return [sum(counts.values()) for counts in overdue_by_unit(unit, periods, now=now)]


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
