"""The warnings and reviews API: each person reads and works exactly their subtree's tasks,
the platform's push is idempotent, and the person at risk's data never leaves unmasked."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from earlywarnings.models import Action, CheckKind, FourChecksReview, ReviewStatus, TaskStatus, WarningTask
from earlywarnings.services import warning_acknowledge
from orgs.roles import Role
from tests.factories import UserFactory, WarningTaskFactory

ID_NO = "11010519491231002X"  # a valid check digit
VISIBLE = {
    "officer_a": {"XA"},
    "officer_b": {"XB"},
    "reviewer_x": {"XA", "XB"},
    "reviewer_y": {"YD"},
    "leader": {"XA", "XB", "YD"},
}
PUSH = {
    "task_no": "GJ2026112300001",
    "issued_at": "2026-11-20 09:30:00",
    "level": "高",
    "kind": "电话预警",
    "source": "国家",
    "station": "XA",
    "subject_name": "张三丰",
    "subject_phone": "138 0013 8000",
    "subject_id_no": ID_NO,
    "fraud_type": "刷单返利",
}


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def tasks(tree) -> dict[str, WarningTask]:
    """One task per station, keyed by the station's code."""
    return {
        station.code: WarningTaskFactory(task_no=f"YJ-{station.code}", station=station, subject_id_no=ID_NO)
        for station in (tree.station_a, tree.station_b, tree.station_d)
    }


@pytest.fixture
def clerk(tree):
    return UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)


def task_nos(client, **params) -> set[str]:
    response = client.get("/api/v1/warnings/", params)
    assert response.status_code == 200, response.content
    return {row["task_no"] for row in response.json()["results"]}


def url(task, action: str = "") -> str:
    return f"/api/v1/warnings/{task.pk}/" + (f"{action}/" if action else "")


# Scope


@pytest.mark.parametrize("username", VISIBLE)
def test_list_holds_exactly_the_callers_subtree(tree, tasks, username):
    assert task_nos(api_client_for(getattr(tree, username))) == {f"YJ-{code}" for code in VISIBLE[username]}


@pytest.mark.parametrize("username", VISIBLE)
def test_detail_outside_the_subtree_is_404(tree, tasks, username):
    client = api_client_for(getattr(tree, username))
    for code, task in tasks.items():
        expected = 200 if code in VISIBLE[username] else 404
        assert client.get(url(task)).status_code == expected, (username, code)


ACTIONS = {
    "acknowledge": {},
    "attempts": {"method": "phone", "note": "未接"},
    "handle": {"outcome": "dissuaded", "method": "phone", "note": "已劝阻"},
    "transfer": {"to_unit": "XB", "reason": "非本辖区"},
    "review": {"accept": True, "reason": ""},
}


def test_an_officer_reaches_no_other_stations_task_nor_its_actions(tree, tasks):
    client = api_client_for(tree.officer_b)
    target = tasks["XA"]
    assert client.get(url(target, "attempts")).status_code == 404
    for name, body in ACTIONS.items():
        expected = 403 if name == "review" else 404  # officers may not review at all
        assert client.post(url(target, name), body, format="json").status_code == expected, name
    target.refresh_from_db()
    assert target.status == TaskStatus.PENDING and not target.attempts.exists()
    assert list(target.transitions.values_list("action", flat=True)) == [Action.ISSUE]


def test_a_reviewer_reaches_no_other_countys_task_nor_its_actions(tree, tasks):
    client = api_client_for(tree.reviewer_y)
    target = tasks["XA"]
    assert client.get(url(target, "attempts")).status_code == 404
    for name, body in ACTIONS.items():
        assert client.post(url(target, name), body, format="json").status_code == 404, name
    target.refresh_from_db()
    assert target.status == TaskStatus.PENDING


def test_an_officer_may_not_review_even_their_own_stations_task(tree, tasks):
    task = tasks["XA"]
    client = api_client_for(tree.officer_a)
    client.post(url(task, "acknowledge"))
    client.post(url(task, "handle"), ACTIONS["handle"], format="json")
    response = client.post(url(task, "review"), {"accept": True}, format="json")
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.FEEDBACK


