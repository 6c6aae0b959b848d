"""Periods (口径 of time): day, ISO week, 旬, month, quarter, year, year to date, custom.

Each period knows its bounds (both inclusive), its 同比 period (the same dates a year
earlier) and its 环比 period (the one just before), and how a person reads it:
2024年5月, 2024年第22周, 2024年5月中旬, 2024年第二季度, 2024年1—5月.

同比 rules (DOMAIN.md): a whole calendar unit (旬, month, quarter, year) compares with the
same unit a year earlier — February with the whole February, 29 days or 28; anything
else (a day, an ISO week, year to date, a custom range) with the same dates a year
earlier, 29 February becoming 28 February. 环比: the unit just before; for year to date
and a custom range, the equally long range just before.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    XUN = "xun"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    YTD = "ytd"
    CUSTOM = "custom"


KIND_LABELS = {
    PeriodKind.DAY: "日", PeriodKind.WEEK: "周", PeriodKind.XUN: "旬", PeriodKind.MONTH: "月",
    PeriodKind.QUARTER: "季", PeriodKind.YEAR: "年", PeriodKind.YTD: "年累计", PeriodKind.CUSTOM: "自定义",
}  # fmt: skip
CALENDAR_UNITS = {PeriodKind.XUN, PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR}
XUN_NAMES = ("上旬", "中旬", "下旬")
QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
ONE_DAY = dt.timedelta(days=1)


class PeriodError(ValueError):
    """A period that cannot be formed (unknown kind, end before start); Chinese message."""


def shift_year(day: dt.date, years: int = -1) -> dt.date:
    """The same date ``years`` later (earlier when negative); 29 February → 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=True)
class Period:
    kind: PeriodKind
    start: dt.date
    end: dt.date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError("结束日期不能早于开始日期。")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def is_partial(self) -> bool:
        """A running day-to-date slice of a calendar period (this month up to today)."""
        if self.kind in (PeriodKind.YTD, PeriodKind.CUSTOM):
            return False
        return self.end != period_for(self.kind, self.start).end

    def to_date(self, today: dt.date) -> Period:
        """This period cut at ``today`` when it is still running (figures exist only up to
        today, so they compare with the same days of the bases, not their whole length)."""
        if self.kind == PeriodKind.CUSTOM or not (self.start <= today < self.end):
            return self
        return Period(self.kind, self.start, today)

    def yoy(self) -> Period:
        """同比: the same period a year earlier."""
        if self.kind in CALENDAR_UNITS and not self.is_partial:
            return period_for(self.kind, shift_year(self.start))
        return Period(self.kind, shift_year(self.start), shift_year(self.end))

    def mom(self) -> Period:
        """环比: the period just before (for a running one, the same days of it)."""
        if self.kind in (PeriodKind.YTD, PeriodKind.CUSTOM):
            return Period(self.kind, self.start - dt.timedelta(days=self.days), self.start - ONE_DAY)
        before = period_for(self.kind, self.start - ONE_DAY)
        if self.is_partial:
            return Period(self.kind, before.start, min(before.end, before.start + dt.timedelta(days=self.days - 1)))
        return before

    @property
    def label(self) -> str:
        if self.is_partial:
            whole = period_for(self.kind, self.start).label
            return f"{whole}（截至{self.end.month}月{self.end.day}日）"
        start, end = self.start, self.end
        match self.kind:
            case PeriodKind.DAY:
                return f"{start.year}年{start.month}月{start.day}日"
            case PeriodKind.WEEK:
                iso_year, week, _ = start.isocalendar()
                return f"{iso_year}年第{week}周"
            case PeriodKind.XUN:
                return f"{start.year}年{start.month}月{XUN_NAMES[min(start.day // 10, 2)]}"
            case PeriodKind.MONTH:
                return f"{start.year}年{start.month}月"
            case PeriodKind.QUARTER:
                return f"{start.year}年{QUARTER_NAMES[(start.month - 1) // 3]}"
            case PeriodKind.YEAR:
                return f"{start.year}年"
            case PeriodKind.YTD if end == _month_end(end.year, end.month):
                return f"{end.year}年1月" if end.month == 1 else f"{end.year}年1—{end.month}月"
        if start.year == end.year:
            return f"{start.year}年{start.month}月{start.day}日—{end.month}月{end.day}日"
        return f"{start.year}年{start.month}月{start.day}日—{end.year}年{end.month}月{end.day}日"

    def as_dict(self) -> dict:
        """The ``period`` object of the stats JSON (DATA.md)."""
        return {"kind": str(self.kind), "start": self.start.isoformat(), "end": self.end.isoformat(),
                "label": self.label}  # fmt: skip


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_end(day: dt.date) -> dt.date:
    """Where the whole months up to ``day`` stop: the first day after the last calendar
    month that ends on or before ``day`` (``day``'s own month counts when ``day`` is its
    last day)."""
    after = day + ONE_DAY
    return after if after.day == 1 else after.replace(day=1)


def month_split(start: dt.date, end: dt.date) -> tuple[list[dt.date], list[tuple[dt.date, dt.date]]]:
    """The days ``start``–``end`` as the whole calendar months inside them (their first
    days) and the days left over at either end, as (first, last) runs: 15 January – 10
    March is February, plus 15–31 January and 1–10 March."""
    first = start if start.day == 1 else next_month(start)
    stop = months_end(end)
    if first >= stop:
        return [], [(start, end)]
    months = [first]
    while (month := next_month(months[-1])) < stop:
        months.append(month)
    days = []
    if start < first:
        days.append((start, first - ONE_DAY))
    if stop <= end:
        days.append((stop, end))
    return months, days


def period_for(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` that holds ``day`` (year to date: 1 January to ``day``)."""
    try:
        kind = PeriodKind(kind)
    except ValueError:
        raise PeriodError(f"未知的周期“{kind}”：可用 day、week、xun、month、quarter、year、ytd。") from None
    match kind:
        case PeriodKind.DAY:
            return Period(kind, day, day)
        case PeriodKind.WEEK:
            monday = day - dt.timedelta(days=day.weekday())
            return Period(kind, monday, monday + dt.timedelta(days=6))
        case PeriodKind.XUN:
            if day.day <= 10:
                return Period(kind, day.replace(day=1), day.replace(day=10))
            if day.day <= 20:
                return Period(kind, day.replace(day=11), day.replace(day=20))
            return Period(kind, day.replace(day=21), _month_end(day.year, day.month))
        case PeriodKind.MONTH:
            return Period(kind, day.replace(day=1), _month_end(day.year, day.month))
        case PeriodKind.QUARTER:
            first = 3 * ((day.month - 1) // 3) + 1
            return Period(kind, dt.date(day.year, first, 1), _month_end(day.year, first + 2))
        case PeriodKind.YEAR:
            return Period(kind, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
        case PeriodKind.YTD:
            return Period(kind, dt.date(day.year, 1, 1), day)
    raise PeriodError("自定义周期须给出开始和结束日期。")


def custom_period(start: dt.date, end: dt.date) -> Period:
    return Period(PeriodKind.CUSTOM, start, end)
