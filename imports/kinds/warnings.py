"""Early-warning tasks (预警劝阻任务): the ``warnings`` format.

A row is a task as the platform knows it, optionally with its history: 签收时间 makes it
处置中, 处置时间 (with 处置结果) makes it 已办结 — history that happened on the platform is
not reviewed again here. Deadlines come from the policy in force (``deadlines_for``), and
each step of the history becomes a ``TaskTransition`` at its own time, so the task's
timeline reads as if it had been worked in this system.

A task already stored only moves forward: a later file may sign for or close an open task,
never reopen one or overwrite what a station recorded here. Its station is where the
station's work put it (a transfer is not undone by the next export). The person's phone and
ID number are checked, and an error names the column, never the number.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.utils import timezone

from earlywarnings.models import (
    Action,
    ContactMethod,
    Outcome,
    RiskLevel,
    TaskStatus,
    TaskTransition,
    WarningKind,
    WarningSource,
    WarningTask,
)  # fmt: skip
from earlywarnings.policy import deadlines_for
from earlywarnings.validators import normalize_phone, validate_id_number, validate_mainland_phone
from imports import bulk
from imports.kinds.base import Column, Context, Kind, Row, WriteResult, chunks, stored
from imports.kinds.refs import FraudTypeLookup, UnitLookup
from imports.parsers import as_text, choice_parser, fold, parse_datetime, parse_money, parse_text
from orgs.models import Unit, UnitLevel
from orgs.privacy import mask_id_number, mask_name, mask_phone


def _vocabulary(choices, *, what: str, extra: dict[str, str] | None = None):
    return choice_parser({**{c.label: c.value for c in choices}, **{c.value: c.value for c in choices},
                          **(extra or {})}, what=what)  # fmt: skip


parse_level = _vocabulary(RiskLevel, what="风险等级", extra={"高风险": "high", "中风险": "medium", "低风险": "low"})
parse_kind = _vocabulary(WarningKind, what="预警类型")
parse_source = _vocabulary(WarningSource, what="预警来源", extra={"省厅": "province", "市局": "city"})
parse_method = _vocabulary(ContactMethod, what="处置方式", extra={"上门": "visit", "面谈": "visit"})
parse_outcome = _vocabulary(Outcome, what="处置结果")


def parse_personal(value) -> str:
    """Personal data never fails to parse: it is checked in ``resolve``, where an error can
    carry a masked value (the engine would report the raw cell)."""
    text = as_text(value)
    return text if text.isascii() else fold(text)  # ASCII folds to itself


PERSONAL = {  # column: (mask, check)
    "subject_name": (mask_name, None),
    "subject_phone": (mask_phone, validate_mainland_phone),
    "subject_id_no": (mask_id_number, validate_id_number),
}
DESCRIPTIVE = ("kind", "source", "subject_name", "subject_phone", "subject_id_no", "fraud_type")
HISTORY = ("acknowledged_at", "handled_at", "method", "outcome", "loss_prevented")
IMPORTED_NOTE = "由导入文件载入"


class WarningsKind(Kind):
    name = "warnings"
    label = "预警任务"
    columns = (
        Column("task_no", "预警编号", "task_no", partial(parse_text, max_length=64), required=True),
        Column("issued_at", "下发时间", "issued_at", parse_datetime, required=True),
        Column("level", "风险等级", "level", parse_level, required=True),
        Column("kind", "预警类型", "kind", parse_kind),
        Column("source", "预警来源", "source", parse_source),
        Column("station", "处置单位", "station", partial(parse_text, max_length=100), required=True),
        Column("subject_name", "预警对象", "subject_name", parse_personal),
        Column("subject_phone", "对象手机号", "subject_phone", parse_personal),
        Column("subject_id_no", "对象身份证号", "subject_id_no", parse_personal),
        Column("fraud_type", "涉诈类型", "fraud_type", partial(parse_text, max_length=50)),
        Column("acknowledged_at", "签收时间", "acknowledged_at", parse_datetime),
        Column("handled_at", "处置时间", "handled_at", parse_datetime),
        Column("method", "处置方式", "method", parse_method),
        Column("outcome", "处置结果", "outcome", parse_outcome),
        Column("loss_prevented", "止损金额", "loss_prevented", parse_money),
    )

    def key(self, row: Row) -> str:
        return row.values["task_no"]

    def check(self, row: Row) -> None:
        v = row.values
        now = timezone.now()
        if v["issued_at"] > now:
            row.fail("issued_at", "下发时间晚于现在")
        for key, label in (("acknowledged_at", "签收时间"), ("handled_at", "处置时间")):
            if v[key] and v[key] < v["issued_at"]:
                row.fail(key, f"{label}早于下发时间")
            elif v[key] and v[key] > now:
                row.fail(key, f"{label}晚于现在")
        if v["acknowledged_at"] and v["handled_at"] and v["handled_at"] < v["acknowledged_at"]:
            row.fail("handled_at", "处置时间早于签收时间")
        if v["handled_at"] and not v["outcome"]:
            row.fail("outcome", "有处置时间时须填写处置结果")
        if not v["handled_at"]:
            for key, label in (("outcome", "处置结果"), ("method", "处置方式"), ("loss_prevented", "止损金额")):
                if v[key] is not None and v[key] != "":
                    row.fail("handled_at", f"填写了{label}时须填写处置时间")
                    break

    def resolve(self, rows: list[Row], ctx: Context) -> None:
        stations = UnitLookup(None if ctx.is_system else ctx.user, level=UnitLevel.STATION)
        types = FraudTypeLookup()
        for row in rows:
            self._check_personal(row)
            if row.values["station"]:
                row.values["station"], reason = stations.find(row.values["station"])
                if reason:
                    row.fail("station", reason)
            if row.values["fraud_type"]:
                row.values["fraud_type"], reason = types.find(row.values["fraud_type"])
                if reason:
                    row.fail("fraud_type", reason.replace("诈骗类型", "涉诈类型"))

        numbers = [r.values["task_no"] for r in rows]
        tasks = stored(WarningTask.objects.all(), "task_no", numbers)
        for row in rows:
            task = tasks.get(row.values["task_no"])
            row.values["task"] = task
            if task is None:
                continue
            if not ctx.is_system and task.station_id not in stations.in_scope:
                row.fail("task_no", "这个预警编号的任务不在您的管辖范围内")
                continue
            handled_at = row.values["handled_at"]
            signed = task.acknowledged_at
            if handled_at and task.is_open and signed and handled_at < signed:
                row.fail("handled_at", f"早于系统中的签收时间 {timezone.localtime(signed):%Y-%m-%d %H:%M}")

    @staticmethod
    def _check_personal(row: Row) -> None:
        """Normalize and check the person's data; an error shows the value masked."""
        v = row.values
        if v["subject_phone"] and not v["subject_phone"].isdigit():
            v["subject_phone"] = normalize_phone(v["subject_phone"])
        if v["subject_id_no"]:
            v["subject_id_no"] = v["subject_id_no"].upper()
        for key, (mask, check) in PERSONAL.items():
            value = v[key]
            if not value:
                continue
            reason = ""
            if key == "subject_name" and len(value) > 50:
                reason = "内容过长（最多 50 个字）"
            elif check is not None:
                try:
                    check(value)
                except ValidationError as exc:
                    reason = exc.messages[0]
            if reason:
                row.errors.append((key, mask(value), reason))

    def write(self, rows: list[Row], ctx: Context) -> WriteResult:
        result = WriteResult()
        now = timezone.now()
        offsets = {level: tuple(d - now for d in deadlines_for(level, now)) for level in RiskLevel.values}

        created: list[WarningTask] = []
        updated: list[WarningTask] = []
        changed: set[str] = set()
        transitions: list[Move] = []
        for row in rows:
            v, task = row.values, row.values["task"]
            fields = self._fields(v, ctx.present)
            if task is None:
                created.append(self._new_values(v, offsets))
                continue
            if task.is_voided:
                result.warnings.append(f"第 {row.number} 行：任务 {task.task_no} 已作废，未更新")
                result.unchanged += 1
                continue
            diff = [name for name, value in fields.items() if getattr(task, name) != value]
            for name in diff:
                setattr(task, name, fields[name])
            if {"issued_at", "level"} & set(diff):
                self._set_deadlines(task, offsets)
                diff += ["sign_deadline", "handle_deadline"]
            moves = self._progress(task, v, user=ctx.user)
            if moves:
                diff += ["status", *HISTORY]
                transitions += moves
            elif not task.is_open and self._history_differs(task, v):
                result.warnings.append(
                    f"第 {row.number} 行：任务 {task.task_no} 已{task.get_status_display()}，文件中的处置信息未采用"
                )
            if task.station_id != v["station"].pk:
                result.warnings.append(
                    f"第 {row.number} 行：任务 {task.task_no} 现由{_unit_name(task.station_id)}处置，"
                    "处置单位未按文件更改"
                )
            if diff:
                changed.update(diff)
                updated.append(task)
            else:
                result.unchanged += 1

        ids = bulk.insert_values(WarningTask, NEW_FIELDS, created, user=ctx.user, key="task_no")
        bulk.update(WarningTask, updated, changed, user=ctx.user)
        if _connection().vendor == "postgresql":
            _insert_history_transitions(list(ids.values()), user=ctx.user)
        else:
            for values in created:
                task = NewTask(ids[values[0]], *(values[i] for i in NEW_TASK_AT))
                transitions += self._history_transitions(task, user=ctx.user)
        _insert_transitions(transitions)
        result.created, result.updated = len(created), len(updated)
        return result

    @staticmethod
    def _fields(v: dict, present: set[str]) -> dict:
        """The task's descriptive fields from the row; columns absent from the file are left out."""
        fields = {"issued_at": v["issued_at"], "level": v["level"]}
        optional = {
            "kind": v["kind"] or "",
            "source": v["source"] or "",
            "subject_name": v["subject_name"] or "",
            "subject_phone": v["subject_phone"] or "",
            "subject_id_no": v["subject_id_no"] or "",
            "fraud_type_id": v["fraud_type"].pk if v["fraud_type"] else None,
        }
        fields.update({name: value for name, value in optional.items() if name.removesuffix("_id") in present})
        return fields

    @staticmethod
    def _new_values(v: dict, offsets: dict) -> list:
        """A new task as values for ``NEW_FIELDS``: its deadlines, and its state from the row's history."""
        sign, handle = offsets[v["level"]]
        if v["handled_at"]:
            status = TaskStatus.CLOSED
        else:
            status = TaskStatus.HANDLING if v["acknowledged_at"] else TaskStatus.PENDING
        closed = status == TaskStatus.CLOSED
        return [
            v["task_no"], v["issued_at"], v["level"], v["kind"] or "", v["source"] or "", v["station"].pk,
            v["subject_name"] or "", v["subject_phone"] or "", v["subject_id_no"] or "",
            v["fraud_type"].pk if v["fraud_type"] else None, status, v["issued_at"] + sign, v["issued_at"] + handle,
            v["acknowledged_at"], v["handled_at"], (v["method"] or "") if closed else "",
            v["outcome"] if closed else "", v["loss_prevented"] if closed else None,
        ]  # fmt: skip

    @staticmethod
    def _set_deadlines(task: WarningTask, offsets: dict) -> None:
        sign, handle = offsets[task.level]
        task.sign_deadline, task.handle_deadline = task.issued_at + sign, task.issued_at + handle

    def _progress(self, task: WarningTask, v: dict, *, user) -> list[Move]:
        """Move an open stored task forward by the row's history: sign for it, close it."""
        if not task.is_open:
            return []
        moves = []
        if task.status == TaskStatus.PENDING and v["acknowledged_at"]:
            task.acknowledged_at = signed = v["acknowledged_at"]
            moves.append(_transition(task, Action.ACKNOWLEDGE, TaskStatus.PENDING, TaskStatus.HANDLING, signed, user))
            task.status = TaskStatus.HANDLING
        if v["handled_at"]:
            task.handled_at, task.method, task.outcome = v["handled_at"], v["method"] or "", v["outcome"]
            task.loss_prevented = v["loss_prevented"]
            moves += self._closing(task, from_status=task.status, user=user)
            task.status = TaskStatus.CLOSED
        return moves

    @staticmethod
    def _history_differs(task: WarningTask, v: dict) -> bool:
        wanted = {key: v[key] for key in HISTORY if v[key] not in (None, "")}
        return any(getattr(task, key) != value for key, value in wanted.items())

    def _history_transitions(self, task: NewTask, *, user) -> list[Move]:
        """下发, then 签收 and 处置 + 办结 as far as the new task's history goes."""
        issue = _transition(task, Action.ISSUE, "", TaskStatus.PENDING, task.issued_at, user)
        moves = [issue._replace(from_unit_id=None, to_unit_id=task.station_id)]  # as warning_issue records it
        status = TaskStatus.PENDING
        if task.acknowledged_at:
            moves.append(_transition(task, Action.ACKNOWLEDGE, status, TaskStatus.HANDLING, task.acknowledged_at, user))
            status = TaskStatus.HANDLING
        if task.handled_at:
            moves += self._closing(task, from_status=status, user=user)
        return moves

    @staticmethod
    def _closing(task: WarningTask | NewTask, *, from_status: str, user) -> list[Move]:
        """处置 and 办结 at the handling time: history from the platform is not reviewed again."""
        outcome = OUTCOME_LABELS[task.outcome]
        if task.loss_prevented:
            outcome += f"，止损 {task.loss_prevented:,.2f} 元"
        return [
            _transition(task, Action.HANDLE, from_status, TaskStatus.FEEDBACK, task.handled_at, user, outcome),
            _transition(task, Action.ACCEPT, TaskStatus.FEEDBACK, TaskStatus.CLOSED, task.handled_at, user,
                        IMPORTED_NOTE),
        ]  # fmt: skip


