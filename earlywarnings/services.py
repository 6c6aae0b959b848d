"""The life of a warning task: the only place its state changes.

待签收 → 处置中 (签收) → 已反馈 (处置) → 已办结 (审核通过), or back to 处置中 when the county
returns the feedback. A transfer (非本辖区) moves the task to another station — or up to the
county to re-dispatch — where it must be signed for again, with its deadlines unchanged.

Each transition locks the task row first (``select_for_update``; SQLite serializes
writers), re-checks the state it needs, and records who and when in ``TaskTransition``
and the history. So two officers acting at once: one wins, the other is told why not.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import FraudCase, FraudType
from cases.services import CaseError, case_create
from earlywarnings.models import (
    OPEN_STATUSES,
    Action,
    ContactAttempt,
    ContactMethod,
    Outcome,
    TaskStatus,
    TaskTransition,
    WarningTask,
)  # fmt: skip
from earlywarnings.policy import deadlines_for
from orgs.errors import DomainError
from orgs.models import Unit, UnitLevel


class WarningError(DomainError):
    pass


STATUS_MESSAGES = {
    TaskStatus.PENDING: "该任务还没有签收，请先签收。",
    TaskStatus.HANDLING: "该任务已被签收，正在处置中。",
    TaskStatus.FEEDBACK: "该任务已反馈处置结果，正在等待审核。",
    TaskStatus.CLOSED: "该任务已办结。",
}


def _locked(task: WarningTask, *, allowed: tuple[str, ...]) -> WarningTask:
    """Re-read the task under a row lock and refuse unless it is in an allowed state."""
    task = WarningTask.objects.select_for_update().get(pk=task.pk)
    if task.is_voided:
        raise WarningError("该任务已作废。")
    if task.status not in allowed:
        raise WarningError(STATUS_MESSAGES[task.status])
    return task


def _move(task: WarningTask, *, action: str, to_status: str, user, at: dt.datetime, note: str = "",
          to_unit: Unit | None = None) -> None:  # fmt: skip
    TaskTransition.objects.create(
        task=task, action=action, from_status=task.status, to_status=to_status, by=user, at=at, note=note,
        from_unit_id=task.station_id, to_unit=to_unit,
    )  # fmt: skip
    task.status = to_status
    if to_unit is not None:
        task.station = to_unit
    task._history_user = user
    task.save()


@transaction.atomic
def warning_issue(*, user=None, issued_at: dt.datetime, **fields) -> WarningTask:
    """A new task from the platform (push API, form or import), with its deadlines fixed now."""
    sign_deadline, handle_deadline = deadlines_for(fields["level"], issued_at)
    task = WarningTask(issued_at=issued_at, sign_deadline=sign_deadline, handle_deadline=handle_deadline, **fields)
    try:
        task.full_clean(exclude=["station", "fraud_type", "case"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise WarningError(messages[0], field=field) from None  # never echo the personal data itself
    task._history_user = user
    task.save()
    TaskTransition.objects.create(task=task, action=Action.ISSUE, to_status=task.status, by=user, at=issued_at,
                                  to_unit=task.station)  # fmt: skip
    return task


@transaction.atomic
def warning_acknowledge(*, task: WarningTask, user, at: dt.datetime | None = None) -> WarningTask:
    """签收: the station takes the task."""
    task = _locked(task, allowed=(TaskStatus.PENDING,))
    if task.station.level != UnitLevel.STATION:
        raise WarningError("任务在县（区）局待分派，请先转派到派出所。")
    at = at or timezone.now()
    task.acknowledged_at, task.acknowledged_by = at, user
    _move(task, action=Action.ACKNOWLEDGE, to_status=TaskStatus.HANDLING, user=user, at=at)
    return task


@transaction.atomic
def warning_attempt_add(*, task: WarningTask, user, method: str, note: str = "",
                        at: dt.datetime | None = None) -> ContactAttempt:  # fmt: skip
    """Log one call, text or visit. The task must have been signed for."""
    task = _locked(task, allowed=(TaskStatus.HANDLING,))
    if method not in ContactMethod.values:
        raise WarningError("请选择联系方式：电话、短信或见面。", field="method")
    at = at or timezone.now()
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise WarningError("联系时间不能晚于现在。", field="at")
    attempt = ContactAttempt.objects.create(task=task, method=method, at=at, officer=user, note=note.strip())
    task._history_user = user
    task.save(update_fields=["updated_at"])
    return attempt


@transaction.atomic
def warning_handle(
    *, task: WarningTask, user, outcome: str, method: str, note: str, loss_prevented: Decimal | None = None,
    loss: Decimal | None = None, case_no: str = "", at: dt.datetime | None = None,
) -> WarningTask:  # fmt: skip
    """处置: record the outcome; the task waits for the county's review.

    已被骗 needs the loss and links the case (an existing case number, or a new case with
    预警后被骗 = 是); 非本辖区 is a transfer, not an outcome (``warning_transfer``)."""
    task = _locked(task, allowed=(TaskStatus.HANDLING,))
    if outcome not in Outcome.values:
        raise WarningError("请选择处置结果。", field="outcome")
    if outcome == Outcome.NOT_OURS:
        raise WarningError("非本辖区的任务请转派到所属派出所或退回县（区）局。", field="outcome")
    if method not in ContactMethod.values:
        raise WarningError("请选择处置方式：电话、短信或见面。", field="method")
    if not note.strip():
        raise WarningError("请填写处置情况。", field="note")
    if loss_prevented is not None and loss_prevented < 0:
        raise WarningError("止损金额不能为负数。", field="loss_prevented")
    at = at or timezone.now()
    task.case = None
    task.loss = None
    if outcome == Outcome.DEFRAUDED:
        if loss is None or loss <= 0:
            raise WarningError("已被骗须填写被骗金额。", field="loss")
        task.case = _defrauded_case(task, user=user, loss=loss, case_no=case_no.strip(), at=at)
        task.loss = loss
    task.outcome, task.method, task.handling_note = outcome, method, note.strip()
    task.loss_prevented = loss_prevented if outcome == Outcome.DISSUADED else None
    task.handled_at, task.handled_by = at, user
    _move(task, action=Action.HANDLE, to_status=TaskStatus.FEEDBACK, user=user, at=at,
          note=f"{Outcome(outcome).label}：{note.strip()}")  # fmt: skip
    return task


def _defrauded_case(task: WarningTask, *, user, loss: Decimal, case_no: str, at: dt.datetime) -> FraudCase:
    """The case of a person defrauded despite the warning (预后被骗): link or create it."""
    if case_no:
        case = FraudCase.objects.for_user(user).filter(case_no=case_no).first() if user else None
        if case is None:
            raise WarningError(f"找不到案件编号“{case_no}”（或不在您的管辖范围内）。", field="case_no")
        if not case.warned_before:
            case.warned_before = True
            case._history_user = user
            case.save(update_fields=["warned_before", "updated_at"])
        return case
    fraud_type = task.fraud_type or FraudType.objects.get(code="99")
    try:
        return case_create(
            user=user, case_no=f"YJ{task.task_no}", reported_on=timezone.localdate(at), station=task.station,
            fraud_type=fraud_type, loss=loss, warned_before=True, filed=True,
        )  # fmt: skip
    except CaseError as exc:
        raise WarningError(exc.message, field="case_no") from exc


@transaction.atomic
def warning_review(*, task: WarningTask, user, accept: bool, reason: str = "",
                   at: dt.datetime | None = None) -> WarningTask:  # fmt: skip
    """The county accepts the feedback (已办结) or returns it (back to 处置中) with a reason."""
    task = _locked(task, allowed=(TaskStatus.FEEDBACK,))
    at = at or timezone.now()
    task.reviewed_at, task.reviewed_by = at, user
    if accept:
        _move(task, action=Action.ACCEPT, to_status=TaskStatus.CLOSED, user=user, at=at, note=reason.strip())
        return task
    if not reason.strip():
        raise WarningError("退回须写明原因。", field="reason")
    task.handled_at = task.handled_by = None
    _move(task, action=Action.RETURN, to_status=TaskStatus.HANDLING, user=user, at=at, note=reason.strip())
    return task


def transfer_targets(task: WarningTask):
    """Where a task may go: another station of its county, or the county itself."""
    county = task.station if task.station.level == UnitLevel.COUNTY else task.station.parent
    return Unit.objects.filter(pk=county.pk) | county.children.filter(level=UnitLevel.STATION).exclude(
        pk=task.station_id
    )


@transaction.atomic
def warning_transfer(*, task: WarningTask, user, to_unit: Unit, reason: str,
                     at: dt.datetime | None = None) -> WarningTask:  # fmt: skip
    """非本辖区: move the task to another station of the county, or up to the county to
    re-dispatch. It must be signed for again there; its deadlines do not move."""
    task = _locked(task, allowed=OPEN_STATUSES)
    if not reason.strip():
        raise WarningError("转派须写明原因。", field="reason")
    if to_unit.pk == task.station_id or not transfer_targets(task).filter(pk=to_unit.pk).exists():
        raise WarningError("只能转派到本县（区）的其他派出所，或退回县（区）局重新分派。", field="to_unit")
    at = at or timezone.now()
    task.acknowledged_at = task.acknowledged_by = None
    _move(task, action=Action.TRANSFER, to_status=TaskStatus.PENDING, user=user, at=at,
          note=f"转派至{to_unit.name}：{reason.strip()}", to_unit=to_unit)  # fmt: skip
    return task
