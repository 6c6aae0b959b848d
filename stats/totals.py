"""Subtree totals: every unit's whole subtree per day (``DayTotal``) and per calendar month
(``MonthTotal``), summed from the fact tables with their dimensions summed away.

A unit's day total is its own fact rows of that day plus its children's day totals, so
the totals are written from the bottom of the tree up: a station's from its facts, a
county's from its own facts (a task it took back, its publicity) and its stations' totals,
and so on. Each row reads a few rows, never the whole subtree. A month total is the sum of
the unit's day totals in that month.

The refresh recomputes the totals of the (unit, day) pairs whose facts it recomputed and
of every ancestor of those units on those days, then the months those days fall in; the
full rebuild recomputes them all. Both run after the facts, under the refresh's lock and in
its transaction. Totals are summed afresh from the facts, never adjusted by a difference,
so running twice changes nothing.

The totals follow the tree they were summed over (``StatsState.totals_tree``): when a unit
has moved to another parent, or gone, since then, the next refresh sums them all afresh.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncMonth

from cases.models import EventKind
from orgs.models import Unit
from stats.facts import Pairs, chunks, insert_select
from stats.models import CaseFact, DayTotal, EventFact, MonthTotal, PublicityFact, StatsState, WarningFact
from stats.periods import next_month

UNITS_PER_STATEMENT = 200


def _filed(column: str) -> Sum:
    return Sum(column, filter=Q(filed=True), default=0)


def _of_kind(column: str, kind: str) -> Sum:
    return Sum(column, filter=Q(kind=kind), default=0)


# Each total column as a sum over the rows of one fact table: the 口径 of DATA.md's base
# metrics, and the sums the derived ones need.
FACT_SUMS = {
    CaseFact: {
        "reports": Sum("n"),
        "cases": _filed("n"),
        "loss": _filed("loss"),
        "warned_victims": _filed("warned"),
    },
    EventFact: {
        "solved": _of_kind("n", EventKind.SOLVED),
        "arrests": _of_kind("people", EventKind.ARREST),
        "frozen": _of_kind("amount", EventKind.FREEZE),
        "recovered": _of_kind("amount", EventKind.RECOVER),
        "returned": _of_kind("amount", EventKind.RETURN),
    },
    WarningFact: {
        "warnings_received": Sum("received"),
        "warnings_handled": Sum("handled"),
        "warnings_on_time": Sum("handled_on_time"),
        "dissuaded": Sum("dissuaded"),
        "signed": Sum("signed"),
        "signed_on_time": Sum("signed_on_time"),
        "sign_seconds": Sum("sign_seconds"),
        "handle_seconds": Sum("handle_seconds"),
        "overdue_change": Sum("overdue_starts") - Sum("overdue_ends"),
    },
    PublicityFact: {"publicity_activities": Sum("n"), "publicity_reach": Sum("reach")},
}
COLUMNS = tuple(column for sums in FACT_SUMS.values() for column in sums)
_SELECTED = ("k_unit", "k_day", *(f"t_{column}" for column in COLUMNS))


# ---------------------------------------------------------------------------- the tree


def unit_parents() -> dict[int, int | None]:
    """The unit tree as {unit id: parent id}."""
    return dict(Unit.objects.order_by().values_list("id", "parent_id"))


def _depths(parents: dict[int, int | None]) -> dict[int, int]:
    """Each unit's depth in the tree: 0 at the top."""
    depths: dict[int, int] = {}

    def depth(unit: int) -> int:
        if unit not in depths:
            parent = parents[unit]
            depths[unit] = 0 if parent is None or parent not in parents else depth(parent) + 1
        return depths[unit]

    for unit in parents:
        depth(unit)
    return depths


def _lineage(unit: int, parents: dict[int, int | None]) -> list[int]:
    """The unit and its ancestors, up to the top (nothing for a unit that is gone)."""
    line = []
    while unit in parents:
        line.append(unit)
        unit = parents[unit]
    return line


def _snapshot(parents: dict[int, int | None]) -> dict[str, int | None]:
    """The tree as ``StatsState.totals_tree`` keeps it (JSON: the ids as strings)."""
    return {str(unit): parent for unit, parent in parents.items()}


def _tree_moved(summed_over: dict[str, int | None] | None, parents: dict[int, int | None]) -> bool:
    """Whether a unit has moved or gone since the totals were summed over ``summed_over``
    (None: they never were). A unit added since changes nothing: it has no totals yet."""
    if summed_over is None:
        return True
    return any(int(unit) not in parents or parents[int(unit)] != parent for unit, parent in summed_over.items())


def _remember(parents: dict[int, int | None], summed_over: dict[str, int | None] | None) -> None:
    """Note the tree the totals are now summed over (written only when it changed)."""
    snapshot = _snapshot(parents)
    if snapshot != summed_over:
        StatsState.objects.filter(pk=1).update(totals_tree=snapshot)


# ---------------------------------------------------------------------------- writing


def _rows_q(pairs: dict[int, set[dt.date]], unit_field: str, day_field: str = "day") -> Q:
    """Rows of these (unit, day) pairs; units with the same days share one condition (a
    refresh touches the same day or two at most stations)."""
    by_days: dict[frozenset, list[int]] = defaultdict(list)
    for unit, days in pairs.items():
        by_days[frozenset(days)].append(unit)
    q = Q(pk__in=[])
    for days, units in by_days.items():
        q |= Q(**{f"{unit_field}__in": sorted(units), f"{day_field}__in": sorted(days)})
    return q


