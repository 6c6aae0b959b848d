"""Breakdowns read the rollups and agree with ``metrics()``: children with shares and ranks
(ties share a rank), fraud types, victim profile, areas per 10,000 residents, and day /
week series aligned with last year's."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orgs.models import UnitLevel
from stats.breakdowns import (
    StatsRequestError,
    breakdown,
    by_area,
    by_children,
    by_fraud_type,
    by_profile,
    by_time,
    competition_ranks,
    per_10k,
    period_from_params,
    share_pct,
)
from stats.metrics import metrics
from stats.periods import period_for
from stats.refresh import refresh
from tests.factories import CaseFactory, UnitFactory
from tests.stats.test_api import seed_may_2024

MAY_2024 = period_for("month", dt.date(2024, 5, 1))


@pytest.fixture
def may_2024(tree):
    seed_may_2024(tree)
    return tree


# ---------------------------------------------------------------------------- numbers


def test_ranks_share_ties_and_skip():
    assert competition_ranks([5, 7, 5, None, 1]) == [2, 1, 2, None, 4]
    assert competition_ranks([-12.5, 0.0, None]) == [2, 1, None]
    assert competition_ranks([]) == []


def test_shares_round_half_away_from_zero():
    assert share_pct(1, 16) == 6.3  # 6.25: a float round() would give 6.2
    assert share_pct(3, 16) == 18.8
    assert share_pct(Decimal("2000.50"), Decimal("7000.74")) == 28.6
    assert share_pct(3, 0) is None
    assert per_10k(1, 16000) == 0.63  # 0.625
    assert per_10k(5, None) is None


def test_period_parameters():
    assert period_from_params(kind="xun", date="2024-05-15", start=None, end=None).label == "2024年5月中旬"
    assert period_from_params(kind=None, date=None, start="2024-01-01", end="2024-01-31").kind == "custom"
    with pytest.raises(StatsRequestError) as exc:
        period_from_params(kind="month", date="2024/05/15", start=None, end=None, prefix="--")
    assert exc.value.field == "date" and "--date" in exc.value.message


# ---------------------------------------------------------------------------- children


def test_children_agree_with_metrics_of_each_child(may_2024):
    answer = by_children(may_2024.city, MAY_2024)
    city = metrics(may_2024.city, MAY_2024)["metrics"]
    for row, child in zip(answer["rows"], (may_2024.county_x, may_2024.county_y), strict=True):
        assert row["unit"]["code"] == child.code
        expected = metrics(child, MAY_2024)["metrics"]
        for key, got in row["metrics"].items():
            assert (got["value"], got["yoy_base"], got["yoy_pct"]) == (
                expected[key]["value"], expected[key]["yoy_base"], expected[key]["yoy_pct"]), key  # fmt: skip
    for key, got in answer["total"]["metrics"].items():
        assert (got["value"], got["yoy_base"]) == (city[key]["value"], city[key]["yoy_base"]), key


def test_children_of_a_county_with_shares_ranks_and_own_records(may_2024):
    answer = by_children(may_2024.county_x, MAY_2024, rank_by="cases")
    assert answer["rank_by"] == "cases" and answer["rank_by_label"] == "发案数"
    a, b = answer["rows"]
    assert (a["unit"]["code"], a["rank"], b["unit"]["code"], b["rank"]) == ("XA", 1, "XB", 2)
    assert a["metrics"]["cases"] == {"value": 3, "yoy_base": 3, "yoy_pct": 0.0, "share": 75.0}
    assert b["metrics"]["cases"] == {"value": 1, "yoy_base": 0, "yoy_pct": None, "share": 25.0}
    assert (a["yoy_rank"], b["yoy_rank"]) == (1, None)  # no base, no change to rank
    assert a["metrics"]["loss"]["value"] == 6000.75 and a["metrics"]["loss"]["share"] == 85.7
    assert b["metrics"]["recovered"] == {"value": 1234.56, "yoy_base": 0.0, "yoy_pct": None, "share": 100.0}
    # The county's own activity counts in its total, not in a station's.
    assert answer["own"]["publicity_activities"] == 1 and answer["own"]["publicity_reach"] == 80
    assert answer["total"]["metrics"]["publicity_reach"]["value"] == 200
    assert b["metrics"]["publicity_reach"]["share"] == 60.0
    assert a["population"] == 50000 and a["metrics"]["cases_per_10k"]["value"] == 0.6
    assert a["metrics"]["cases_per_10k"]["share"] is None


def test_children_ranks_by_a_rate_and_by_loss(may_2024):
    by_loss = by_children(may_2024.city, MAY_2024, rank_by="loss")["rows"]
    assert [(r["unit"]["code"], r["rank"]) for r in by_loss] == [("X", 1), ("Y", 2)]
    assert by_loss[0]["metrics"]["loss"]["share"] == 98.6  # 7000.74 of 7100.74


def test_ties_share_a_rank(tree):
    county_z = UnitFactory(code="Z", name="南溪县公安局", level=UnitLevel.COUNTY, parent=tree.city)
    station_z = UnitFactory(code="ZA", name="南溪派出所", parent=county_z)
    june = lambda day: dt.date(2024, 6, day)  # noqa: E731
    for station, days in ((tree.station_a, (1, 2)), (tree.station_d, (3, 4)), (station_z, (5,))):
        for day in days:
            CaseFactory(station=station, reported_on=june(day))
    CaseFactory(station=tree.station_d, reported_on=dt.date(2023, 6, 1))
    refresh()
    rows = by_children(tree.city, period_for("month", june(1)), rank_by="cases")["rows"]
    assert [(r["unit"]["code"], r["rank"]) for r in rows] == [("X", 1), ("Y", 1), ("Z", 3)]
    assert [r["yoy_rank"] for r in rows] == [None, 1, None]  # Y: 1 → 2 is +100 %
    assert [r["metrics"]["cases"]["share"] for r in rows] == [40.0, 40.0, 20.0]


def test_children_read_few_queries(may_2024):
    with CaptureQueriesContext(connection) as queries:
        by_children(may_2024.city, MAY_2024)
    # Units, the subtree totals of the unit and its children (one statement for every
    # period, overdue running sums included), refreshed_at: however many children.
    assert len(queries) == 3


def test_a_station_has_no_children(may_2024):
    answer = by_children(may_2024.station_a, MAY_2024)
    assert answer["rows"] == [] and answer["total"]["metrics"]["cases"]["value"] == 3


# ---------------------------------------------------------------------------- fraud types, profile


def test_fraud_types_with_shares_sorted_by_count(may_2024):
    answer = by_fraud_type(may_2024.county_x, MAY_2024)
    rows = [(r["fraud_type"]["code"], r["reports"], r["cases"], r["cases_share"], r["loss"], r["loss_share"])
            for r in answer["rows"]]  # fmt: skip
    assert rows == [
        ("01", 3, 3, 75.0, 5000.24, 71.4),
        ("02", 1, 1, 25.0, 2000.5, 28.6),
        ("03", 1, 0, 0.0, 0.0, 0.0),  # a report not filed: counted in reports only
    ]
    first = answer["rows"][0]
    assert (first["cases_yoy_base"], first["cases_yoy_pct"]) == (2, 50.0)
    assert (first["loss_yoy_base"], first["loss_yoy_pct"]) == (3000.0, 66.7)  # (5000.24 − 3000) / 3000
    assert answer["rows"][1]["loss_yoy_pct"] == 33.4  # (2000.50 − 1500) / 1500 = 33.37
    assert (first["cases_rank"], answer["rows"][1]["loss_rank"]) == (1, 2)
    assert answer["total"] == {"reports": 5, "cases": 4, "cases_yoy_base": 3, "cases_yoy_pct": 33.3,
                               "loss": 7000.74, "loss_yoy_base": 4500.0, "loss_yoy_pct": 55.6}  # fmt: skip


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("age_band", [("未满18岁", 0, 0.0), ("18—40岁", 1, 25.0), ("41—65岁", 1, 25.0), ("66岁及以上", 1, 25.0),
                      ("年龄不详", 1, 25.0)]),
        ("gender", [("男", 1, 25.0), ("女", 2, 50.0), ("性别不详", 1, 25.0)]),
        ("residency", [("常住", 2, 50.0), ("流动", 1, 25.0), ("户籍类型不详", 1, 25.0)]),
    ],
)  # fmt: skip
def test_victim_profile_of_filed_cases(may_2024, by, expected):
    answer = by_profile(may_2024.county_x, MAY_2024, by)
    assert [(r["label"], r["count"], r["share"]) for r in answer["rows"]] == expected
    assert answer["total"] == {"count": 4, "yoy_base": 3, "yoy_pct": 33.3}
    unknown = answer["rows"][-1]
    assert (unknown["yoy_base"], unknown["yoy_pct"]) == (3, -66.7)  # last May nothing was known


# ---------------------------------------------------------------------------- areas


def test_areas_with_rates_per_10k(may_2024):
    rows = by_area(may_2024.county_x, MAY_2024)["rows"]
    got = [(r["label"], r["reports"], r["cases"], r["loss"], r["population"], r["cases_per_10k"], r["loss_per_10k"])
           for r in rows]  # fmt: skip
    assert got == [
        ("幸福社区", 2, 2, 3000.5, 20000, 1.0, 1500.25),
        ("滨江街道", 0, 0, 0.0, None, None, None),  # no population: no rate
        ("发案地不详", 3, 2, 4000.24, None, None, None),
    ]
    assert rows[0]["area"] == {"code": "XA1001", "name": "幸福社区", "kind": "community", "kind_display": "社区",
                               "parent": "滨江街道", "station": {"code": "XA", "name": "滨江派出所"}}  # fmt: skip
    assert rows[-1]["area"] is None


def test_areas_stay_within_the_subtree(may_2024):
    codes = [r["area"]["code"] for r in by_area(may_2024.county_y, MAY_2024)["rows"] if r["area"]]
    assert codes == ["YD1001"]


# ---------------------------------------------------------------------------- series


def test_day_series_aligns_with_last_year(may_2024):
    answer = by_time(may_2024.county_x, MAY_2024, "day", metric="cases")
    rows = answer["rows"]
    assert len(rows) == 31 and answer["metric_label"] == "发案数"
    assert rows[2] == {"label": "5月3日", "start": "2024-05-03", "end": "2024-05-03", "value": 1,
                       "yoy_start": "2023-05-03", "yoy_end": "2023-05-03", "yoy_value": 2}  # fmt: skip
    assert [r["value"] for r in rows if r["value"]] == [1, 1, 1, 1]  # 3rd, 10th, 20th, 31st
    assert sum(r["yoy_value"] for r in rows) == 3


def test_day_series_of_money_and_of_the_overdue_count(may_2024):
    loss = by_time(may_2024.county_x, MAY_2024, "day", metric="loss")["rows"]
    assert loss[9]["value"] == 2000.5 and sum(r["value"] for r in loss) == pytest.approx(7000.74)
    overdue = by_time(may_2024.station_a, MAY_2024, "day", metric="warnings_overdue")["rows"]
    assert [r["value"] for r in overdue[2:5]] == [0, 1, 1]  # issued on the 4th, deadline within hours
    assert overdue[-1]["value"] == metrics(may_2024.station_a, MAY_2024)["metrics"]["warnings_overdue"]["value"]


def test_week_series_by_iso_week_number(may_2024):
    rows = by_time(may_2024.county_x, MAY_2024, "week")["rows"]
    got = [(r["label"], r["start"], r["end"], r["value"], r["yoy_start"], r["yoy_end"], r["yoy_value"])
           for r in rows]  # fmt: skip
    assert got == [
        ("第18周", "2024-05-01", "2024-05-05", 1, "2023-05-01", "2023-05-07", 2),
        ("第19周", "2024-05-06", "2024-05-12", 1, "2023-05-08", "2023-05-14", 0),
        ("第20周", "2024-05-13", "2024-05-19", 0, "2023-05-15", "2023-05-21", 0),
        ("第21周", "2024-05-20", "2024-05-26", 1, "2023-05-22", "2023-05-28", 0),
        ("第22周", "2024-05-27", "2024-05-31", 1, "2023-05-29", "2023-05-31", 1),
    ]


def test_29_february_has_no_partner(tree):
    CaseFactory(station=tree.station_a, reported_on=dt.date(2024, 2, 29))
    refresh()
    rows = by_time(tree.city, period_for("month", dt.date(2025, 2, 1)), "day")["rows"]
    assert len(rows) == 29
    assert rows[-1] == {"label": "2月29日", "start": None, "end": None, "value": None,
                        "yoy_start": "2024-02-29", "yoy_end": "2024-02-29", "yoy_value": 1}  # fmt: skip


def test_a_53rd_week_and_weeks_of_two_iso_years(tree):
    rows = by_time(tree.city, period_for("year", dt.date(2026, 6, 1)), "week")["rows"]
    # 2026 has weeks 1–53; 29–31 December 2025 belong to ISO week 1 of 2026.
    assert rows[52]["label"] == "2026年第53周" and rows[52]["yoy_value"] is None
    assert rows[-1]["start"] is None and rows[-1]["yoy_start"] == "2025-12-29"
    assert len(rows) == 54


def test_days_after_today_have_no_value(tree):
    today = timezone.localdate()
    rows = by_time(tree.city, period_for("month", today), "day")["rows"]
    future = [r for r in rows if r["start"] and r["start"] > today.isoformat()]
    assert all(r["value"] is None for r in future)
    assert all(r["value"] == 0 for r in rows if r["start"] and r["start"] <= today.isoformat())


def test_breakdown_dispatches_and_checks_its_parameters(may_2024):
    assert breakdown(may_2024.county_x, MAY_2024, "gender")["by_label"] == "受害人性别"
    with pytest.raises(StatsRequestError):
        breakdown(may_2024.county_x, MAY_2024, "children", rank_by="nope")
