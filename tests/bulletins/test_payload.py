"""The payload holds the statistics engine's figures as JSON, with the written summary."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from bulletins.payload import build_payload
from cases.models import EventKind, FraudType
from stats.metrics import metrics
from stats.models import Target
from stats.periods import period_for
from stats.refresh import refresh
from tests.factories import CaseEventFactory, CaseFactory, PublicityFactory, WarningTaskFactory

OCTOBER = period_for("month", dt.date(2026, 10, 1))
NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 9, 0))


@pytest.fixture
def october(tree):
    """X rises (A: 1 → 3 cases, one of them large), Y falls (D: 2 → 1), a recovery, an
    arrest and a publicity activity, and a 10 % drop required of X."""
    investment = FraudType.objects.exclude(code="01").first()
    for day in (3, 4):
        CaseFactory(station=tree.station_a, reported_on=dt.date(2026, 10, day), loss=Decimal("20000.00"))
    big = CaseFactory(
        station=tree.station_a, reported_on=dt.date(2026, 10, 5), loss=Decimal("1500000.00"), fraud_type=investment
    )
    CaseFactory(station=tree.station_a, reported_on=dt.date(2025, 10, 6), loss=Decimal("30000.00"))
    CaseFactory(station=tree.station_d, reported_on=dt.date(2026, 10, 7), loss=Decimal("8000.00"))
    for day in (8, 9):
        CaseFactory(station=tree.station_d, reported_on=dt.date(2025, 10, day), loss=Decimal("50000.00"))
    CaseFactory(station=tree.station_a, reported_on=dt.date(2026, 10, 10), loss=Decimal("2000000.00"), filed=False)
    CaseEventFactory(case=big, kind=EventKind.RECOVER, occurred_on=dt.date(2026, 10, 20), amount=Decimal("300000"))
    CaseEventFactory(case=big, kind=EventKind.ARREST, occurred_on=dt.date(2026, 10, 21), count=2, amount=None)
    PublicityFactory(unit=tree.station_b, held_on=dt.date(2026, 10, 12), reach=300)
    Target.objects.create(unit=tree.county_x, month=dt.date(2026, 10, 1), metric="cases", drop_pct=Decimal("10"))
    refresh()
    return tree


def test_the_payload_of_the_city_holds_the_engines_figures_and_is_json(october):
    payload = build_payload(october.city, "month", OCTOBER, now=NOW)

    assert payload["overall"] == metrics(october.city, OCTOBER, now=NOW)["metrics"]
    assert payload["overall"]["cases"]["value"] == 4 and payload["overall"]["cases"]["yoy_base"] == 3
    assert json.loads(json.dumps(payload, ensure_ascii=False)) == payload
    meta = payload["meta"]
    assert meta["title"] == "江临市公安局打击治理电信网络诈骗工作通报"
    assert meta["period"]["label"] == "2026年10月" and meta["scope_word"] == "全市"
    assert "同比期为2025年10月1日—10月31日" in meta["caliber"]
    assert "环比期为2026年9月1日—9月30日" in meta["caliber"]


def test_the_units_table_ranks_children_and_shows_the_card(october):
    payload = build_payload(october.city, "month", OCTOBER, now=NOW)

    x, y = payload["units"]
    assert (x["code"], x["cases"], x["cases_yoy_pct"], x["rank"]) == ("X", 3, 200.0, 1)
    assert (y["code"], y["cases"], y["cases_yoy_pct"], y["rank"]) == ("Y", 1, -50.0, 2)
    assert x["loss"] == 1540000.0 and x["target_met"] is False and x["card"] == "red"
    assert y["has_target"] is False and y["card"] == "none"
    assert [u["code"] for u in payload["hints"]["units_rising"]] == ["X"]


def test_structure_large_cases_and_publicity(october):
    payload = build_payload(october.city, "month", OCTOBER, now=NOW)

    assert sum(row["cases"] for row in payload["structure"]["rows"]) == 4
    assert payload["large_cases"] == [
        {
            "case_no": payload["large_cases"][0]["case_no"],
            "date": "2026-10-05",
            "station": "滨江派出所",
            "fraud_type": FraudType.objects.exclude(code="01").first().name,
            "loss": 1500000.0,
        }
    ]  # the unfiled 2,000,000 report is not a case
    assert payload["publicity"]["by_form"] == [{"form": "community", "label": "进社区", "n": 1, "reach": 300}]
    assert len(payload["trend"]["series"]["cases"]) == 31 and payload["trend"]["by"] == "day"
    assert sum(row["value"] for row in payload["trend"]["series"]["cases"]) == 4


def test_the_summary_states_the_numbers(october):
    payload = build_payload(october.city, "month", OCTOBER, now=NOW)
    overall = payload["summary"][0]

    assert overall["heading"] == "总体情况"
    assert overall["text"].startswith("2026年10月，全市共接报电信网络诈骗警情5起，同比上升66.7%，")
    assert "立案4起，同比上升33.3%" in overall["text"]
    assert "损失154.80万元，同比上升1090.8%，环比上期为0" in overall["text"]
    assert "抓获犯罪嫌疑人2名（去年同期为0）" in overall["text"]
    assert "追赃30.00万元" in overall["text"]
    units = next(p["text"] for p in payload["summary"] if p["heading"] == "各单位情况")
    assert units.startswith("各单位中，发案同比上升的有临江区公安分局（上升200.0%）")
    assert units.endswith("红牌单位：临江区公安分局。")
    warnings = next(p["text"] for p in payload["summary"] if p["heading"] == "预警劝阻")
    assert warnings == "预警劝阻方面，本期全市未下发、未处置预警劝阻任务。"


def test_a_county_says_quan_qu_and_a_station_gets_a_shorter_payload(october):
    county = build_payload(october.county_x, "month", dt.date(2026, 10, 15), now=NOW)
    assert county["meta"]["scope_word"] == "全区"
    assert [u["code"] for u in county["units"]] == ["XA", "XB"]

    station = build_payload(october.station_a, "month", OCTOBER, now=NOW)
    assert station["units"] is None and station["areas"] is not None
    assert station["meta"]["scope_word"] == "本所"
    assert station["summary"][0]["text"].startswith("2026年10月，本所共接报电信网络诈骗警情4起")
    assert "各单位情况" not in [p["heading"] for p in station["summary"]]
    json.dumps(station)


def test_a_running_month_is_cut_at_today(october):
    payload = build_payload(october.city, "month", dt.date(2026, 11, 1), now=NOW)
    assert payload["meta"]["period"]["end"] == "2026-11-23"
    assert payload["meta"]["period"]["label"] == "2026年11月（截至11月23日）"


def test_a_quarter_charts_by_week_against_last_year(october):
    payload = build_payload(october.city, "quarter", dt.date(2026, 10, 1), now=NOW)

    assert payload["meta"]["period"]["label"] == "2026年第四季度（截至11月23日）"
    assert payload["trend"]["by"] == "week"
    assert sum(row["yoy_value"] or 0 for row in payload["trend"]["series"]["cases"]) == 3
    json.dumps(payload)


def test_an_overdue_backlog_is_named_by_unit(tree):
    WarningTaskFactory(station=tree.station_d, issued_at=timezone.make_aware(dt.datetime(2026, 10, 30, 10, 0)))
    refresh()
    payload = build_payload(tree.city, "month", OCTOBER, now=NOW)

    assert payload["overall"]["warnings_received"]["value"] == 1
    assert payload["overall"]["warnings_overdue"]["value"] == 1
    assert payload["warnings"]["overdue_by_unit"][0] == {"code": "Y", "name": "东湖区公安分局", "overdue": 1}
    text = next(p["text"] for p in payload["summary"] if p["heading"] == "预警劝阻")
    assert "截至期末超期未处置1起（其中东湖区公安分局1起）" in text
    json.dumps(payload)
