"""The cases API: each person reads exactly their subtree's cases and ledgers, writes
only with their role's permission and only into their own stations, and every write
goes through the services (history, domain errors in Chinese)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.models import CaseEvent, EventKind, FraudCase, FraudType
from cases.services import case_totals
from orgs.roles import Role
from tests.factories import CaseEventFactory, CaseFactory, UserFactory

VISIBLE = {
    "officer_a": {"XA"},
    "reviewer_x": {"XA", "XB"},
    "reviewer_y": {"YD"},
    "leader": {"XA", "XB", "YD"},
}


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def cases(tree) -> dict[str, FraudCase]:
    """One case per station, keyed by the station's code."""
    return {
        station.code: CaseFactory(case_no=f"J-{station.code}", station=station)
        for station in (tree.station_a, tree.station_b, tree.station_d)
    }


@pytest.fixture
def clerk(tree):
    return UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)


@pytest.fixture
def clerk_y(tree):
    return UserFactory(username="clerk_y", unit=tree.county_y, role=Role.CLERK)


def case_nos(client, **params) -> set[str]:
    response = client.get("/api/v1/cases/", params)
    assert response.status_code == 200, response.content
    return {row["case_no"] for row in response.json()["results"]}


NEW_CASE = {
    "case_no": "J-NEW-1",
    "reported_on": "2026-06-01",
    "occurred_on": "2026-05-30",
    "station": "XA",
    "area": "XA1001",
    "place": "幸福小区",
    "fraud_type": "02",
    "loss": "12345.6",
    "victim_age": 67,
    "victim_gender": "female",
    "residency": "resident",
    "warned_before": True,
}


# Scope


@pytest.mark.parametrize("username", VISIBLE)
def test_list_holds_exactly_the_callers_subtree(tree, cases, username):
    expected = {f"J-{code}" for code in VISIBLE[username]}
    assert case_nos(api_client_for(getattr(tree, username))) == expected


@pytest.mark.parametrize("username", VISIBLE)
def test_detail_and_events_outside_the_subtree_are_404(tree, cases, username):
    client = api_client_for(getattr(tree, username))
    for code, case in cases.items():
        expected = 200 if code in VISIBLE[username] else 404
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == expected, (username, code)
        assert client.get(f"/api/v1/cases/{case.pk}/events/").status_code == expected, (username, code)


def test_not_found_says_so_in_chinese_without_naming_the_model(tree, cases):
    response = api_client_for(tree.reviewer_y).get(f"/api/v1/cases/{cases['XA'].pk}/")
    assert response.json() == {"detail": "未找到。"}


