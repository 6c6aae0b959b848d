"""The subtree totals (``DayTotal``, ``MonthTotal``): every unit's rows equal the fact rows
of its whole subtree summed by day and by month — after refreshes that move records
between counties, after a unit moves in the tree, after a rebuild from a day on — and a
period of partial months reads whole months plus the days at either end."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.services import case_update
from earlywarnings.services import warning_acknowledge, warning_handle
from orgs.models import Unit
from stats.metrics import base_values
from stats.models import DayTotal, MonthTotal, StatsState
from stats.periods import custom_period, period_for
from stats.refresh import rebuild, refresh
from stats.totals import COLUMNS, FACT_SUMS
from tests.factories import CaseFactory, PublicityFactory, UnitFactory, WarningTaskFactory
from tests.stats.reference import LOCAL, Records
from tests.stats.test_reference import assert_same_rows, rollup_rows

pytestmark = pytest.mark.django_db

AFTER_ALL = dt.datetime(2031, 1, 1, tzinfo=LOCAL)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour))


def subtree_days(unit: Unit) -> dict[dt.date, dict]:
    """Per day, every total column summed straight from the fact rows of ``unit``'s subtree."""
    days: dict[dt.date, dict] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for model, sums in FACT_SUMS.items():
        rows = model.objects.within(unit).order_by().values("day").annotate(**{f"x_{c}": s for c, s in sums.items()})
        for row in rows:
            for column in sums:
                days[row["day"]][column] += row[f"x_{column}"]
    return dict(days)


def assert_totals_are_their_parts() -> None:
    """Each unit's day totals are its subtree's fact rows by day; its month totals, its day
    totals by month."""
    for unit in Unit.objects.all():
        days = {row.pop("day"): row for row in DayTotal.objects.filter(unit=unit).values("day", *COLUMNS)}
        assert days == subtree_days(unit), unit.code
        months: dict[dt.date, dict] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
        for day, row in days.items():
            for column, amount in row.items():
                months[day.replace(day=1)][column] += amount
        got = {row.pop("month"): row for row in MonthTotal.objects.filter(unit=unit).values("month", *COLUMNS)}
        assert got == dict(months), unit.code


def assert_same_as_a_full_rebuild() -> None:
    incremental = rollup_rows()
    rebuild()
    assert_same_rows(incremental, rollup_rows())


def test_a_task_moved_to_another_county_moves_its_totals_up_both_branches(tree):
    refresh()
    task = WarningTaskFactory(station=tree.station_a, level="high", issued_at=at(5, 4))
    warning_acknowledge(task=task, user=tree.officer_a, at=at(5, 4, 11))
    task.refresh_from_db()
    warning_handle(task=task, user=tree.officer_a, outcome="dissuaded", method="phone", note="已劝阻", at=at(5, 6))
    CaseFactory(station=tree.station_b, reported_on=dt.date(2026, 5, 4), loss=Decimal("100.25"))
    refresh()
    may = period_for("month", dt.date(2026, 5, 1))
    assert base_values(tree.county_x, [may], now=AFTER_ALL)[0]["dissuaded"] == 1

    task.refresh_from_db()
    task.station = tree.station_d  # a correction: the task was never station A's
    task.save()
    refresh()

    assert_totals_are_their_parts()
    x, y, city = (base_values(u, [may], now=AFTER_ALL)[0] for u in (tree.county_x, tree.county_y, tree.city))
    assert (x["warnings_received"], x["dissuaded"], x["cases"]) == (0, 0, 1)
    assert (y["warnings_received"], y["dissuaded"], y["cases"]) == (1, 1, 0)
    assert (city["warnings_received"], city["dissuaded"], city["loss"]) == (1, 1, Decimal("100.25"))
    assert_same_as_a_full_rebuild()


