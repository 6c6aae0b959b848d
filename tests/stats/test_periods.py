"""Period arithmetic, proved on every kind of date hypothesis can think of."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stats.periods import (
    CALENDAR_UNITS,
    Period,
    PeriodError,
    PeriodKind,
    custom_period,
    month_split,
    months_end,
    period_for,
    shift_year,
)  # fmt: skip

DATES = st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2098, 12, 31))
KINDS = st.sampled_from([k for k in PeriodKind if k != PeriodKind.CUSTOM])
ONE_DAY = dt.timedelta(days=1)


@given(KINDS, DATES)
def test_a_period_holds_its_day(kind, day):
    period = period_for(kind, day)
    assert period.start <= day <= period.end
    assert period.kind == kind


@given(KINDS, DATES)
def test_every_day_of_a_period_lies_in_that_same_period(kind, day):
    period = period_for(kind, day)
    if kind == PeriodKind.YTD:
        assert period_for(kind, period.start).start == period.start
        return
    for probe in (period.start, period.end, period.start + (period.end - period.start) // 2):
        assert period_for(kind, probe) == period


@given(st.sampled_from([PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.XUN, PeriodKind.MONTH, PeriodKind.QUARTER,
                        PeriodKind.YEAR]), DATES)  # fmt: skip
def test_periods_tile_the_calendar(kind, day):
    period = period_for(kind, day)
    following = period_for(kind, period.end + ONE_DAY)
    assert following.start == period.end + ONE_DAY
    assert period.mom().end == period.start - ONE_DAY
    assert period.mom().kind == kind


@given(DATES)
def test_weeks_are_iso_weeks(day):
    week = period_for("week", day)
    assert week.start.weekday() == 0 and week.days == 7
    assert week.label == f"{day.isocalendar()[0]}年第{day.isocalendar()[1]}周"


@given(DATES)
def test_xun_are_the_1st_to_10th_11th_to_20th_and_21st_to_the_end(day):
    xun = period_for("xun", day)
    assert (xun.start.day, xun.end.day) in {(1, 10), (11, 20), (21, 28), (21, 29), (21, 30), (21, 31)}
    assert (xun.end + ONE_DAY).day in (11, 21, 1)


@given(KINDS, DATES)
def test_yoy_is_the_same_dates_a_year_earlier(kind, day):
    period = period_for(kind, day)
    yoy = period.yoy()
    assert yoy.kind == kind
    assert yoy.start == shift_year(period.start)
    if kind in CALENDAR_UNITS:
        assert yoy == period_for(kind, shift_year(period.start))  # the whole unit: February is February
    else:
        assert yoy.end == shift_year(period.end)


@given(DATES, st.integers(min_value=0, max_value=800))
def test_a_custom_range_compares_with_the_equally_long_range_before(start, length):
    period = custom_period(start, start + dt.timedelta(days=length))
    mom = period.mom()
    assert mom.days == period.days and mom.end == period.start - ONE_DAY
    assert period.yoy().start == shift_year(start)


@given(DATES)
def test_ytd_runs_from_new_year_and_compares_with_the_same_stretch(day):
    ytd = period_for("ytd", day)
    assert ytd.start == dt.date(day.year, 1, 1) and ytd.end == day
    assert ytd.mom().days == ytd.days and ytd.mom().end == dt.date(day.year - 1, 12, 31)


def test_29_february_maps_to_28_february():
    assert shift_year(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert period_for("day", dt.date(2024, 2, 29)).yoy() == Period(PeriodKind.DAY, dt.date(2023, 2, 28),
                                                                    dt.date(2023, 2, 28))  # fmt: skip
    assert period_for("ytd", dt.date(2024, 2, 29)).yoy().end == dt.date(2023, 2, 28)
    feb = period_for("month", dt.date(2025, 2, 10))
    assert feb.yoy() == Period(PeriodKind.MONTH, dt.date(2024, 2, 1), dt.date(2024, 2, 29))  # the whole February


@pytest.mark.parametrize(
    ("kind", "day", "label"),
    [
        ("day", dt.date(2024, 5, 31), "2024年5月31日"),
        ("week", dt.date(2024, 5, 31), "2024年第22周"),
        ("week", dt.date(2027, 1, 1), "2026年第53周"),
        ("xun", dt.date(2024, 5, 15), "2024年5月中旬"),
        ("xun", dt.date(2024, 5, 31), "2024年5月下旬"),
        ("month", dt.date(2024, 5, 2), "2024年5月"),
        ("quarter", dt.date(2024, 5, 2), "2024年第二季度"),
        ("year", dt.date(2023, 7, 1), "2023年"),
        ("ytd", dt.date(2024, 5, 31), "2024年1—5月"),
        ("ytd", dt.date(2024, 1, 31), "2024年1月"),
        ("ytd", dt.date(2024, 5, 15), "2024年1月1日—5月15日"),
    ],
)
def test_labels(kind, day, label):
    assert period_for(kind, day).label == label


def test_the_stats_json_period_object():
    period = period_for("year", dt.date(2023, 6, 1))
    assert period.as_dict() == {"kind": "year", "start": "2023-01-01", "end": "2023-12-31", "label": "2023年"}
    assert period.yoy().as_dict()["start"] == "2022-01-01" and period.mom().as_dict()["end"] == "2022-12-31"
    assert custom_period(dt.date(2024, 5, 1), dt.date(2025, 1, 2)).label == "2024年5月1日—2025年1月2日"


def test_bad_periods_are_refused_in_chinese():
    with pytest.raises(PeriodError, match="未知的周期"):
        period_for("fortnight", dt.date(2024, 1, 1))
    with pytest.raises(PeriodError, match="结束日期不能早于开始日期"):
        custom_period(dt.date(2024, 2, 1), dt.date(2024, 1, 1))


@given(KINDS, DATES, st.integers(min_value=0, max_value=120))
def test_a_running_period_compares_the_same_days(kind, day, offset):
    whole = period_for(kind, day)
    today = min(whole.start + dt.timedelta(days=offset), whole.end)
    running = whole.to_date(today)
    assert running.start == whole.start and running.end == today
    if kind == PeriodKind.YTD:  # already "to date": cutting it is just an earlier date
        assert running == period_for(kind, today)
        return
    if not running.is_partial:
        assert running == whole
        return
    yoy, mom = running.yoy(), running.mom()
    assert (yoy.start, yoy.end) == (shift_year(running.start), shift_year(running.end))
    before = period_for(kind, whole.start - dt.timedelta(days=1))
    assert mom.start == before.start and mom.end <= before.end
    assert mom.days == min(running.days, before.days)
    assert running.label.startswith(whole.label) and f"截至{today.month}月{today.day}日" in running.label


def test_a_finished_or_custom_period_is_not_cut():
    may = period_for("month", dt.date(2026, 5, 1))
    assert may.to_date(dt.date(2026, 11, 23)) == may
    custom = custom_period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert custom.to_date(dt.date(2026, 11, 23)) == custom


@given(DATES, st.integers(0, 800))
def test_month_split_covers_every_day_once_with_whole_months(start, length):
    end = start + dt.timedelta(days=length)
    months, runs = month_split(start, end)
    days = []
    for first in months:
        assert first.day == 1 and period_for("month", first).start == first
        month = period_for("month", first)
        days += [month.start + dt.timedelta(days=i) for i in range(month.days)]
    for first, last in runs:
        days += [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    assert sorted(days) == [start + dt.timedelta(days=i) for i in range(length + 1)]
    if months:  # the days left over lie before the first whole month and after the last
        assert len(runs) <= 2 and all(first.month == last.month for first, last in runs)
    else:
        assert runs == [(start, end)]


def test_month_split_examples():
    d = dt.date
    edges = [(d(2024, 1, 15), d(2024, 1, 31)), (d(2024, 3, 1), d(2024, 3, 10))]
    assert month_split(d(2024, 1, 15), d(2024, 3, 10)) == ([d(2024, 2, 1)], edges)
    assert month_split(d(2024, 1, 1), d(2024, 12, 31)) == ([d(2024, m, 1) for m in range(1, 13)], [])
    assert month_split(d(2024, 2, 1), d(2024, 2, 28)) == ([], [(d(2024, 2, 1), d(2024, 2, 28))])  # a leap February
    assert month_split(d(2024, 2, 1), d(2024, 2, 29)) == ([d(2024, 2, 1)], [])
    assert month_split(d(2024, 5, 3), d(2024, 5, 9)) == ([], [(d(2024, 5, 3), d(2024, 5, 9))])
    assert months_end(d(2024, 2, 29)) == d(2024, 3, 1) and months_end(d(2024, 2, 28)) == d(2024, 2, 1)