def test_writes_on_another_countys_case_are_404_even_with_permission(tree, cases, clerk_y):
    case = cases["XA"]
    event = CaseEventFactory(case=case)
    client = api_client_for(clerk_y)
    responses = [
        client.patch(f"/api/v1/cases/{case.pk}/", {"place": "别处"}, format="json"),
        client.post(f"/api/v1/cases/{case.pk}/void/", {"reason": "试探"}, format="json"),
        client.post(f"/api/v1/cases/{case.pk}/events/", {"kind": "solved", "occurred_on": "2026-05-09"}),
        client.post(f"/api/v1/cases/{case.pk}/events/{event.pk}/void/", {"reason": "试探"}, format="json"),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    case.refresh_from_db()
    assert case.place == "" and not case.is_voided and case.solved_on is None


def test_an_event_of_another_case_is_404_under_this_one(tree, cases, clerk):
    foreign = CaseEventFactory(case=cases["YD"])
    response = api_client_for(clerk).post(
        f"/api/v1/cases/{cases['XA'].pk}/events/{foreign.pk}/void/", {"reason": "试探"}, format="json"
    )
    assert response.status_code == 404


def test_api_requires_authentication(tree, cases):
    assert APIClient().get("/api/v1/cases/").status_code in (401, 403)


# Permissions


def test_officer_reads_but_may_not_create_change_or_void(tree, cases):
    client = api_client_for(tree.officer_a)
    case = cases["XA"]
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert client.post("/api/v1/cases/", NEW_CASE, format="json").status_code == 403
    assert client.patch(f"/api/v1/cases/{case.pk}/", {"place": "x"}, format="json").status_code == 403
    assert client.post(f"/api/v1/cases/{case.pk}/void/", {"reason": "x"}, format="json").status_code == 403
    assert (
        client.post(f"/api/v1/cases/{case.pk}/events/", {"kind": "solved", "occurred_on": "2026-05-09"}).status_code
        == 403
    )


def test_cases_cannot_be_deleted(tree, cases, clerk):
    response = api_client_for(clerk).delete(f"/api/v1/cases/{cases['XA'].pk}/")
    assert response.status_code in (403, 405)  # no delete permission, and no delete route
    assert FraudCase.objects.filter(pk=cases["XA"].pk).exists()


def test_clerk_cannot_create_a_case_in_another_countys_station(tree, clerk):
    response = api_client_for(clerk).post("/api/v1/cases/", {**NEW_CASE, "station": "YD", "area": None}, format="json")
    assert response.status_code == 400
    assert "station" in response.json()
    assert "不在本单位辖区内" in response.json()["station"][0]
    assert not FraudCase.objects.filter(case_no="J-NEW-1").exists()


def test_clerk_cannot_move_a_case_to_another_countys_station(tree, cases, clerk):
    response = api_client_for(clerk).patch(f"/api/v1/cases/{cases['XA'].pk}/", {"station": "YD"}, format="json")
    assert response.status_code == 400 and "station" in response.json()


def test_an_area_outside_the_scope_is_refused(tree, clerk):
    response = api_client_for(clerk).post("/api/v1/cases/", {**NEW_CASE, "area": "YD1001"}, format="json")
    assert response.status_code == 400 and "area" in response.json()


# Round trips through the services


def test_clerk_creates_reads_and_updates_a_case(tree, clerk):
    client = api_client_for(clerk)
    response = client.post("/api/v1/cases/", NEW_CASE, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["station"] == "XA" and body["station_name"] == "滨江派出所"
    assert body["fraud_type"] == "02" and body["fraud_type_name"] == "虚假网络投资理财"
    assert body["area"] == "XA1001" and body["loss"] == "12345.60"
    assert body["totals"] == {"arrested": 0, "frozen": "0.00", "recovered": "0.00", "returned": "0.00"}

    response = client.patch(f"/api/v1/cases/{body['id']}/", {"loss": "20000", "filed": False}, format="json")
    assert response.status_code == 200, response.content
    assert client.get(f"/api/v1/cases/{body['id']}/").json()["loss"] == "20000.00"
    case = FraudCase.objects.get(pk=body["id"])
    assert not case.filed
    assert [h.history_user for h in case.history.all()] == [clerk, clerk]


def test_full_update_with_put(tree, cases, clerk):
    client = api_client_for(clerk)
    case = cases["XB"]
    payload = {**NEW_CASE, "case_no": case.case_no, "station": "XA"}
    response = client.put(f"/api/v1/cases/{case.pk}/", payload, format="json")
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert (case.station.code, case.area.code) == ("XA", "XA1001")


def test_a_domain_error_answers_400_with_chinese_detail_and_field(tree, clerk):
    response = api_client_for(clerk).post("/api/v1/cases/", {**NEW_CASE, "occurred_on": "2026-06-02"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "发案日期不能晚于受理日期。", "field": "occurred_on"}


def test_an_area_of_another_station_in_scope_is_a_domain_error(tree, clerk):
    response = api_client_for(clerk).post("/api/v1/cases/", {**NEW_CASE, "station": "XB"}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "area" and "不属于解放路派出所" in response.json()["detail"]


def test_void_hides_the_case_from_the_list(tree, cases, clerk):
    client = api_client_for(clerk)
    case = cases["XA"]
    response = client.post(f"/api/v1/cases/{case.pk}/void/", {"reason": "重复录入"}, format="json")
    assert response.status_code == 200
    assert response.json()["is_voided"] and response.json()["void_reason"] == "重复录入"
    assert case_nos(client) == {"J-XB"}
    assert case_nos(client, voided="true") == {"J-XA"}
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["is_voided"]


def test_voiding_twice_or_changing_a_voided_case_is_refused(tree, cases, clerk):
    client = api_client_for(clerk)
    case = cases["XA"]
    client.post(f"/api/v1/cases/{case.pk}/void/", {"reason": "重复录入"}, format="json")
    again = client.post(f"/api/v1/cases/{case.pk}/void/", {"reason": "重复录入"}, format="json")
    assert again.status_code == 400 and again.json()["detail"] == "该案件已经作废。"
    change = client.patch(f"/api/v1/cases/{case.pk}/", {"place": "x"}, format="json")
    assert change.status_code == 400 and change.json()["detail"] == "该案件已作废，不能修改。"


def test_void_needs_a_reason(tree, cases, clerk):
    response = api_client_for(clerk).post(f"/api/v1/cases/{cases['XA'].pk}/void/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


# The ledger


def test_clerk_adds_lists_and_voids_events(tree, cases, clerk):
    client = api_client_for(clerk)
    url = f"/api/v1/cases/{cases['XA'].pk}/events/"
    solved = client.post(url, {"kind": "solved", "occurred_on": "2026-05-09"}, format="json")
    arrest = client.post(url, {"kind": "arrest", "occurred_on": "2026-05-09", "count": 2}, format="json")
    assert (solved.status_code, arrest.status_code) == (201, 201), arrest.content
    assert arrest.json()["kind_display"] == "抓获" and arrest.json()["count"] == 2

    listed = client.get(url).json()
    assert [(e["kind"], e["is_voided"]) for e in listed] == [("solved", False), ("arrest", False)]
    assert client.get(f"/api/v1/cases/{cases['XA'].pk}/").json()["solved_on"] == "2026-05-09"

    voided = client.post(f"{url}{solved.json()['id']}/void/", {"reason": "录错"}, format="json")
    assert voided.status_code == 200 and voided.json()["is_voided"]
    assert client.get(f"/api/v1/cases/{cases['XA'].pk}/").json()["solved_on"] is None


def test_a_second_solved_event_is_a_chinese_400(tree, cases, clerk):
    client = api_client_for(clerk)
    url = f"/api/v1/cases/{cases['XA'].pk}/events/"
    client.post(url, {"kind": "solved", "occurred_on": "2026-05-09"}, format="json")
    response = client.post(url, {"kind": "solved", "occurred_on": "2026-05-10"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "该案件已于 2026-05-09 破案。", "field": "kind"}
    assert CaseEvent.objects.filter(kind=EventKind.SOLVED).count() == 1


def test_a_money_event_without_amount_is_refused(tree, cases, clerk):
    response = api_client_for(clerk).post(
        f"/api/v1/cases/{cases['XA'].pk}/events/", {"kind": "freeze", "occurred_on": "2026-05-09"}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "amount"


def test_officer_may_not_void_an_event(tree, cases):
    event = CaseEventFactory(case=cases["XA"])
    response = api_client_for(tree.officer_a).post(
        f"/api/v1/cases/{cases['XA'].pk}/events/{event.pk}/void/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 403


def test_totals_equal_the_live_ledger(tree, cases):
    case = cases["XA"]
    CaseEventFactory(case=case, kind=EventKind.ARREST, count=3, amount=None)
    CaseEventFactory(case=case, kind=EventKind.FREEZE, amount=Decimal("800.50"))
    CaseEventFactory(case=case, kind=EventKind.RECOVER, amount=Decimal("1000"))
    CaseEventFactory(case=case, kind=EventKind.RECOVER, amount=Decimal("-200"), note="更正")
    CaseEventFactory(
        case=case, kind=EventKind.RETURN, amount=Decimal("99"), voided_at=datetime.datetime.now(datetime.UTC)
    )
    CaseEventFactory(case=cases["XB"], kind=EventKind.RETURN, amount=Decimal("5"))
    ledger = case_totals(case)
    expected = {
        "arrested": ledger[EventKind.ARREST],
        "frozen": f"{ledger[EventKind.FREEZE]:.2f}",
        "recovered": f"{ledger[EventKind.RECOVER]:.2f}",
        "returned": "0.00",
    }
    assert expected == {"arrested": 3, "frozen": "800.50", "recovered": "800.00", "returned": "0.00"}
    client = api_client_for(tree.leader)
    rows = {row["case_no"]: row["totals"] for row in client.get("/api/v1/cases/").json()["results"]}
    assert rows["J-XA"] == expected
    assert rows["J-XB"]["returned"] == "5.00"
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["totals"] == expected


def test_list_queries_do_not_grow_with_the_number_of_cases(tree):
    client = api_client_for(tree.leader)

    def add_cases(n):
        for _ in range(n):
            CaseEventFactory(case=CaseFactory(station=tree.station_a))

    def count_list_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/cases/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add_cases(3)
    few = count_list_queries()
    add_cases(27)
    assert count_list_queries() == few


# Filters


def test_filters_by_fraud_type_dates_solved_and_unit(tree):
    solved = datetime.date(2026, 5, 20)
    CaseFactory(case_no="A1", station=tree.station_a, reported_on=datetime.date(2026, 3, 1), solved_on=solved)
    CaseFactory(case_no="A2", station=tree.station_a, reported_on=datetime.date(2026, 4, 1), loss=Decimal("100"))
    CaseFactory(case_no="B1", station=tree.station_b, place="金融大厦", fraud_type=FraudType.objects.get(code="10"))
    CaseFactory(case_no="D1", station=tree.station_d, solved_on=solved)
    client = api_client_for(tree.leader)
    assert case_nos(client, fraud_type="10") == {"B1"}
    assert case_nos(client, start="2026-03-15", end="2026-04-30") == {"A2"}
    assert case_nos(client, solved="true") == {"A1", "D1"}
    assert case_nos(client, solved="false") == {"A2", "B1"}
    assert case_nos(client, unit="X") == {"A1", "A2", "B1"}
    assert case_nos(client, unit="XB") == {"B1"}
    assert case_nos(client, loss_max="1000") == {"A2"}
    assert case_nos(client, q="金融") == {"B1"}


def test_unit_filter_cannot_reach_outside_the_subtree(tree, cases):
    assert case_nos(api_client_for(tree.reviewer_y), unit="X") == set()


def test_an_unknown_fraud_type_filter_is_400(tree, cases):
    assert api_client_for(tree.leader).get("/api/v1/cases/", {"fraud_type": "nope"}).status_code == 400


# Fraud types


def test_fraud_types_list_and_detail(tree):
    client = api_client_for(tree.officer_a)
    rows = client.get("/api/v1/fraud-types/").json()["results"]
    assert [row["code"] for row in rows][:3] == ["01", "02", "03"]
    assert len(rows) == 11
    detail = client.get("/api/v1/fraud-types/10/").json()
    assert detail["name"] == "网络婚恋交友" and "杀猪盘" in detail["aliases"] and detail["active"]


def test_fraud_types_are_read_only(tree, clerk):
    response = api_client_for(clerk).post("/api/v1/fraud-types/", {"code": "77", "name": "新型"}, format="json")
    assert response.status_code == 405