def test_reading_needs_a_sign_in(tasks):
    assert APIClient().get("/api/v1/warnings/").status_code in (401, 403)
    assert APIClient().get("/api/v1/reviews/").status_code in (401, 403)


# The work on a task


def test_the_whole_road_through_the_api(tree, tasks):
    task = tasks["XA"]
    officer = api_client_for(tree.officer_a)

    signed = officer.post(url(task, "acknowledge"))
    assert signed.status_code == 200, signed.content
    assert (signed.json()["status"], signed.json()["acknowledged_by"]) == ("handling", "officer_a")

    attempt = officer.post(url(task, "attempts"), {"method": "sms", "note": "发送预警短信"}, format="json")
    assert attempt.status_code == 201, attempt.content
    assert attempt.json()["method_display"] == "短信" and attempt.json()["officer"] == "officer_a"
    attempts = officer.get(url(task, "attempts"))
    assert [a["note"] for a in attempts.json()] == ["发送预警短信"]

    handled = officer.post(url(task, "handle"), {**ACTIONS["handle"], "loss_prevented": "5000"}, format="json")
    assert handled.status_code == 200, handled.content
    assert (handled.json()["status"], handled.json()["outcome_display"]) == ("feedback", "劝阻成功")
    assert handled.json()["loss_prevented"] == "5000.00" and handled.json()["handled_on_time"] is True

    reviewed = api_client_for(tree.reviewer_x).post(url(task, "review"), {"accept": True}, format="json")
    assert reviewed.status_code == 200, reviewed.content
    assert (reviewed.json()["status"], reviewed.json()["reviewed_by"]) == ("closed", "reviewer_x")
    actions = list(task.transitions.values_list("action", flat=True))
    assert actions == [Action.ISSUE, Action.ACKNOWLEDGE, Action.HANDLE, Action.ACCEPT]


