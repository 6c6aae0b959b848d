"""The publicity API: scoped like every record; stations record their own activities,
clerks their subtree's; writes go through the services."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from orgs.roles import Role
from publicity.models import PublicityActivity
from tests.factories import PublicityFactory, UserFactory

VISIBLE = {
    "officer_a": {"XA"},
    "reviewer_x": {"X", "XA", "XB"},
    "reviewer_y": {"YD"},
    "leader": {"C", "X", "XA", "XB", "YD"},
}

NEW_ACTIVITY = {
    "held_on": "2026-06-03",
    "unit": "XA",
    "title": "反诈宣传进校园",
    "form": "school",
    "audience": "学生",
    "place": "滨江小学",
    "reach": 300,
    "materials": 500,
    "app_installs": 120,
}


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def activities(tree) -> dict[str, PublicityActivity]:
    """One activity per unit except county Y, keyed by the unit's code."""
    units = (tree.city, tree.county_x, tree.station_a, tree.station_b, tree.station_d)
    return {unit.code: PublicityFactory(unit=unit, title=f"宣传-{unit.code}") for unit in units}


@pytest.fixture
def clerk(tree):
    return UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)


def titles(client, **params) -> set[str]:
    response = client.get("/api/v1/publicity/", params)
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


@pytest.mark.parametrize("username", VISIBLE)
def test_list_holds_exactly_the_callers_subtree(tree, activities, username):
    expected = {f"宣传-{code}" for code in VISIBLE[username]}
    assert titles(api_client_for(getattr(tree, username))) == expected


@pytest.mark.parametrize("username", VISIBLE)
def test_detail_outside_the_subtree_is_404(tree, activities, username):
    client = api_client_for(getattr(tree, username))
    for code, activity in activities.items():
        expected = 200 if code in VISIBLE[username] else 404
        assert client.get(f"/api/v1/publicity/{activity.pk}/").status_code == expected, (username, code)


def test_writes_on_an_activity_outside_the_subtree_are_404(tree, activities):
    client = api_client_for(tree.officer_a)  # officers may record and void publicity
    target = activities["XB"]
    assert client.patch(f"/api/v1/publicity/{target.pk}/", {"reach": 1}, format="json").status_code == 404
    assert client.post(f"/api/v1/publicity/{target.pk}/void/", {"reason": "试探"}, format="json").status_code == 404
    target.refresh_from_db()
    assert target.reach == 120 and not target.is_voided


def test_officer_records_their_own_stations_activity(tree):
    response = api_client_for(tree.officer_a).post("/api/v1/publicity/", NEW_ACTIVITY, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["unit"] == "XA" and body["unit_name"] == "滨江派出所" and body["form_display"] == "进校园"
    activity = PublicityActivity.objects.get(pk=body["id"])
    assert activity.activity_no is None
    assert activity.history.get().history_user == tree.officer_a


def test_officer_cannot_record_for_another_unit(tree):
    client = api_client_for(tree.officer_a)
    for code in ("XB", "X", "YD"):
        response = client.post("/api/v1/publicity/", {**NEW_ACTIVITY, "unit": code}, format="json")
        assert response.status_code == 400 and "unit" in response.json(), code
    assert not PublicityActivity.objects.exists()


def test_reviewer_may_read_but_not_record(tree, activities):
    client = api_client_for(tree.reviewer_x)
    assert client.post("/api/v1/publicity/", {**NEW_ACTIVITY, "unit": "X"}, format="json").status_code == 403
    response = client.post(f"/api/v1/publicity/{activities['XA'].pk}/void/", {"reason": "x"}, format="json")
    assert response.status_code == 403


def test_clerk_creates_updates_and_voids(tree, clerk):
    client = api_client_for(clerk)
    created = client.post("/api/v1/publicity/", {**NEW_ACTIVITY, "unit": "X", "activity_no": "HD-1"}, format="json")
    assert created.status_code == 201, created.content
    url = f"/api/v1/publicity/{created.json()['id']}/"

    updated = client.patch(url, {"reach": 450, "form": "lecture"}, format="json")
    assert updated.status_code == 200, updated.content
    assert (updated.json()["reach"], updated.json()["form_display"]) == (450, "讲座")

    voided = client.post(f"{url}void/", {"reason": "重复登记"}, format="json")
    assert voided.status_code == 200 and voided.json()["is_voided"]
    assert titles(client) == set()
    assert titles(client, voided="true") == {"反诈宣传进校园"}
    assert client.get(url).json()["void_reason"] == "重复登记"


def test_a_duplicate_activity_is_a_chinese_400(tree, clerk):
    client = api_client_for(clerk)
    assert client.post("/api/v1/publicity/", NEW_ACTIVITY, format="json").status_code == 201
    response = client.post("/api/v1/publicity/", NEW_ACTIVITY, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "同一单位同一天已登记过同名活动。", "field": "title"}


def test_a_future_date_is_a_chinese_400(tree, clerk):
    response = api_client_for(clerk).post(
        "/api/v1/publicity/", {**NEW_ACTIVITY, "held_on": "2099-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "活动日期不能晚于今天。", "field": "held_on"}


def test_filters_by_unit_subtree_dates_form_and_text(tree):
    PublicityFactory(unit=tree.station_a, title="讲座A", form="lecture", held_on=datetime.date(2026, 3, 1))
    PublicityFactory(unit=tree.station_b, title="摆摊B", form="stall", audience="老年人")
    PublicityFactory(unit=tree.station_d, title="短信D", form="sms", held_on=datetime.date(2026, 4, 1))
    client = api_client_for(tree.leader)
    assert titles(client, unit="X") == {"讲座A", "摆摊B"}
    assert titles(client, form="sms") == {"短信D"}
    assert titles(client, start="2026-02-01", end="2026-04-15") == {"讲座A", "短信D"}
    assert titles(client, q="老年") == {"摆摊B"}


def test_list_queries_do_not_grow_with_the_number_of_activities(tree):
    client = api_client_for(tree.leader)

    def count_list_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/publicity/").status_code == 200
        return len(ctx.captured_queries)

    PublicityFactory.create_batch(3, unit=tree.station_a)
    few = count_list_queries()
    PublicityFactory.create_batch(27, unit=tree.station_b)
    assert count_list_queries() == few
