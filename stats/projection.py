"""Where a running month is heading: the month-end projection of a base metric.

Targets are monthly (压降目标), and on the 10th a leader wants to know whether the month
will make it, not only how the first ten days went. Counts are not spread evenly over a
month (pay days, holidays, the month-end rush of loan scams), so the pace so far is shaped
by last year's daily profile of the same month:

    scale         = value so far this year ÷ last year's value on the same days so far
    expected rest = scale × last year's value on the month's remaining days
    projection    = value so far + expected rest

"The same days" are this month's elapsed dates a year earlier (29 February → 28 February);
"the remaining days" are the rest of last year's calendar month. When last year's same days
add up to 0 the scale is unknown, and the projection falls back to a straight line:
value so far ÷ days elapsed × days remaining. Today counts as elapsed, with whatever the
rollups hold for it — a projection made early in the morning leans low.

Counts are projected to a whole number (half up), money to the fen. A finished month is
simply its actual value. Daily values come from the unit's day totals (one query); any base
metric that is a sum by day can be projected (not warnings_overdue, a point-in-time count).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.db.models import Q
from django.utils import timezone

from cases.models import EventKind
from orgs.models import Unit
from stats.catalogue import METRICS
from stats.models import CaseFact, DayTotal, EventFact, PublicityFact, WarningFact
from stats.periods import shift_year

CENT = Decimal("0.01")
ONE = Decimal("1")

# Base metric → (fact table, column, conditions): how it sums over the fact rows (the 口径 of
# stats.totals.FACT_SUMS). Its keys are the metrics a projection can take.
DAILY_SOURCES: dict[str, tuple[type, str, dict]] = {
    "reports": (CaseFact, "n", {}),
    "cases": (CaseFact, "n", {"filed": True}),
    "loss": (CaseFact, "loss", {"filed": True}),
    "warned_victims": (CaseFact, "warned", {"filed": True}),
    "solved": (EventFact, "n", {"kind": EventKind.SOLVED}),
    "arrests": (EventFact, "people", {"kind": EventKind.ARREST}),
    "frozen": (EventFact, "amount", {"kind": EventKind.FREEZE}),
    "recovered": (EventFact, "amount", {"kind": EventKind.RECOVER}),
    "returned": (EventFact, "amount", {"kind": EventKind.RETURN}),
    "warnings_received": (WarningFact, "received", {}),
    "warnings_handled": (WarningFact, "handled", {}),
    "warnings_on_time": (WarningFact, "handled_on_time", {}),
    "dissuaded": (WarningFact, "dissuaded", {}),
    "publicity_activities": (PublicityFact, "n", {}),
    "publicity_reach": (PublicityFact, "reach", {}),
}

Daily = dict[dt.date, int | Decimal]


class MonthState(StrEnum):
    UPCOMING = "upcoming"  # not started yet
    RUNNING = "running"
    FINISHED = "finished"


class Method(StrEnum):
    PROFILE = "去年同期日分布"
    LINEAR = "线性外推"


METHOD_NOTES = {
    Method.PROFILE: (
        "按去年同月的日分布推算：以今年截至当日的数值与去年同期相同日期数值之比为系数，"
        "乘以去年该月剩余日期的数值，加上今年已发生的数值，得到月底预计值。"
    ),
    Method.LINEAR: "去年同期相同日期的数值为0，无法按去年日分布推算，改按今年已过天数的日均值线性外推至月底。",
}
FINISHED_NOTE = "该月已结束，取全月实际值。"
UPCOMING_NOTE = "该月尚未开始，暂无预测。"


def is_money(metric: str) -> bool:
    return METRICS[metric].unit == "元"


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``day``'s month."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_state(month: dt.date, today: dt.date) -> MonthState:
    first, last = month_bounds(month)
    if today < first:
        return MonthState.UPCOMING
    return MonthState.FINISHED if today > last else MonthState.RUNNING


def daily_values(unit: Unit, metrics: list[str], ranges: list[tuple[dt.date, dt.date]]) -> dict[str, Daily]:
    """For each metric, its value on each day of ``ranges`` (both ends inclusive) over
    ``unit``'s subtree, from the unit's day totals; days without one are absent. One query."""
    for metric in metrics:
        if metric not in DAILY_SOURCES:
            raise ValueError(f"{metric} is not a base metric summed by day")
    days = Q(pk__in=[])
    for start, end in ranges:
        days |= Q(day__gte=start, day__lte=end)
    result: dict[str, Daily] = {metric: {} for metric in metrics}
    for day, *amounts in DayTotal.objects.filter(days, unit=unit).order_by().values_list("day", *metrics):
        for metric, amount in zip(metrics, amounts, strict=True):
            result[metric][day] = amount
    return result


@dataclass(frozen=True)
class MonthProjection:
    """A month's value so far and where it is heading. ``projected`` is the month-end value
    (the actual one once the month is over; None before it starts)."""

    metric: str
    label: str
    month: dt.date  # first day
    state: MonthState
    value: int | Decimal  # month so far (whole month when finished)
    days_elapsed: int
    days_total: int
    projected: int | Decimal | None
    method: Method | None  # None when there is nothing to project
    method_note: str
    last_year_same_days: int | Decimal | None = None  # the scale's denominator
    last_year_rest: int | Decimal | None = None
    scale: Decimal | None = None  # so far ÷ last year's same days, 4 decimals

    @property
    def last_year_total(self) -> int | Decimal | None:
        if self.last_year_same_days is None:
            return None
        return self.last_year_same_days + self.last_year_rest


def _rounded(metric: str, value: Decimal) -> int | Decimal:
    if is_money(metric):
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    return int(value.quantize(ONE, rounding=ROUND_HALF_UP))


def project_from_daily(
    metric: str, month: dt.date, today: dt.date, this_year: Daily, last_year: Daily
) -> MonthProjection:
    """The projection from daily values already read: ``this_year`` covers the month up to
    ``today``, ``last_year`` the whole of the same month a year earlier. Pure arithmetic."""
    first, last = month_bounds(month)
    state = month_state(first, today)
    label = METRICS[metric].label
    zero = Decimal("0.00") if is_money(metric) else 0
    if state is MonthState.UPCOMING:
        return MonthProjection(metric, label, first, state, zero, 0, last.day, None, None, UPCOMING_NOTE)
    elapsed_days = [first + dt.timedelta(days=i) for i in range((min(today, last) - first).days + 1)]
    so_far = sum((this_year.get(day, 0) for day in elapsed_days), start=zero)
    if state is MonthState.FINISHED:
        return MonthProjection(
            metric, label, first, state, so_far, last.day, last.day, so_far, None, FINISHED_NOTE
        )  # fmt: skip

    # Last year's month, split into the dates matching this year's elapsed days and the rest.
    ly_first, ly_last = month_bounds(shift_year(first))
    ly_days = [ly_first + dt.timedelta(days=i) for i in range(ly_last.day)]
    same = {shift_year(day) for day in elapsed_days}
    ly_same = sum((last_year.get(day, 0) for day in ly_days if day in same), start=zero)
    ly_rest = sum((last_year.get(day, 0) for day in ly_days if day not in same), start=zero)
    elapsed, remaining = len(elapsed_days), last.day - len(elapsed_days)
    if ly_same:
        scale = Decimal(so_far) / Decimal(ly_same)
        # On the month's last day nothing is left, even if last year's month was longer.
        rest = scale * Decimal(ly_rest) if remaining else Decimal(0)
        method = Method.PROFILE
    else:
        scale = None
        rest = Decimal(so_far) / elapsed * remaining
        method = Method.LINEAR
    return MonthProjection(
        metric=metric,
        label=label,
        month=first,
        state=state,
        value=so_far,
        days_elapsed=elapsed,
        days_total=last.day,
        projected=_rounded(metric, Decimal(so_far) + rest),
        method=method,
        method_note=METHOD_NOTES[method],
        last_year_same_days=ly_same,
        last_year_rest=ly_rest,
        scale=None if scale is None else scale.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
    )


def month_ranges(month: dt.date, today: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The ranges a projection reads: this month up to ``today`` and last year's whole month."""
    first, last = month_bounds(month)
    return (first, min(today, last)), month_bounds(shift_year(first))


def project_month(unit: Unit, metric: str, month_date: dt.date, *, today: dt.date | None = None) -> MonthProjection:
    """The month-end projection of ``metric`` (a base metric summed by day, e.g. cases or
    loss) for ``unit``'s subtree in the month holding ``month_date``, as seen on ``today``
    (default: today in Asia/Shanghai). See the module docstring for the method."""
    today = today or timezone.localdate()
    this_range, last_range = month_ranges(month_date, today)
    if month_state(month_date, today) is MonthState.UPCOMING:
        return project_from_daily(metric, month_date, today, {}, {})
    daily = daily_values(unit, [metric], [this_range, last_range])[metric]
    return project_from_daily(metric, month_date, today, daily, daily)
