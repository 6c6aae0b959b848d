"""The life of a warning task: deadlines, transitions, refusals, transfer, concurrency."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from cases.models import FraudCase
from earlywarnings.models import Action, DeadlinePolicy, Outcome, TaskStatus, WarningTask
from earlywarnings.services import (
    WarningError,
    warning_acknowledge,
    warning_attempt_add,
    warning_handle,
    warning_issue,
    warning_review,
    warning_transfer,
)  # fmt: skip
from earlywarnings.validators import id_check_digit, normalize_phone, validate_id_number, validate_mainland_phone
from tests.factories import CaseFactory

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # in the past: actions without a time happen "now", after it


def issue(station, no="YJ1", level="high", **fields) -> WarningTask:
    return warning_issue(task_no=no, issued_at=T0, level=level, station=station, **fields)


def handle(task, user, **overrides):
    fields = {"outcome": Outcome.DISSUADED, "method": "phone", "note": "电话劝阻，对象已停止转账"} | overrides
    return warning_handle(task=task, user=user, at=T0 + dt.timedelta(minutes=30), **fields)


@pytest.mark.parametrize(("level", "sign", "handle_by"), [("high", 10, 120), ("medium", 60, 1440), ("low", 240, 4320)])
def test_default_deadlines_per_level(tree, level, sign, handle_by):
    task = issue(tree.station_a, level=level)
    assert task.sign_deadline - T0 == dt.timedelta(minutes=sign)
    assert task.handle_deadline - T0 == dt.timedelta(minutes=handle_by)


def test_a_policy_change_does_not_rewrite_issued_tasks(tree):
    task = issue(tree.station_a)
    DeadlinePolicy.objects.filter(level="high").update(sign_minutes=5, handle_minutes=60)
    later = issue(tree.station_a, no="YJ2")
    task.refresh_from_db()
    assert task.handle_deadline - T0 == dt.timedelta(minutes=120)
    assert later.handle_deadline - T0 == dt.timedelta(minutes=60)


def test_the_whole_road_records_who_and_when(tree):
    task = issue(tree.station_a)
    warning_acknowledge(task=task, user=tree.officer_a, at=T0 + dt.timedelta(minutes=3))
    warning_attempt_add(task=task, user=tree.officer_a, method="phone", note="未接", at=T0 + dt.timedelta(minutes=4))
    warning_attempt_add(task=task, user=tree.officer_a, method="visit", note="上门", at=T0 + dt.timedelta(minutes=20))
    handle(task, tree.officer_a)
    warning_review(task=task, user=tree.reviewer_x, accept=True)
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    assert task.handled_on_time() is True
    road = [(t.action, t.from_status, t.to_status, t.by) for t in task.transitions.all()]
    assert road == [
        (Action.ISSUE, "", TaskStatus.PENDING, None),
        (Action.ACKNOWLEDGE, TaskStatus.PENDING, TaskStatus.HANDLING, tree.officer_a),
        (Action.HANDLE, TaskStatus.HANDLING, TaskStatus.FEEDBACK, tree.officer_a),
        (Action.ACCEPT, TaskStatus.FEEDBACK, TaskStatus.CLOSED, tree.reviewer_x),
    ]
    assert task.attempts.count() == 2
    assert task.history.first().history_user == tree.reviewer_x


@pytest.mark.parametrize(
    ("status_after", "action", "message"),
    [
        ("pending", lambda t, u: warning_attempt_add(task=t, user=u, method="phone"), "请先签收"),
        ("pending", lambda t, u: handle(t, u), "请先签收"),
        ("pending", lambda t, u: warning_review(task=t, user=u, accept=True), "请先签收"),
        ("handling", lambda t, u: warning_acknowledge(task=t, user=u), "已被签收"),
        ("handling", lambda t, u: warning_review(task=t, user=u, accept=True), "已被签收"),
        ("feedback", lambda t, u: warning_acknowledge(task=t, user=u), "等待审核"),
        ("feedback", lambda t, u: handle(t, u), "等待审核"),
        ("feedback", lambda t, u: warning_transfer(task=t, user=u, to_unit=t.station.parent, reason="x"), "等待审核"),
        ("closed", lambda t, u: warning_review(task=t, user=u, accept=False, reason="再查"), "已办结"),
    ],
)
def test_refused_transitions_say_why_and_change_nothing(tree, status_after, action, message):
    task = issue(tree.station_a)
    if status_after in ("handling", "feedback", "closed"):
        warning_acknowledge(task=task, user=tree.officer_a)
    if status_after in ("feedback", "closed"):
        handle(task, tree.officer_a)
    if status_after == "closed":
        warning_review(task=task, user=tree.reviewer_x, accept=True)
    before = task.transitions.count()
    with pytest.raises(WarningError, match=message):
        action(task, tree.officer_a)
    task.refresh_from_db()
    assert task.status == status_after and task.transitions.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"outcome": ""}, "outcome"), ({"method": ""}, "method"), ({"note": "  "}, "note"),
     ({"outcome": Outcome.DEFRAUDED}, "loss"), ({"outcome": Outcome.NOT_OURS}, "outcome"),
     ({"loss_prevented": Decimal("-1")}, "loss_prevented")],
)  # fmt: skip
def test_handling_needs_its_fields(tree, overrides, field):
    task = issue(tree.station_a)
    warning_acknowledge(task=task, user=tree.officer_a)
    with pytest.raises(WarningError) as exc:
        handle(task, tree.officer_a, **overrides)
    assert exc.value.field == field
    task.refresh_from_db()
    assert task.status == TaskStatus.HANDLING and task.outcome == ""


def test_defrauded_creates_the_case_marked_warned_before(tree):
    task = issue(tree.station_a)
    warning_acknowledge(task=task, user=tree.officer_a)
    handle(task, tree.officer_a, outcome=Outcome.DEFRAUDED, loss=Decimal("20000"))
    task.refresh_from_db()
    assert (task.case.station, task.case.loss, task.case.warned_before) == (tree.station_a, Decimal("20000.00"), True)


def test_defrauded_links_an_existing_case_in_scope(tree):
    case = CaseFactory(case_no="J1", station=tree.station_a)
    CaseFactory(case_no="J9", station=tree.station_d)
    task = issue(tree.station_a)
    warning_acknowledge(task=task, user=tree.officer_a)
    with pytest.raises(WarningError, match="找不到案件编号“J9”"):
        handle(task, tree.officer_a, outcome=Outcome.DEFRAUDED, loss=Decimal("1"), case_no="J9")
    handle(task, tree.officer_a, outcome=Outcome.DEFRAUDED, loss=Decimal("1"), case_no="J1")
    case.refresh_from_db()
    assert case.warned_before and FraudCase.objects.count() == 2


def test_dissuaded_keeps_the_prevented_loss(tree):
    task = issue(tree.station_a)
    warning_acknowledge(task=task, user=tree.officer_a)
    handle(task, tree.officer_a, loss_prevented=Decimal("50000"))
    task.refresh_from_db()
    assert task.loss_prevented == Decimal("50000.00")


def test_a_return_needs_a_reason_and_sends_the_task_back(tree):
    task = issue(tree.station_a)
    warning_acknowledge(task=task, user=tree.officer_a)
    handle(task, tree.officer_a)
    with pytest.raises(WarningError, match="退回须写明原因"):
        warning_review(task=task, user=tree.reviewer_x, accept=False)
    warning_review(task=task, user=tree.reviewer_x, accept=False, reason="未见面核实，请补充")
    task.refresh_from_db()
    assert (task.status, task.handled_at) == (TaskStatus.HANDLING, None)
    assert task.transitions.last().note == "未见面核实，请补充"


def test_transfer_within_the_county_keeps_deadlines_and_needs_a_new_signature(tree):
    task = issue(tree.station_a)
    warning_acknowledge(task=task, user=tree.officer_a)
    warning_transfer(task=task, user=tree.officer_a, to_unit=tree.station_b, reason="对象住址在解放路辖区")
    task.refresh_from_db()
    assert (task.station, task.status, task.acknowledged_at) == (tree.station_b, TaskStatus.PENDING, None)
    assert task.handle_deadline - T0 == dt.timedelta(minutes=120)
    assert "转派至解放路派出所" in task.transitions.last().note


def test_transfer_up_to_the_county_then_down_again(tree):
    task = issue(tree.station_a)
    warning_transfer(task=task, user=tree.officer_a, to_unit=tree.county_x, reason="辖区不明，请分局重新分派")
    with pytest.raises(WarningError, match="待分派"):
        warning_acknowledge(task=task, user=tree.reviewer_x)
    warning_transfer(task=task, user=tree.reviewer_x, to_unit=tree.station_b, reason="核实后分派")
    task.refresh_from_db()
    assert task.station == tree.station_b


def test_transfer_cannot_leave_the_county_or_skip_the_reason(tree):
    task = issue(tree.station_a)
    with pytest.raises(WarningError, match="只能转派到本县"):
        warning_transfer(task=task, user=tree.officer_a, to_unit=tree.station_d, reason="x")
    with pytest.raises(WarningError, match="写明原因"):
        warning_transfer(task=task, user=tree.officer_a, to_unit=tree.station_b, reason=" ")


def test_two_officers_handling_at_once_one_wins(tree):
    task = issue(tree.station_a)
    warning_acknowledge(task=task, user=tree.officer_a)
    first, second = WarningTask.objects.get(pk=task.pk), WarningTask.objects.get(pk=task.pk)  # both saw 处置中
    handle(first, tree.officer_a)
    with pytest.raises(WarningError, match="已反馈处置结果"):
        handle(second, tree.officer_b, note="另一位民警的反馈")
    task.refresh_from_db()
    assert task.handled_by == tree.officer_a
    assert task.transitions.filter(action=Action.HANDLE).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks between threads need PostgreSQL")
def test_two_threads_signing_at_once_one_wins(tree):
    task = issue(tree.station_a)
    results, barrier = [], threading.Barrier(2)

    def sign(user):
        barrier.wait()
        try:
            warning_acknowledge(task=WarningTask.objects.get(pk=task.pk), user=user)
            results.append("won")
        except WarningError as exc:
            results.append(exc.message)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=sign, args=(u,)) for u in (tree.officer_a, tree.officer_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["won", "该任务已被签收，正在处置中。"]
    assert WarningTask.objects.get().transitions.filter(action=Action.ACKNOWLEDGE).count() == 1


def test_issue_validates_personal_data_without_echoing_it(tree):
    with pytest.raises(WarningError) as exc:
        issue(tree.station_a, subject_phone="12345")
    assert exc.value.field == "subject_phone" and "12345" not in exc.value.message
    with pytest.raises(WarningError) as exc:
        issue(tree.station_a, subject_id_no="110105194912310021")
    assert exc.value.field == "subject_id_no" and "110105" not in exc.value.message


def test_validators():
    assert normalize_phone("+86 138-0013-8000") == "13800138000"
    validate_mainland_phone("13800138000")
    assert id_check_digit("11010519491231002") == "X"
    validate_id_number("11010519491231002x")
    with pytest.raises(Exception, match="校验码"):
        validate_id_number("110105194912310021")


def test_overdue_and_current_deadline(tree):
    task = issue(tree.station_a)
    assert not task.is_overdue(T0 + dt.timedelta(minutes=5))
    assert task.is_overdue(T0 + dt.timedelta(minutes=11))  # not signed in 10 minutes
    assert WarningTask.objects.overdue(T0 + dt.timedelta(minutes=11)).count() == 1
    warning_acknowledge(task=task, user=tree.officer_a, at=T0 + dt.timedelta(minutes=12))
    task.refresh_from_db()
    assert not task.is_overdue(T0 + dt.timedelta(minutes=60))
    assert WarningTask.objects.overdue(T0 + dt.timedelta(minutes=121)).count() == 1
    handle(task, tree.officer_a)
    assert WarningTask.objects.overdue(timezone.now()).count() == 0