def _months_q(months: dict[int, set[dt.date]]) -> Q:
    """DayTotal rows of these units in these months (first days)."""
    by_months: dict[frozenset, list[int]] = defaultdict(list)
    for unit, firsts in months.items():
        by_months[frozenset(firsts)].append(unit)
    q = Q(pk__in=[])
    for firsts, units in by_months.items():
        in_months = Q(pk__in=[])
        for first in sorted(firsts):
            in_months |= Q(day__gte=first, day__lt=next_month(first))
        q |= Q(unit_id__in=sorted(units)) & in_months
    return q


def _own_sums(model, rows: Q) -> QuerySet:
    """A fact table's rows summed by (unit, day) into the total columns (0 for the columns
    other tables fill)."""
    sums = {f"t_{column}": FACT_SUMS[model].get(column, Value(0)) for column in COLUMNS}
    return model.objects.filter(rows).order_by().values(k_unit=F("unit_id"), k_day=F("day")).annotate(**sums)


def _children_sums(rows: Q) -> QuerySet:
    """Day totals summed by (parent, day)."""
    sums = {f"t_{column}": Sum(column) for column in COLUMNS}
    return DayTotal.objects.filter(rows).order_by().values(k_unit=F("unit__parent_id"), k_day=F("day")).annotate(**sums)


def _write_days(own: Q, children: Q | None) -> None:
    """Insert the day totals of the (unit, day) pairs ``own`` selects among the fact rows,
    adding the children's day totals ``children`` selects (grouped to their parents)."""
    parts = [_own_sums(model, own) for model in FACT_SUMS]
    if children is not None:
        parts.append(_children_sums(children))
    selects, params = [], []
    for qs in parts:
        sql, part_params = qs.values_list(*_SELECTED).query.sql_with_params()
        selects.append(sql)
        params.extend(part_params)
    sums = ", ".join(f"SUM(t_{column})" for column in COLUMNS)
    sql = f"SELECT k_unit, k_day, {sums} FROM ({' UNION ALL '.join(selects)}) parts GROUP BY k_unit, k_day"
    insert_select(DayTotal, ["unit_id", "day", *COLUMNS], sql, params)


def _write_months(rows: Q) -> None:
    """Insert the month totals of the day totals ``rows`` selects (whole months of them)."""
    sums = {f"t_{column}": Sum(column) for column in COLUMNS}
    grouped = DayTotal.objects.filter(rows).order_by().values(k_unit=F("unit_id"), k_day=TruncMonth("day"))
    sql, params = grouped.annotate(**sums).values_list(*_SELECTED).query.sql_with_params()
    insert_select(MonthTotal, ["unit_id", "month", *COLUMNS], sql, params)


# ---------------------------------------------------------------------------- refresh and rebuild


def recompute_pairs(pairs: Pairs) -> None:
    """Recompute the totals of these (unit, day) pairs, of the units' ancestors on those
    days, and of the months those days fall in — or all of them, when the tree has changed
    since they were summed. Call after the facts of the pairs are recomputed."""
    parents = unit_parents()
    summed_over = StatsState.objects.filter(pk=1).values_list("totals_tree", flat=True).first()
    if _tree_moved(summed_over, parents):
        recompute_all()
        return
    touched: dict[int, set[dt.date]] = defaultdict(set)
    for unit, days in pairs.items():
        for holder in _lineage(unit, parents):
            touched[holder] |= days
    depths = _depths(parents)
    for depth in sorted({depths[unit] for unit in touched}, reverse=True):  # children before parents
        level = sorted(unit for unit in touched if depths[unit] == depth)
        for units in chunks(level, UNITS_PER_STATEMENT):
            part = {unit: touched[unit] for unit in units if touched[unit]}
            if part:
                DayTotal.objects.filter(_rows_q(part, "unit_id")).delete()
                _write_days(_rows_q(part, "unit_id"), _rows_q(part, "unit__parent_id"))
    months = {unit: {day.replace(day=1) for day in days} for unit, days in touched.items() if days}
    for units in chunks(sorted(months), UNITS_PER_STATEMENT):
        part = {unit: months[unit] for unit in units}
        MonthTotal.objects.filter(_rows_q(part, "unit_id", "month")).delete()
        _write_months(_months_q(part))
    _remember(parents, summed_over)


def recompute_all(since: dt.date | None = None) -> None:
    """Recompute every total (the day totals on or after ``since``, and the month totals
    from ``since``'s month on) from the facts, level by level from the bottom of the tree."""
    parents = unit_parents()
    levels: dict[int, list[int]] = defaultdict(list)
    for unit, depth in _depths(parents).items():
        levels[depth].append(unit)
    later = Q() if since is None else Q(day__gte=since)
    DayTotal.objects.filter(later).delete()
    for depth in sorted(levels, reverse=True):
        below = levels.get(depth + 1)
        _write_days(Q(unit_id__in=levels[depth]) & later, Q(unit_id__in=below) & later if below else None)
    first = None if since is None else since.replace(day=1)
    MonthTotal.objects.filter(Q() if first is None else Q(month__gte=first)).delete()
    _write_months(Q() if first is None else Q(day__gte=first))
    _remember(parents, StatsState.objects.filter(pk=1).values_list("totals_tree", flat=True).first())