def test_a_case_moved_across_counties_and_months_leaves_no_trace(tree):
    refresh()
    case = CaseFactory(station=tree.station_a, reported_on=dt.date(2026, 1, 31), loss=Decimal("500"))
    PublicityFactory(unit=tree.county_x, held_on=dt.date(2026, 1, 31), reach=40)  # the county's own row
    refresh()
    case_update(case=case, user=tree.leader, station=tree.station_d, reported_on=dt.date(2026, 2, 1))
    refresh()

    assert_totals_are_their_parts()
    january, february = (period_for("month", dt.date(2026, m, 1)) for m in (1, 2))
    x = base_values(tree.county_x, [january, february], now=AFTER_ALL)
    y = base_values(tree.county_y, [january, february], now=AFTER_ALL)
    assert [v["reports"] for v in x] == [0, 0] and [v["reports"] for v in y] == [0, 1]
    assert x[0]["publicity_reach"] == 40
    assert_same_as_a_full_rebuild()


def test_a_unit_moved_in_the_tree_has_every_total_summed_afresh(tree):
    for day in (1, 15, 28):
        CaseFactory(station=tree.station_b, reported_on=dt.date(2026, 2, day))
    CaseFactory(station=tree.station_a, reported_on=dt.date(2026, 2, 2))
    refresh()
    tree.station_b.parent = tree.county_y
    tree.station_b.save()
    refresh()  # no record changed: the tree did

    assert_totals_are_their_parts()
    february = period_for("month", dt.date(2026, 2, 1))
    assert base_values(tree.county_x, [february], now=AFTER_ALL)[0]["reports"] == 1
    assert base_values(tree.county_y, [february], now=AFTER_ALL)[0]["reports"] == 3
    assert base_values(tree.city, [february], now=AFTER_ALL)[0]["reports"] == 4


def test_a_new_unit_does_not_make_the_refresh_sum_everything_afresh(tree):
    CaseFactory(station=tree.station_a, reported_on=dt.date(2026, 2, 2))
    refresh()
    station = UnitFactory(code="XC", name="新港派出所", parent=tree.county_x)
    CaseFactory(station=station, reported_on=dt.date(2026, 2, 3))
    with mock.patch("stats.totals.recompute_all") as everything:
        refresh()
    everything.assert_not_called()
    assert_totals_are_their_parts()
    assert StatsState.objects.get().totals_tree[str(station.pk)] == tree.county_x.pk


def test_totals_never_summed_are_summed_by_the_next_refresh(tree):
    """As after the migration that adds them to a database whose facts are up to date."""
    CaseFactory(station=tree.station_a, reported_on=dt.date(2026, 2, 2))
    WarningTaskFactory(station=tree.station_d, level="low", issued_at=at(2, 3))
    refresh()
    DayTotal.objects.all().delete()
    MonthTotal.objects.all().delete()
    StatsState.objects.update(totals_tree=None)
    refresh()
    assert DayTotal.objects.exists()
    assert_totals_are_their_parts()


def test_a_rebuild_from_a_day_on_equals_a_full_one(tree):
    for month, day in ((1, 20), (2, 10), (2, 25), (3, 5)):
        CaseFactory(station=tree.station_a, reported_on=dt.date(2026, month, day))
        WarningTaskFactory(station=tree.station_b, level="medium", issued_at=at(month, day))
    refresh()
    full = rollup_rows()
    rebuild(since=dt.date(2026, 2, 15))  # mid-month: February's total takes its first half as it was
    assert_same_rows(rollup_rows(), full)


def test_a_period_of_partial_months_reads_whole_months_and_the_days_at_either_end(tree):
    days = [(1, 14), (1, 15), (1, 31), (2, 1), (2, 29), (3, 1), (3, 10), (3, 11)]
    for month, day in days:
        CaseFactory(station=tree.station_a, reported_on=dt.date(2024, month, day))
    refresh()
    period = custom_period(dt.date(2024, 1, 15), dt.date(2024, 3, 10))
    periods = [period, period.yoy(), period.mom()]
    with CaptureQueriesContext(connection) as queries:
        got = base_values(tree.city, periods, now=AFTER_ALL)
    assert len(queries) == 1  # both tables, all three periods, the overdue running sums
    assert got[0]["reports"] == 6
    records = Records.read()
    for unit in (tree.city, tree.county_x, tree.station_a, tree.county_y):
        for p, values in zip(periods, base_values(unit, periods, now=AFTER_ALL), strict=True):
            want = records.values(unit, p.start, p.end, now=AFTER_ALL)
            assert {key: values[key] for key in want} == want, (unit.code, p)