NEW_FIELDS = [
    "task_no", "issued_at", "level", "kind", "source", "station_id", "subject_name", "subject_phone", "subject_id_no",
    "fraud_type_id", "status", "sign_deadline", "handle_deadline", "acknowledged_at", "handled_at", "method",
    "outcome", "loss_prevented",
]  # fmt: skip


class NewTask(NamedTuple):
    """What a new task's history transitions need of it (a model instance per task would
    cost more than writing it)."""

    pk: int
    station_id: int
    issued_at: dt.datetime
    acknowledged_at: dt.datetime | None
    handled_at: dt.datetime | None
    outcome: str
    loss_prevented: Decimal | None


NEW_TASK_AT = [NEW_FIELDS.index(name) for name in NewTask._fields[1:]]


class Move(NamedTuple):
    """One ``TaskTransition`` row, kept as a tuple: a history import makes hundreds of
    thousands, and model instances would cost more than writing them."""

    task_id: int
    action: str
    from_status: str
    to_status: str
    by_id: int | None
    at: dt.datetime
    note: str
    from_unit_id: int | None
    to_unit_id: int | None


OUTCOME_LABELS = dict(Outcome.choices)


def _transition(task: WarningTask | NewTask, action: str, from_status: str, to_status: str, at: dt.datetime, user,
                note: str = IMPORTED_NOTE) -> Move:  # fmt: skip
    return Move(task.pk, action, from_status, to_status, getattr(user, "pk", None), at, note, task.station_id, None)


