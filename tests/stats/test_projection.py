"""Month-end projection: last year's daily profile, the straight-line fallback, and the
edges of a month (not started, last day, finished, a leap February)."""

import datetime as dt
from decimal import Decimal

import pytest

from stats.metrics import base_values
from stats.models import CaseFact
from stats.periods import period_for
from stats.projection import Method, MonthState, daily_values, project_month
from stats.refresh import refresh
from stats.totals import recompute_all
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

MAY = dt.date(2026, 5, 1)


def fact(unit, day, n=0, loss="0", *, filed=True):
    """One rollup row, as the refresh would write it (fraud type 1), and the subtree totals
    summed from the fact rows, as the refresh does after them."""
    row = CaseFact.objects.create(unit=unit, day=day, fraud_type_id=1, filed=filed, n=n, loss=Decimal(loss))
    recompute_all()
    return row


@pytest.fixture
def may(tree):
    """County X in May 2025 and May 2026 (to the 10th), split over its two stations.

    2025: days 1–10 hold 8 + 12 = 20 cases (loss 400,000), days 11–31 hold 25 + 15 = 40
    (loss 200,000). 2026 so far: 5 + 10 = 15 cases (loss 300,000)."""
    a, b = tree.station_a, tree.station_b
    fact(a, dt.date(2025, 5, 3), 8, "150000")
    fact(b, dt.date(2025, 5, 9), 12, "250000")
    fact(a, dt.date(2025, 5, 15), 25, "120000")
    fact(b, dt.date(2025, 5, 28), 15, "80000")
    fact(a, dt.date(2026, 5, 2), 5, "100000")
    fact(b, dt.date(2026, 5, 10), 10, "200000")
    # Not counted: unfiled reports, another county, other months.
    fact(a, dt.date(2026, 5, 4), 7, "9999", filed=False)
    fact(tree.station_d, dt.date(2026, 5, 5), 50, "500000")
    fact(a, dt.date(2025, 6, 1), 99, "1")
    fact(a, dt.date(2025, 4, 30), 99, "1")
    return tree


def test_running_month_follows_last_years_daily_profile(may):
    p = project_month(may.county_x, "cases", MAY, today=dt.date(2026, 5, 10))
    assert p.state is MonthState.RUNNING and p.method is Method.PROFILE
    assert (p.value, p.days_elapsed, p.days_total) == (15, 10, 31)
    assert (p.last_year_same_days, p.last_year_rest, p.last_year_total) == (20, 40, 60)
    # scale 15 / 20 = 0.75; rest 0.75 × 40 = 30; 15 + 30 = 45
    assert p.scale == Decimal("0.7500")
    assert p.projected == 45
    assert "去年同月的日分布" in p.method_note


def test_money_is_projected_to_the_fen(may):
    p = project_month(may.county_x, "loss", MAY, today=dt.date(2026, 5, 10))
    # 300,000 / 400,000 = 0.75; 0.75 × 200,000 = 150,000
    assert p.value == Decimal("300000.00")
    assert p.projected == Decimal("450000.00")


def test_a_station_projects_from_its_own_profile(may):
    p = project_month(may.station_a, "cases", MAY, today=dt.date(2026, 5, 10))
    # 5 so far against 8 on the same days; 5/8 × 25 = 15.625 → 20.625 → 21
    assert (p.value, p.last_year_same_days, p.last_year_rest, p.projected) == (5, 8, 25, 21)


def test_no_cases_on_last_years_same_days_falls_back_to_a_straight_line(tree):
    fact(tree.station_a, dt.date(2025, 5, 20), 50)  # last year: nothing until the 20th
    fact(tree.station_a, dt.date(2026, 5, 3), 4)
    fact(tree.station_a, dt.date(2026, 5, 9), 8)
    p = project_month(tree.county_x, "cases", MAY, today=dt.date(2026, 5, 10))
    assert p.method is Method.LINEAR and p.scale is None
    # 12 in 10 days → 1.2 a day × 21 days left = 25.2; 12 + 25.2 = 37.2 → 37
    assert p.projected == 37
    assert "线性外推" in p.method_note


def test_nothing_at_all_projects_zero(tree):
    p = project_month(tree.county_x, "loss", MAY, today=dt.date(2026, 5, 10))
    assert (p.value, p.projected, p.method) == (Decimal("0.00"), Decimal("0.00"), Method.LINEAR)


def test_finished_month_is_its_actual_value(may):
    p = project_month(may.county_x, "cases", MAY, today=dt.date(2026, 6, 2))
    assert p.state is MonthState.FINISHED and p.method is None
    assert (p.value, p.projected, p.days_elapsed, p.days_total) == (15, 15, 31, 31)


def test_on_the_last_day_nothing_is_left_to_add(may):
    p = project_month(may.county_x, "cases", dt.date(2026, 5, 20), today=dt.date(2026, 5, 31))
    assert p.state is MonthState.RUNNING and (p.days_elapsed, p.projected) == (31, 15)


def test_a_month_not_started_has_no_projection(may):
    p = project_month(may.county_x, "cases", MAY, today=dt.date(2026, 4, 30))
    assert p.state is MonthState.UPCOMING and p.projected is None and p.days_elapsed == 0


def test_leap_february_last_year_keeps_its_29th_in_the_rest(tree):
    fact(tree.station_a, dt.date(2024, 2, 10), 10)
    fact(tree.station_a, dt.date(2024, 2, 29), 6)
    fact(tree.station_a, dt.date(2025, 2, 5), 5)
    p = project_month(tree.station_a, "cases", dt.date(2025, 2, 1), today=dt.date(2025, 2, 14))
    # 5 / 10 = 0.5; rest (15–29 Feb 2024) = 6 → 3; 5 + 3 = 8
    assert (p.days_total, p.last_year_rest, p.projected) == (28, 6, 8)


def test_daily_values_add_up_to_the_period_figures(may):
    month = period_for("month", MAY)
    daily = daily_values(may.city, ["reports", "cases", "loss"], [(month.start, month.end)])
    figures = base_values(may.city, [month])[0]
    for key in ("reports", "cases", "loss"):
        assert sum(daily[key].values()) == figures[key], key
    assert figures["reports"] == figures["cases"] + 7


def test_projection_reads_the_refreshed_rollups(tree):
    for day in (2, 6):
        CaseFactory(station=tree.station_a, reported_on=dt.date(2025, 5, day), loss=Decimal("1000"))
    for day in (12, 20, 25):
        CaseFactory(station=tree.station_b, reported_on=dt.date(2025, 5, day), loss=Decimal("1000"))
    CaseFactory(station=tree.station_a, reported_on=dt.date(2026, 5, 4), loss=Decimal("1000"))
    refresh()
    p = project_month(tree.city, "cases", MAY, today=dt.date(2026, 5, 10))
    # 1 against 2 on the same days; 0.5 × 3 = 1.5 → 2.5 → 3
    assert (p.value, p.last_year_same_days, p.last_year_rest, p.projected) == (1, 2, 3, 3)
