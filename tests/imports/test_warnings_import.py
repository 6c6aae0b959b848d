"""The warnings format through the intake: history rows, deadlines, transitions, personal data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from earlywarnings.models import Action, DeadlinePolicy, Outcome, TaskStatus, TaskTransition, WarningTask
from earlywarnings.services import warning_acknowledge
from imports.models import ImportStatus
from orgs.roles import Role
from tests.factories import UserFactory
from tests.imports.conftest import csv_bytes

HEADER = ["预警编号", "下发时间", "风险等级", "预警类型", "预警来源", "处置单位", "预警对象", "对象手机号",
          "对象身份证号", "涉诈类型", "签收时间", "处置时间", "处置方式", "处置结果", "止损金额"]  # fmt: skip
ID_NO = "11010519491231002X"
BASE = timezone.localtime(timezone.now() - dt.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)


def at(minutes: int = 0) -> str:
    """A time ``minutes`` after 09:00 three days ago, as an export writes it."""
    return (BASE + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


def warning_row(no="YJ1", *, issued=0, level="高", station="XA", phone="13800138000", id_no=ID_NO, signed=None,
                handled=None, method="", outcome="", saved=""):  # fmt: skip
    return [
        no, at(issued), level, "电话预警", "国家", station, "张三", phone, id_no, "刷单返利",
        at(signed) if signed is not None else "", at(handled) if handled is not None else "", method, outcome, saved,
    ]  # fmt: skip


HISTORY_FILE = [
    HEADER,
    warning_row("YJ-CLOSED", signed=3, handled=40, method="电话", outcome="劝阻成功", saved="1.2万"),
    warning_row("YJ-HANDLING", level="中", station="解放路派出所", phone="+86 139-0013-9000", signed=20),
    warning_row("YJ-PENDING", level="low", station="XA", phone="", id_no=""),
]


def actions(task_no: str) -> list[str]:
    return list(TaskTransition.objects.filter(task__task_no=task_no).values_list("action", flat=True))


def test_a_gbk_history_file_builds_tasks_in_their_states_with_their_timelines(tree, run_import):
    job = run_import("warnings", csv_bytes(HISTORY_FILE, encoding="gbk"))
    assert (job.status, job.created, job.encoding) == (ImportStatus.APPLIED, 3, "GBK/GB18030"), job.errors
    tasks = {t.task_no: t for t in WarningTask.objects.select_related("station", "fraud_type")}

    closed = tasks["YJ-CLOSED"]
    assert (closed.status, closed.outcome, closed.method) == (TaskStatus.CLOSED, Outcome.DISSUADED, "phone")
    assert closed.loss_prevented == Decimal("12000.00") and closed.fraud_type.code == "01"
    assert closed.handled_at == BASE + dt.timedelta(minutes=40) and closed.handled_on_time()
    assert (closed.sign_deadline - closed.issued_at, closed.handle_deadline - closed.issued_at) == (
        dt.timedelta(minutes=10),
        dt.timedelta(minutes=120),
    )
    assert actions("YJ-CLOSED") == [Action.ISSUE, Action.ACKNOWLEDGE, Action.HANDLE, Action.ACCEPT]
    timeline = list(closed.transitions.values_list("at", "to_status"))
    assert timeline[1] == (BASE + dt.timedelta(minutes=3), TaskStatus.HANDLING)

    handling = tasks["YJ-HANDLING"]
    assert (handling.status, handling.station.code, handling.level) == (TaskStatus.HANDLING, "XB", "medium")
    assert handling.subject_phone == "13900139000"
    assert actions("YJ-HANDLING") == [Action.ISSUE, Action.ACKNOWLEDGE]

    pending = tasks["YJ-PENDING"]
    assert (pending.status, pending.level, pending.subject_phone) == (TaskStatus.PENDING, "low", "")
    assert actions("YJ-PENDING") == [Action.ISSUE]
    assert closed.history.get().history_type == "+"


TIMELINE_FILE = [
    *HISTORY_FILE,
    warning_row("YJ-UNSIGNED-CLOSED", handled=30, method="见面", outcome="已被骗"),
    warning_row("YJ-BIG-SAVE", signed=1, handled=5, method="短信", outcome="劝阻成功", saved="1234567.8"),
]


def timelines() -> dict:
    return {
        task_no: list(TaskTransition.objects.filter(task__task_no=task_no).order_by("at", "id").values_list(
            "action", "from_status", "to_status", "by_id", "at", "note", "from_unit_id", "to_unit_id"))
        for task_no in WarningTask.objects.values_list("task_no", flat=True)
    }  # fmt: skip


def test_the_set_based_history_timelines_equal_the_python_ones(tree, run_import, monkeypatch):
    """PostgreSQL writes a new task's 下发 / 签收 / 处置 / 办结 with one INSERT … SELECT;
    elsewhere they are built in Python. Both roads give the same rows (notes, units, order)."""
    from imports.kinds import warnings as kind

    assert run_import("warnings", csv_bytes(TIMELINE_FILE)).status == ImportStatus.APPLIED
    first = timelines()
    assert first["YJ-BIG-SAVE"][2][5] == "劝阻成功，止损 1,234,567.80 元"
    assert [step[:3] for step in first["YJ-UNSIGNED-CLOSED"]] == [
        (Action.ISSUE, "", TaskStatus.PENDING), (Action.HANDLE, TaskStatus.PENDING, TaskStatus.FEEDBACK),
        (Action.ACCEPT, TaskStatus.FEEDBACK, TaskStatus.CLOSED),
    ]  # fmt: skip
    WarningTask.history.all().delete()
    TaskTransition.objects.all().delete()
    WarningTask.objects.all().delete()
    vendor = kind._connection().vendor
    other = type("Other", (), {"vendor": "sqlite" if vendor == "postgresql" else "postgresql"})
    if vendor != "postgresql":
        pytest.skip("the set-based road is PostgreSQL's")
    monkeypatch.setattr(kind, "_connection", lambda: other)
    monkeypatch.setattr(kind, "_insert_transitions", _python_insert(kind))
    assert run_import("warnings", csv_bytes(TIMELINE_FILE)).status == ImportStatus.APPLIED
    assert timelines() == first


def _python_insert(kind):
    """``_insert_transitions`` on the real connection, whatever ``_connection`` says."""

    def insert(moves):
        TaskTransition.objects.bulk_create(
            TaskTransition(task_id=m.task_id, action=m.action, from_status=m.from_status, to_status=m.to_status,
                           by_id=m.by_id, at=m.at, note=m.note, from_unit_id=m.from_unit_id, to_unit_id=m.to_unit_id)
            for m in moves
        )  # fmt: skip

    return insert


def test_reimporting_the_same_file_changes_nothing(tree, run_import):
    data = csv_bytes(HISTORY_FILE, encoding="gbk")
    run_import("warnings", data)
    stamps = dict(WarningTask.objects.values_list("task_no", "updated_at"))
    transitions = TaskTransition.objects.count()
    again = run_import("warnings", data)
    assert (again.status, again.created, again.updated, again.unchanged) == (ImportStatus.APPLIED, 0, 0, 3)
    assert again.warnings == []
    assert dict(WarningTask.objects.values_list("task_no", "updated_at")) == stamps
    assert TaskTransition.objects.count() == transitions


def test_a_later_file_closes_an_open_task_and_adds_its_transitions(tree, run_import):
    run_import("warnings", csv_bytes(HISTORY_FILE))
    later = [
        HEADER,
        warning_row(
            "YJ-HANDLING",
            level="中",
            station="XB",
            phone="13900139000",
            signed=20,
            handled=300,
            method="见面",
            outcome="已被骗",
        ),
        warning_row("YJ-PENDING", level="low", phone="", id_no="", signed=30, handled=35, outcome="非本辖区"),
    ]
    job = run_import("warnings", csv_bytes(later))
    assert (job.status, job.created, job.updated) == (ImportStatus.APPLIED, 0, 2), job.errors
    handling = WarningTask.objects.get(task_no="YJ-HANDLING")
    assert (handling.status, handling.outcome, handling.method) == (TaskStatus.CLOSED, Outcome.DEFRAUDED, "visit")
    assert actions("YJ-HANDLING") == [Action.ISSUE, Action.ACKNOWLEDGE, Action.HANDLE, Action.ACCEPT]
    not_ours = WarningTask.objects.get(task_no="YJ-PENDING")
    assert (not_ours.status, not_ours.outcome) == (TaskStatus.CLOSED, Outcome.NOT_OURS)
    assert actions("YJ-PENDING") == [Action.ISSUE, Action.ACKNOWLEDGE, Action.HANDLE, Action.ACCEPT]
    assert handling.history.first().history_type == "~"


def test_a_file_never_reopens_a_task_nor_overwrites_the_stations_work(tree, run_import):
    run_import("warnings", csv_bytes(HISTORY_FILE))
    task = WarningTask.objects.get(task_no="YJ-PENDING")
    warning_acknowledge(task=task, user=tree.officer_a, at=BASE + dt.timedelta(minutes=50))
    closed_again = [HEADER, warning_row("YJ-CLOSED", signed=3, handled=40, method="短信", outcome="无法联系")]
    pending_again = [HEADER, warning_row("YJ-PENDING", level="low", phone="", id_no="", station="XB")]
    first = run_import("warnings", csv_bytes(closed_again))
    second = run_import("warnings", csv_bytes(pending_again))
    assert first.unchanged == 1 and "未采用" in first.warnings[0]
    assert second.unchanged == 1 and "现由滨江派出所处置，处置单位未按文件更改" in second.warnings[0]
    assert WarningTask.objects.get(task_no="YJ-CLOSED").outcome == Outcome.DISSUADED
    task.refresh_from_db()
    assert (task.status, task.station, task.acknowledged_by) == (TaskStatus.HANDLING, tree.station_a, tree.officer_a)


def test_deadlines_follow_the_policy_in_force(tree, run_import):
    DeadlinePolicy.objects.filter(level="high").update(sign_minutes=5, handle_minutes=60)
    run_import("warnings", csv_bytes([HEADER, warning_row("YJ9")]))
    task = WarningTask.objects.get()
    assert task.handle_deadline - task.issued_at == dt.timedelta(minutes=60)


def test_bad_personal_data_is_refused_without_showing_it(tree, run_import):
    data = csv_bytes(
        [
            HEADER,
            warning_row("YJ1", phone="2345678901"),
            warning_row("YJ2", id_no="110105194912310021"),
            warning_row("YJ3", id_no="1101051949"),
        ]
    )
    job = run_import("warnings", data)
    assert job.status == ImportStatus.REFUSED and not WarningTask.objects.exists()
    errors = {(e["row"], e["column"]): e for e in job.errors}
    assert errors[(2, "对象手机号")]["reason"] == "手机号须为 11 位中国大陆手机号（1 开头）。"
    assert errors[(3, "对象身份证号")]["reason"] == "身份证号校验码不正确。"
    assert "18 位" in errors[(4, "对象身份证号")]["reason"]
    report = str(job.errors)
    for secret in ("2345678901", "110105194912310021", "1101051949"):
        assert secret not in report
    assert errors[(2, "对象手机号")]["value"] == "234****8901"


def test_unknown_or_foreign_stations_and_wrong_times_are_row_errors(tree, run_import):
    clerk = UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    data = csv_bytes(
        [
            HEADER,
            warning_row("YJ1", station="不存在派出所"),
            warning_row("YJ2", station="YD"),
            warning_row("YJ3", station="X"),
            warning_row("YJ4", issued=60, signed=30),
            warning_row("YJ5", handled=60 * 24 * 10, outcome="劝阻成功"),
            warning_row("YJ6", handled=30),
            warning_row("YJ7", level="紧急", outcome="劝阻成功"),
            warning_row("YJ8", station="XB", signed=1, handled=2, outcome="劝阻成功"),
        ]
    )
    job = run_import("warnings", data, user=clerk, partial=True)
    assert (job.status, job.created, job.refused) == (ImportStatus.APPLIED, 1, 7)
    reasons = {e["row"]: e["reason"] for e in job.errors}
    assert "找不到这个派出所" in reasons[2]
    assert "不在您的管辖范围内" in reasons[3]
    assert "这里须填派出所" in reasons[4]
    assert reasons[5] == "签收时间早于下发时间"
    assert reasons[6] == "处置时间晚于现在"
    assert reasons[7] == "有处置时间时须填写处置结果"
    assert "未知的风险等级" in reasons[8]
    assert WarningTask.objects.get().history.get().history_user == clerk


def test_a_task_number_of_another_county_cannot_be_touched(tree, run_import):
    run_import("warnings", csv_bytes([HEADER, warning_row("YJ-Y", station="YD")]))
    clerk = UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    job = run_import("warnings", csv_bytes([HEADER, warning_row("YJ-Y", station="XA", signed=5)]), user=clerk)
    assert job.status == ImportStatus.REFUSED
    assert job.errors[0]["column"] == "预警编号" and "不在您的管辖范围内" in job.errors[0]["reason"]
    assert WarningTask.objects.get().status == TaskStatus.PENDING


def test_english_headers_and_values(tree, run_import):
    header = ["task_no", "issued_at", "level", "kind", "source", "station", "subject_phone", "handled_at", "method",
              "outcome", "loss_prevented"]  # fmt: skip
    data = csv_bytes([header, ["E1", at(), "medium", "fund", "bank", "XA", "13700137000", at(90), "sms", "unreachable",
                               ""]])  # fmt: skip
    job = run_import("warnings", data)
    assert job.status == ImportStatus.APPLIED, job.errors
    task = WarningTask.objects.get()
    assert (task.kind, task.source, task.outcome, task.method) == ("fund", "bank", "unreachable", "sms")
    assert task.acknowledged_at is None and task.status == TaskStatus.CLOSED
    assert actions("E1") == [Action.ISSUE, Action.HANDLE, Action.ACCEPT]


@pytest.mark.parametrize("missing", ["预警编号", "下发时间", "风险等级", "处置单位"])
def test_a_required_column_missing_refuses_the_file(tree, run_import, missing):
    header = [h for h in HEADER if h != missing]
    row = [v for h, v in zip(HEADER, warning_row(), strict=True) if h != missing]
    job = run_import("warnings", csv_bytes([header, row]))
    assert job.status == ImportStatus.REFUSED and missing in job.message