def _unit_name(unit_id: int) -> str:
    return Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first() or ""


def _connection():
    return connections[router.db_for_write(TaskTransition)]


def _insert_history_transitions(task_ids: list[int], *, user) -> None:
    """``_history_transitions`` for new tasks, written by PostgreSQL from the tasks just
    inserted (a set-based INSERT … SELECT: no row of forty million crosses the wire twice).
    Same rows, same order (下发, 签收, 处置, 办结), as the Python road SQLite takes."""
    if not task_ids:
        return
    connection = _connection()
    quote = connection.ops.quote_name
    table, tasks = quote(TaskTransition._meta.db_table), quote(WarningTask._meta.db_table)
    columns = ", ".join(quote(TaskTransition._meta.get_field(name.removesuffix("_id")).column) for name in Move._fields)
    labels = " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in Outcome.choices)
    outcome_note = (
        f"(CASE outcome {labels} ELSE outcome END) || CASE WHEN loss_prevented > 0 "
        "THEN '，止损 ' || to_char(loss_prevented, 'FM999,999,999,990.00') || ' 元' ELSE '' END"
    )
    signed_first = f"CASE WHEN acknowledged_at IS NULL THEN '{TaskStatus.PENDING}' ELSE '{TaskStatus.HANDLING}' END"
    steps = [  # (action, from, to, at, note, from_unit, to_unit, only when)
        (Action.ISSUE, "''", f"'{TaskStatus.PENDING}'", "issued_at", "%(note)s", "NULL", "station_id", "TRUE"),
        (Action.ACKNOWLEDGE, f"'{TaskStatus.PENDING}'", f"'{TaskStatus.HANDLING}'", "acknowledged_at", "%(note)s",
         "station_id", "NULL", "acknowledged_at IS NOT NULL"),
        (Action.HANDLE, signed_first, f"'{TaskStatus.FEEDBACK}'", "handled_at", outcome_note, "station_id", "NULL",
         "handled_at IS NOT NULL"),
        (Action.ACCEPT, f"'{TaskStatus.FEEDBACK}'", f"'{TaskStatus.CLOSED}'", "handled_at", "%(note)s", "station_id",
         "NULL", "handled_at IS NOT NULL"),
    ]  # fmt: skip
    selects = " UNION ALL ".join(
        f"SELECT id, '{action}', {before}, {after}, %(by)s::integer, {at}, {note}, {from_unit}, {to_unit} "
        f"FROM {tasks} WHERE id = ANY(%(ids)s) AND {when}"
        for action, before, after, at, note, from_unit, to_unit, when in steps
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {selects}",
                       {"ids": task_ids, "by": getattr(user, "pk", None), "note": IMPORTED_NOTE})  # fmt: skip


def _insert_transitions(moves: list[Move]) -> None:
    """``COPY`` on PostgreSQL, a plain ``executemany`` elsewhere (transitions have no
    history of their own; ``bulk_create`` would compile every row and batch 99 of them on
    SQLite). A history import writes about four per task: this is most of its time."""
    if not moves:
        return
    connection = _connection()
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    fields = [TaskTransition._meta.get_field(name.removesuffix("_id")) for name in Move._fields]
    sql = (
        f"INSERT INTO {quote(TaskTransition._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            bulk.copy_rows(cursor, TaskTransition, fields, moves)
            return
        for batch in chunks(moves, bulk.BATCH):
            cursor.executemany(sql, [move._replace(at=adapt(move.at)) for move in batch])
