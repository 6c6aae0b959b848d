"""The targets API: everyone reads the targets of their subtree, analysts set those of
their subtree only, messages are Chinese, and the board shows a unit and its children."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from orgs.models import User
from orgs.roles import Role
from stats.models import CaseFact, Target
from stats.totals import recompute_all
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# A month long past, whatever day the suite runs: its figures are final.
MAY = dt.date(2024, 5, 1)


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def fact(unit, day, n):
    """A CaseFact row, and the subtree totals summed afresh (as the refresh does)."""
    CaseFact.objects.create(unit=unit, day=day, fraud_type_id=1, filed=True, n=n, loss=Decimal(1000 * n))
    recompute_all()


@pytest.fixture
def targets(tree) -> dict[str, Target]:
    """A cases target for May 2024 on C, X, XA and YD, keyed by unit code."""
    return {
        unit.code: Target.objects.create(unit=unit, month=MAY, metric="cases", drop_pct=Decimal("10"))
        for unit in (tree.city, tree.county_x, tree.station_a, tree.station_d)
    }


@pytest.fixture
def analyst_x(tree):
    return UserFactory(username="analyst_x", unit=tree.county_x, role=Role.ANALYST)


def codes(client, **params) -> list[str]:
    response = client.get("/api/v1/targets/", params)
    assert response.status_code == 200, response.content
    return sorted(row["unit"] for row in response.json()["results"])


@pytest.mark.parametrize(
    ("username", "visible"),
    [("leader", ["C", "X", "XA", "YD"]), ("reviewer_x", ["X", "XA"]), ("reviewer_y", ["YD"]), ("officer_a", ["XA"])],
)
def test_list_holds_exactly_the_callers_subtree(tree, targets, username, visible):
    assert codes(api_client_for(User.objects.get(username=username))) == visible


def test_a_target_outside_the_subtree_is_not_found(tree, targets):
    client = api_client_for(tree.reviewer_y)
    response = client.get(f"/api/v1/targets/{targets['X'].pk}/")
    assert response.status_code == 404 and response.json() == {"detail": "未找到。"}


def test_filters_by_unit_subtree_month_and_metric(tree, targets):
    Target.objects.create(unit=tree.station_a, month=dt.date(2024, 6, 1), metric="loss", drop_pct=5)
    client = api_client_for(tree.leader)
    assert codes(client, unit="X") == ["X", "XA", "XA"]
    assert codes(client, unit="X", month="2024-05") == ["X", "XA"]
    assert codes(client, metric="loss") == ["XA"]
    response = client.get("/api/v1/targets/", {"month": "2024年5月"})
    assert response.status_code == 400
    assert response.json() == {"month": ["月份格式应为 YYYY-MM，例如 2026-05。"]}


def test_officers_read_but_cannot_set_targets(tree, targets):
    client = api_client_for(tree.officer_a)
    row = client.get(f"/api/v1/targets/{targets['XA'].pk}/").json()
    assert (row["unit"], row["month"], row["metric"], row["drop_pct"]) == ("XA", "2024-05", "cases", "10.0")
    body = {"unit": "XA", "month": "2024-06", "metric": "cases", "drop_pct": "10"}
    assert client.post("/api/v1/targets/", body).status_code == 403
    assert client.patch(f"/api/v1/targets/{targets['XA'].pk}/", {"drop_pct": "1"}).status_code == 403
    assert client.delete(f"/api/v1/targets/{targets['XA'].pk}/").status_code == 403


def test_an_analyst_sets_a_target_in_their_subtree(tree, analyst_x):
    client = api_client_for(analyst_x)
    body = {"unit": "XB", "month": "2024-06", "metric": "loss", "drop_pct": "15.5", "note": "市局下达"}
    response = client.post("/api/v1/targets/", body)
    assert response.status_code == 201, response.content
    row = response.json()
    assert (row["unit"], row["unit_name"], row["month"], row["set_by"]) == (
        "XB",
        "解放路派出所",
        "2024-06",
        "analyst_x",
    )
    target = Target.objects.get(pk=row["id"])
    assert (target.month, target.drop_pct, target.set_by) == (dt.date(2024, 6, 1), Decimal("15.5"), analyst_x)


def test_an_analyst_cannot_set_a_target_for_another_county(tree, targets, analyst_x):
    client = api_client_for(analyst_x)
    response = client.post("/api/v1/targets/", {"unit": "YD", "month": "2024-06", "metric": "cases", "drop_pct": "10"})
    assert response.status_code == 400
    assert response.json() == {"unit": ["编码为“YD”的单位不存在或不在本单位辖区内。"]}
    assert client.patch(f"/api/v1/targets/{targets['YD'].pk}/", {"drop_pct": "1"}).status_code == 404
    assert client.delete(f"/api/v1/targets/{targets['YD'].pk}/").status_code == 404
    # Nor move one of their own into it.
    response = client.patch(f"/api/v1/targets/{targets['XA'].pk}/", {"unit": "YD"})
    assert response.status_code == 400
    assert Target.objects.get(pk=targets["XA"].pk).unit == tree.station_a


def test_an_analyst_changes_and_withdraws_a_target(tree, targets, analyst_x):
    client = api_client_for(analyst_x)
    response = client.patch(f"/api/v1/targets/{targets['XA'].pk}/", {"drop_pct": "12.5"})
    assert response.status_code == 200 and response.json()["drop_pct"] == "12.5"
    assert Target.objects.get(pk=targets["XA"].pk).set_by == analyst_x
    assert client.delete(f"/api/v1/targets/{targets['XA'].pk}/").status_code == 204
    assert not Target.objects.filter(pk=targets["XA"].pk).exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"month": "2024/06"}, {"month": ["月份格式应为 YYYY-MM，例如 2026-05。"]}),
        ({"month": "2024-13"}, {"month": ["月份格式应为 YYYY-MM，例如 2026-05。"]}),
        ({"drop_pct": "150"}, {"drop_pct": ["请确保该值小于或者等于 100。"]}),
        ({"drop_pct": "10.25"}, {"drop_pct": ["请确保总计不超过 1 个小数位。"]}),
        ({"unit": "NOPE"}, {"unit": ["编码为“NOPE”的单位不存在或不在本单位辖区内。"]}),
    ],
)
def test_invalid_targets_are_refused_in_chinese(tree, analyst_x, body, errors):
    valid = {"unit": "XA", "month": "2024-06", "metric": "cases", "drop_pct": "10"}
    response = api_client_for(analyst_x).post("/api/v1/targets/", {**valid, **body})
    assert response.status_code == 400 and response.json() == errors


def test_a_second_target_for_the_same_month_is_refused(tree, targets, analyst_x):
    body = {"unit": "XA", "month": "2024-05", "metric": "cases", "drop_pct": "5"}
    response = api_client_for(analyst_x).post("/api/v1/targets/", body)
    assert response.status_code == 400
    assert response.json() == {"detail": "滨江派出所2024年5月的发案数目标已设定，请修改原目标。", "field": "metric"}


def test_the_status_comes_with_a_detail_and_on_request_with_a_list(tree, targets):
    fact(tree.station_a, dt.date(2023, 5, 3), 20)
    fact(tree.station_a, dt.date(2024, 5, 3), 19)
    client = api_client_for(tree.reviewer_x)
    status = client.get(f"/api/v1/targets/{targets['XA'].pk}/").json()["status"]
    assert {k: status[k] for k in ("value", "yoy_base", "yoy_pct", "met", "gap_pts", "card", "card_label")} == {
        "value": 19, "yoy_base": 20, "yoy_pct": -5.0, "met": False, "gap_pts": 5.0, "card": "yellow",
        "card_label": "黄牌",
    }  # fmt: skip
    assert status["month_state"] == "finished" and status["period"]["label"] == "2024年5月"
    rows = client.get("/api/v1/targets/").json()["results"]
    assert all(row["status"] is None for row in rows)
    rows = client.get("/api/v1/targets/", {"status": "1"}).json()["results"]
    assert {row["unit"]: row["status"]["card"] for row in rows} == {"X": "yellow", "XA": "yellow"}


def test_the_board_shows_a_unit_and_its_children(tree, targets):
    fact(tree.station_a, dt.date(2023, 5, 3), 20)
    fact(tree.station_a, dt.date(2024, 5, 3), 30)
    fact(tree.station_d, dt.date(2023, 5, 3), 10)
    fact(tree.station_d, dt.date(2024, 5, 3), 8)
    response = api_client_for(tree.leader).get("/api/v1/targets/status/", {"unit": "C", "month": "2024-05"})
    assert response.status_code == 200, response.content
    board = response.json()
    assert (board["unit"]["code"], board["month"], board["card_rule"]) == (
        "C", "2024-05", {"yellow_margin": 10.0, "red_rise_pct": 30.0},
    )  # fmt: skip
    # The city: 38 against 30 → +26.7%, 36.7 points short of −10%: red.
    assert (board["own"]["cases"]["yoy_pct"], board["own"]["cases"]["card"], board["own"]["loss"]) == (
        26.7,
        "red",
        None,
    )
    assert [(row["unit"]["code"], row["cases"] and row["cases"]["card"]) for row in board["children"]] == [
        ("X", "red"),  # 30 against 20: +50%
        ("Y", None),  # no target for county Y itself
    ]


def test_the_board_is_scoped_and_validated(tree, targets):
    client = api_client_for(tree.reviewer_x)
    assert client.get("/api/v1/targets/status/", {"unit": "Y"}).status_code == 404
    response = client.get("/api/v1/targets/status/", {"month": "2024-5-1"})
    assert response.status_code == 400 and response.json() == {"month": ["月份格式应为 YYYY-MM，例如 2026-05。"]}
    board = client.get("/api/v1/targets/status/", {"month": "2024-05"}).json()  # defaults to the caller's unit
    assert board["unit"]["code"] == "X" and [row["unit"]["code"] for row in board["children"]] == ["XA", "XB"]
    root = api_client_for(User.objects.create_superuser("root", password="x"))
    response = root.get("/api/v1/targets/status/")
    assert response.status_code == 400 and response.json() == {"unit": ["请指定单位编码。"]}


def test_roles_carry_the_target_permissions(tree, analyst_x):
    assert analyst_x.has_perms(["stats.add_target", "stats.change_target", "stats.delete_target",
                                "stats.view_cardrule"])  # fmt: skip
    assert tree.leader.has_perm("stats.view_target") and not tree.leader.has_perm("stats.add_target")
    assert not tree.officer_a.has_perm("stats.change_cardrule")
