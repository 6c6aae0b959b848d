"""The stats API: DATA.md's JSON for a small known dataset, scope (404 outside the subtree),
and 400s that name the parameter."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import FraudType
from cases.services import case_event_add
from orgs.models import Area
from stats.catalogue import METRICS
from stats.periods import shift_year
from stats.refresh import refresh
from tests.factories import CaseFactory, PublicityFactory, UserFactory, WarningTaskFactory

URL = "/api/v1/stats/"
BREAKDOWN_URL = "/api/v1/stats/breakdown/"
MAY_2024 = {"unit": "X", "period": "month", "date": "2024-05-15"}


def seed_may_2024(tree) -> None:
    """County X in May 2024 (同比 May 2023, 环比 April 2024), hand-counted:

    station A: filed 1000.00 (03rd, 刷单返利, 25, female, resident, warned, 幸福社区),
               filed 2000.50 (10th, 投资理财, 45, male, transient, 幸福社区),
               filed 3000.25 (31st, 刷单返利, nothing known), a report not filed (15th, 贷款);
    station B: filed 999.99 (20th, 刷单返利, 70, female, resident), a case of April solved
               on 12 May with 3 arrests and 1234.56 recovered on 15 May, an activity (reach 120);
    county X itself: an activity (reach 80); station D (county Y): filed 100.00.
    May 2023: station A three filed (1500.00 each: two 刷单返利 on the 3rd, one 投资理财 on
    the 31st). April 2024: station A six filed (100.00 each), one activity (reach 50).
    A warning task at station A issued 4 May 2024 and never handled: overdue at the end of May.
    """
    a, b, d = tree.station_a, tree.station_b, tree.station_d
    types = {t.code: t for t in FraudType.objects.all()}
    Area.objects.filter(code="XA1001").update(population=20000)
    community = Area.objects.get(code="XA1001")
    may = lambda day: dt.date(2024, 5, day)  # noqa: E731
    CaseFactory(station=a, reported_on=may(3), loss=Decimal("1000.00"), victim_age=25, victim_gender="female",
                residency="resident", warned_before=True, area=community)  # fmt: skip
    CaseFactory(station=a, reported_on=may(10), loss=Decimal("2000.50"), fraud_type=types["02"], victim_age=45,
                victim_gender="male", residency="transient", area=community)  # fmt: skip
    CaseFactory(station=a, reported_on=may(31), loss=Decimal("3000.25"))
    CaseFactory(station=a, reported_on=may(15), loss=Decimal("500.00"), filed=False, fraud_type=types["03"])
    CaseFactory(station=b, reported_on=may(20), loss=Decimal("999.99"), victim_age=70, victim_gender="female",
                residency="resident")  # fmt: skip
    april_case = CaseFactory(station=b, reported_on=dt.date(2024, 4, 28), loss=Decimal("5000.00"))
    case_event_add(case=april_case, user=tree.leader, kind="solved", occurred_on=may(12))
    case_event_add(case=april_case, user=tree.leader, kind="arrest", occurred_on=may(12), count=3)
    case_event_add(case=april_case, user=tree.leader, kind="recover", occurred_on=may(15), amount=Decimal("1234.56"))
    CaseFactory(station=d, reported_on=may(5), loss=Decimal("100.00"))
    PublicityFactory(unit=b, held_on=may(2), reach=120)
    PublicityFactory(unit=tree.county_x, held_on=may(8), reach=80)
    for day, fraud_type in ((3, "01"), (3, "01"), (31, "02")):
        CaseFactory(station=a, reported_on=dt.date(2023, 5, day), loss=Decimal("1500.00"), fraud_type=types[fraud_type])
    for day in range(1, 7):
        CaseFactory(station=a, reported_on=dt.date(2024, 4, day), loss=Decimal("100.00"))
    PublicityFactory(unit=a, held_on=dt.date(2024, 4, 9), reach=50)
    WarningTaskFactory(station=a, level="high", issued_at=timezone.make_aware(dt.datetime(2024, 5, 4, 10)))
    refresh()


@pytest.fixture
def may_2024(tree):
    seed_may_2024(tree)
    return tree


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def entry(label, value, yoy_base, yoy_pct, mom_base, mom_pct) -> dict:
    return {"label": label, "value": value, "yoy_base": yoy_base, "yoy_pct": yoy_pct, "mom_base": mom_base,
            "mom_pct": mom_pct}  # fmt: skip


def test_stats_json_is_data_md_for_a_known_dataset(may_2024):
    response = client_for(may_2024.leader).get(URL, MAY_2024)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"unit", "period", "yoy_period", "mom_period", "metrics", "refreshed_at"}
    assert data["unit"] == {"code": "X", "name": "临江区公安分局", "level": "county"}
    assert data["period"] == {"kind": "month", "start": "2024-05-01", "end": "2024-05-31", "label": "2024年5月"}
    assert data["yoy_period"] == {"start": "2023-05-01", "end": "2023-05-31"}
    assert data["mom_period"] == {"start": "2024-04-01", "end": "2024-04-30"}
    assert dt.datetime.fromisoformat(data["refreshed_at"])
    assert set(data["metrics"]) == set(METRICS)
    got = {key: {k: e[k] for k in ("label", "value", "yoy_base", "yoy_pct", "mom_base", "mom_pct")}
           for key, e in data["metrics"].items()}  # fmt: skip
    # (5 − 3) / 3 = 66.67 %, (5 − 7) / 7 = −28.57 %; loss (7000.74 − 4500) / 4500 = 55.57 %,
    # (7000.74 − 5600) / 5600 = 25.01 %.
    assert got["reports"] == entry("警情数", 5, 3, 66.7, 7, -28.6)
    assert got["cases"] == entry("发案数", 4, 3, 33.3, 7, -42.9)
    assert got["loss"] == entry("损失金额", 7000.74, 4500.0, 55.6, 5600.0, 25.0)
    assert got["solved"] == entry("破案数", 1, 0, None, 0, None)
    assert got["arrests"] == entry("抓获人数", 3, 0, None, 0, None)
    assert got["recovered"] == entry("追赃金额", 1234.56, 0.0, None, 0.0, None)
    assert got["frozen"] == entry("冻结金额", 0.0, 0.0, None, 0.0, None)
    assert got["warned_victims"] == entry("预后被骗数", 1, 0, None, 0, None)
    assert got["warnings_received"] == entry("预警下发数", 1, 0, None, 0, None)
    assert got["warnings_overdue"] == entry("超期未处置数", 1, 0, None, 0, None)
    assert got["publicity_activities"] == entry("宣传活动数", 2, 0, None, 1, 100.0)
    assert got["publicity_reach"] == entry("覆盖人数", 200, 0, None, 50, 300.0)
    # Derived: 1 / 4 solved; 1234.56 / 7000.74 recovered; county X has 50,000 residents.
    assert got["solve_rate"]["value"] == 25.0
    assert got["recovery_rate"]["value"] == 17.63
    assert got["cases_per_10k"] == entry("万人发案率", 0.8, 0.6, 33.3, 1.4, -42.9)
    assert got["loss_per_10k"]["value"] == 1400.15
    assert data["metrics"]["cases"]["unit"] == "起" and data["metrics"]["cases"]["yoy_notable"] is False
    assert '"value":7000.74' in response.content.decode()  # money: a number with two decimals


def test_custom_period_by_start_and_end(may_2024):
    response = client_for(may_2024.reviewer_x).get(URL, {"start": "2024-05-01", "end": "2024-05-10"})
    data = response.json()
    assert data["unit"]["code"] == "X"  # the caller's own unit by default
    assert data["period"] == {"kind": "custom", "start": "2024-05-01", "end": "2024-05-10",
                              "label": "2024年5月1日—5月10日"}  # fmt: skip
    assert data["mom_period"] == {"start": "2024-04-21", "end": "2024-04-30"}
    assert data["metrics"]["cases"]["value"] == 2


def test_a_running_period_is_cut_at_today(tree):
    today = timezone.localdate()
    data = client_for(tree.leader).get(URL, {"period": "year", "date": today.isoformat()}).json()
    # Figures exist only up to today, so they compare with the same dates a year earlier.
    assert (data["period"]["start"], data["period"]["end"]) == (f"{today.year}-01-01", today.isoformat())
    assert data["yoy_period"] == {"start": f"{today.year - 1}-01-01", "end": shift_year(today).isoformat()}
    if (today.month, today.day) != (12, 31):
        assert data["period"]["label"] == f"{today.year}年（截至{today.month}月{today.day}日）"


def test_unit_defaults_to_the_callers_own(may_2024):
    data = client_for(may_2024.officer_a).get(URL, {"period": "month", "date": "2024-05-15"}).json()
    assert data["unit"]["code"] == "XA"
    assert data["metrics"]["cases"]["value"] == 3


def test_units_outside_the_callers_subtree_are_not_found(tree):
    client = client_for(tree.officer_a)
    for url in (URL, BREAKDOWN_URL):
        for code in ("XB", "Y", "YD", "C", "NOPE"):
            response = client.get(url, {"unit": code, "period": "year", "date": "2024-01-01", "by": "children"})
            assert (response.status_code, response.json()) == (404, {"detail": "未找到。"}), (url, code)


def test_leader_sees_every_unit(tree):
    client = client_for(tree.leader)
    for code in ("C", "X", "Y", "XB", "YD"):
        assert client.get(URL, {"unit": code, "period": "year", "date": "2024-01-01"}).status_code == 200


def test_a_superuser_without_a_unit_starts_at_the_top(tree):
    admin = UserFactory(username="admin", unit=None, role="", is_superuser=True)
    data = client_for(admin).get(URL, {"period": "year", "date": "2024-01-01"}).json()
    assert data["unit"]["code"] == "C"


def test_reviewer_cannot_read_the_sibling_county(tree):
    assert client_for(tree.reviewer_y).get(URL, {"unit": "X"}).status_code == 404
    assert client_for(tree.reviewer_y).get(URL, {"unit": "YD"}).status_code == 200


def test_anonymous_callers_are_refused(db):
    assert APIClient().get(URL).status_code in (401, 403)
    assert APIClient().get(BREAKDOWN_URL, {"by": "children"}).status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"period": "fortnight", "date": "2024-05-01"}, "period", "fortnight"),
        ({"period": "month", "date": "2024-02-30"}, "date", "参数 date"),
        ({"period": "month", "date": "24-5-1"}, "date", "YYYY-MM-DD"),
        ({"start": "2024-05-01"}, "end", "缺少参数 end"),
        ({"end": "2024-05-01"}, "start", "缺少参数 start"),
        ({"start": "2024-05-10", "end": "2024-05-01"}, "end", "结束日期不能早于开始日期"),
        ({"start": "2024-05-01", "end": "2024-05-10", "period": "week"}, "period", "不能与"),
        ({"period": "year", "date": "0001-01-01"}, "date", "1900-01-01"),
    ],
)
def test_bad_periods_answer_400_naming_the_parameter(tree, params, field, words):
    response = client_for(tree.leader).get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and words in body["detail"]


def test_period_and_date_default_to_this_month(tree):
    data = client_for(tree.leader).get(URL).json()
    today = timezone.localdate()
    assert data["period"]["kind"] == "month" and data["period"]["start"] == today.replace(day=1).isoformat()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "by"),
        ({"by": "station"}, "by"),
        ({"by": "children", "rank_by": "happiness"}, "rank_by"),
        ({"by": "day", "metric": "on_time_rate"}, "metric"),
    ],
)
def test_bad_breakdown_parameters_answer_400(tree, params, field):
    response = client_for(tree.leader).get(BREAKDOWN_URL, {"period": "month", "date": "2024-05-01", **params})
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_breakdown_endpoint_answers_each_kind(may_2024):
    client = client_for(may_2024.leader)
    for by in ("children", "fraud_type", "age_band", "gender", "residency", "area", "day", "week"):
        response = client.get(BREAKDOWN_URL, {**MAY_2024, "by": by})
        assert response.status_code == 200, by
        data = response.json()
        assert data["by"] == by and data["unit"]["code"] == "X" and data["refreshed_at"]
    children = client.get(BREAKDOWN_URL, {**MAY_2024, "by": "children", "rank_by": "loss"}).json()
    assert [(row["unit"]["code"], row["rank"]) for row in children["rows"]] == [("XA", 1), ("XB", 2)]
    week = client.get(BREAKDOWN_URL, {**MAY_2024, "by": "week", "metric": "loss"}).json()
    assert sum(row["value"] for row in week["rows"]) == pytest.approx(7000.74)


def test_api_json_is_valid_utf8_chinese(may_2024):
    response = client_for(may_2024.leader).get(URL, MAY_2024)
    assert "发案数" in response.content.decode("utf-8")
    assert json.loads(response.content)["metrics"]["cases"]["label"] == "发案数"