def test_a_rule_of_the_workflow_answers_400_with_the_field(tree, tasks):
    client = api_client_for(tree.officer_a)
    response = client.post(url(tasks["XA"], "handle"), ACTIONS["handle"], format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "该任务还没有签收，请先签收。", "field": None}
    client.post(url(tasks["XA"], "acknowledge"))
    response = client.post(url(tasks["XA"], "handle"), {**ACTIONS["handle"], "outcome": "defrauded"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "loss"


def test_a_returned_feedback_needs_a_reason(tree, tasks):
    task = tasks["XA"]
    officer, reviewer = api_client_for(tree.officer_a), api_client_for(tree.reviewer_x)
    officer.post(url(task, "acknowledge"))
    officer.post(url(task, "handle"), ACTIONS["handle"], format="json")
    assert reviewer.post(url(task, "review"), {"accept": False}, format="json").json()["field"] == "reason"
    returned = reviewer.post(url(task, "review"), {"accept": False, "reason": "未写明劝阻经过"}, format="json")
    assert returned.status_code == 200 and returned.json()["status"] == "handling"


def test_transfer_moves_the_task_out_of_the_officers_reach(tree, tasks):
    task = tasks["XA"]
    client = api_client_for(tree.officer_a)
    refused = client.post(url(task, "transfer"), {"to_unit": "YD", "reason": "非本辖区"}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "to_unit"
    unknown = client.post(url(task, "transfer"), {"to_unit": "NOPE", "reason": "非本辖区"}, format="json")
    assert unknown.status_code == 400 and "to_unit" in unknown.json()

    moved = client.post(url(task, "transfer"), ACTIONS["transfer"], format="json")
    assert moved.status_code == 200, moved.content
    assert (moved.json()["station"], moved.json()["status"]) == ("XB", "pending")
    assert client.get(url(task)).status_code == 404
    assert api_client_for(tree.officer_b).get(url(task)).status_code == 200


# Personal data


def test_personal_data_is_masked_in_every_answer(tree, tasks):
    client = api_client_for(tree.officer_a)
    task = tasks["XA"]
    for response in (
        client.get("/api/v1/warnings/"),
        client.get(url(task)),
        client.post(url(task, "acknowledge")),
    ):
        assert response.status_code == 200
        assert "13800138000" not in response.content.decode() and ID_NO not in response.content.decode()
    body = client.get(url(task)).json()
    assert (body["subject_name"], body["subject_phone"], body["subject_id_no"]) == (
        "张*",
        "138****8000",
        "1101**********002X",
    )


# The platform's push


def test_push_creates_once_and_then_answers_with_the_existing_task(tree, clerk):
    client = api_client_for(clerk)
    first = client.post("/api/v1/warnings/", PUSH, format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["station"], body["level"], body["kind"], body["source"], body["fraud_type"]) == (
        "XA",
        "high",
        "phone",
        "national",
        "01",
    )
    assert body["subject_phone"] == "138****8000" and body["subject_name"] == "张**"
    task = WarningTask.objects.get()
    assert (task.subject_phone, task.subject_id_no, task.status) == ("13800138000", ID_NO, TaskStatus.PENDING)
    assert task.handle_deadline - task.issued_at == dt.timedelta(minutes=120)
    assert task.history.get().history_user == clerk

    again = client.post("/api/v1/warnings/", {**PUSH, "level": "低", "station": "XB"}, format="json")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == task.pk and again.json()["level"] == "high"
    assert WarningTask.objects.count() == 1
    assert WarningTask.objects.get().updated_at == task.updated_at


def test_push_with_a_token_and_english_values_and_a_station_name(tree, clerk):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk).key}")
    body = {**PUSH, "level": "medium", "kind": "fund", "source": "bank", "station": "解放路派出所"}
    response = client.post("/api/v1/warnings/", body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["station"], response.json()["level_display"]) == ("XB", "中")


def test_push_is_refused_to_an_officer(tree):
    response = api_client_for(tree.officer_a).post("/api/v1/warnings/", PUSH, format="json")
    assert response.status_code == 403
    assert not WarningTask.objects.exists()


def test_push_to_a_station_outside_the_callers_subtree_is_400_on_station(tree, clerk):
    client = api_client_for(clerk)
    for station in ("YD", "东湖派出所", "X", "nowhere"):
        response = client.post("/api/v1/warnings/", {**PUSH, "station": station}, format="json")
        assert response.status_code == 400 and list(response.json()) == ["station"], (station, response.content)
    assert not WarningTask.objects.exists()


def test_push_of_a_task_number_used_outside_the_subtree_is_refused(tree, clerk, tasks):
    response = api_client_for(clerk).post("/api/v1/warnings/", {**PUSH, "task_no": "YJ-YD"}, format="json")
    assert response.status_code == 400 and "task_no" in response.json()
    assert "YD" not in response.content.decode().replace("YJ-YD", "")  # nothing of the other task


def test_push_refuses_bad_personal_data_without_echoing_it(tree, clerk):
    client = api_client_for(clerk)
    phone = client.post("/api/v1/warnings/", {**PUSH, "subject_phone": "2345678"}, format="json")
    assert phone.status_code == 400 and phone.json()["field"] == "subject_phone"
    assert "2345678" not in phone.content.decode()
    id_no = client.post("/api/v1/warnings/", {**PUSH, "subject_id_no": "110105194912310021"}, format="json")
    assert id_no.status_code == 400 and id_no.json()["field"] == "subject_id_no"
    assert "110105194912310021" not in id_no.content.decode()
    later = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    future = client.post("/api/v1/warnings/", {**PUSH, "issued_at": later}, format="json")
    assert future.status_code == 400 and "issued_at" in future.json()
    assert not WarningTask.objects.exists()


# Filters


def test_filters(tree, tasks):
    now = timezone.now()
    late = WarningTaskFactory(task_no="YJ-LATE", station=tree.station_a, issued_at=now - dt.timedelta(hours=3))
    signed = WarningTaskFactory(task_no="YJ-OLD", station=tree.station_b, level="low",
                                issued_at=now - dt.timedelta(days=10))  # fmt: skip
    warning_acknowledge(task=signed, user=tree.officer_b)
    client = api_client_for(tree.leader)
    assert task_nos(client, unit="X") == {"YJ-XA", "YJ-XB", "YJ-LATE", "YJ-OLD"}
    assert task_nos(client, station="XA") == {"YJ-XA", "YJ-LATE"}
    assert task_nos(client, station="X") == set()
    assert task_nos(client, status="handling") == {"YJ-OLD"}
    assert task_nos(client, level="low") == {"YJ-OLD"}
    assert task_nos(client, overdue="true") == {late.task_no, "YJ-OLD"}
    assert "YJ-LATE" not in task_nos(client, overdue="false")
    old_day = timezone.localdate(now - dt.timedelta(days=10)).isoformat()
    assert task_nos(client, start=old_day, end=old_day) == {"YJ-OLD"}
    assert "YJ-OLD" not in task_nos(client, start=timezone.localdate(now).isoformat())
    assert task_nos(client, q="late") == {"YJ-LATE"}
    assert client.get("/api/v1/warnings/", {"level": "urgent"}).status_code == 400
    assert task_nos(api_client_for(tree.officer_a), unit="Y") == set()


def test_the_list_costs_the_same_queries_for_one_task_or_many(tree, tasks):
    client = api_client_for(tree.leader)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/warnings/")
    for n in range(5):
        WarningTaskFactory(station=tree.station_b, subject_id_no=ID_NO, task_no=f"YJ-MORE-{n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/warnings/")
    assert len(many) == len(few)


# 四必查 reviews


@pytest.fixture
def reviews(tree, tasks) -> dict[str, FourChecksReview]:
    due = timezone.localdate() + dt.timedelta(days=7)
    return {
        county.code: FourChecksReview.objects.create(
            kind=CheckKind.DISSUASION_FAILED,
            county=county,
            trigger_key=f"test:{county.code}",
            title=f"劝阻失效核查-{county.code}",
            due_on=due,
            task=tasks["XA" if county.code == "X" else "YD"],
        )
        for county in (tree.county_x, tree.county_y)
    }


def test_reviews_are_scoped_to_the_county(tree, reviews):
    reviewer_x, reviewer_y = api_client_for(tree.reviewer_x), api_client_for(tree.reviewer_y)
    listed = reviewer_x.get("/api/v1/reviews/").json()["results"]
    assert [(r["county"], r["task_no"], r["kind_display"]) for r in listed] == [("X", "YJ-XA", "劝阻失效")]
    assert reviewer_y.get(f"/api/v1/reviews/{reviews['X'].pk}/").status_code == 404
    response = reviewer_y.post(f"/api/v1/reviews/{reviews['X'].pk}/conclude/", {"conclusion": "x"}, format="json")
    assert response.status_code == 404
    assert api_client_for(tree.officer_a).get("/api/v1/reviews/").json()["results"] == []
    assert len(api_client_for(tree.leader).get("/api/v1/reviews/").json()["results"]) == 2


def test_a_review_is_concluded_once_by_someone_allowed(tree, reviews):
    review_url = f"/api/v1/reviews/{reviews['X'].pk}/conclude/"
    assert api_client_for(tree.officer_a).post(review_url, {"conclusion": "x"}, format="json").status_code == 403
    client = api_client_for(tree.reviewer_x)
    empty = client.post(review_url, {"conclusion": " "}, format="json")
    assert empty.status_code == 400 and empty.json()["field"] == "conclusion"
    done = client.post(review_url, {"conclusion": "对象轻信刷单，已约谈并回访。"}, format="json")
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["closed_by"]) == ("closed", "reviewer_x")
    assert client.post(review_url, {"conclusion": "再次"}, format="json").json()["detail"] == "该核查已有结论。"
    leader = api_client_for(tree.leader)
    assert [r["county"] for r in leader.get("/api/v1/reviews/", {"status": ReviewStatus.OPEN}).json()["results"]] == [
        "Y"
    ]
    assert leader.get("/api/v1/reviews/", {"kind": CheckKind.LARGE_CASE}).json()["results"] == []


# Schema


def test_schema_describes_the_warnings_api_without_warnings(db, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    for path in ("/api/v1/warnings/", "/api/v1/warnings/{id}/attempts/", "/api/v1/warnings/{id}/review/",
                 "/api/v1/warnings/{id}/transfer/", "/api/v1/reviews/{id}/conclude/"):  # fmt: skip
        assert f"{path}:" in schema, path
