"""Writes to cases and their ledgers: the only place their state changes.

Every function is atomic, records the acting user in the history, and raises
``CaseError`` (Chinese message) for a mistake the user can correct. Bulk imports use
``imports`` with the same rules (``cases.ledger``) in bulk.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cases.models import MONEY_EVENTS, CaseEvent, EventKind, FraudCase
from orgs.errors import DomainError
from orgs.models import Unit, UnitLevel
from orgs.records import record_void

CASE_FIELDS = (
    "case_no", "reported_on", "occurred_on", "station", "area", "place", "fraud_type", "loss", "filed",
    "victim_age", "victim_gender", "victim_occupation", "residency", "warned_before",
)  # fmt: skip


class CaseError(DomainError):
    pass


def _check_case(case: FraudCase) -> None:
    if case.station.level != UnitLevel.STATION:
        raise CaseError("办案单位必须是派出所。", field="station")
    if case.area_id and case.area.station_id != case.station_id:
        raise CaseError(f"发案地“{case.area.name}”不属于{case.station.name}。", field="area")
    if case.loss is not None and case.loss < 0:
        raise CaseError("损失金额不能为负数。", field="loss")
    today = timezone.localdate()
    if case.reported_on and case.reported_on > today:
        raise CaseError("受理日期不能晚于今天。", field="reported_on")
    if case.occurred_on and case.reported_on and case.occurred_on > case.reported_on:
        raise CaseError("发案日期不能晚于受理日期。", field="occurred_on")


@transaction.atomic
def case_create(*, user, **fields) -> FraudCase:
    if FraudCase.objects.filter(case_no=fields.get("case_no")).exists():
        raise CaseError(f"案件编号“{fields.get('case_no')}”已存在。", field="case_no")
    case = FraudCase(**fields)
    _check_case(case)
    case._history_user = user
    case.save()
    return case


@transaction.atomic
def case_update(*, case: FraudCase, user, **fields) -> FraudCase:
    case = FraudCase.objects.select_for_update().get(pk=case.pk)
    if case.is_voided:
        raise CaseError("该案件已作废，不能修改。")
    new_no = fields.get("case_no", case.case_no)
    if new_no != case.case_no and FraudCase.objects.filter(case_no=new_no).exclude(pk=case.pk).exists():
        raise CaseError(f"案件编号“{fields['case_no']}”已存在。", field="case_no")
    for name, value in fields.items():
        setattr(case, name, value)
    _check_case(case)
    case._history_user = user
    case.save()
    return case


def case_void(*, case: FraudCase, user, reason: str) -> FraudCase:
    return record_void(case, user=user, reason=reason, error=CaseError, what="案件")


@transaction.atomic
def case_event_add(
    *, case: FraudCase, user, kind: str, occurred_on: date, count: int | None = None,
    amount: Decimal | None = None, note: str = "",
) -> CaseEvent:  # fmt: skip
    """Add one event to the ledger. 破案 happens once and sets the case's 破案日期."""
    case = FraudCase.objects.select_for_update().get(pk=case.pk)
    if case.is_voided:
        raise CaseError("该案件已作废，不能登记进展。")
    if kind not in EventKind.values:
        raise CaseError(f"未知的进展类型“{kind}”。", field="kind")
    if occurred_on > timezone.localdate():
        raise CaseError("进展日期不能晚于今天。", field="occurred_on")
    if occurred_on < case.reported_on:
        raise CaseError(f"进展日期不能早于受理日期（{case.reported_on:%Y-%m-%d}）。", field="occurred_on")
    if kind == EventKind.ARREST and not (count and count > 0):
        raise CaseError("抓获须填写大于 0 的人数。", field="count")
    if kind in MONEY_EVENTS and not (amount and amount > 0):
        raise CaseError("请填写大于 0 的金额。", field="amount")
    if kind == EventKind.SOLVED:
        if case.solved_on:
            raise CaseError(f"该案件已于 {case.solved_on:%Y-%m-%d} 破案。", field="kind")
        case.solved_on = occurred_on
        case._history_user = user
        case.save(update_fields=["solved_on", "updated_at"])
    event = CaseEvent(
        case=case, kind=kind, occurred_on=occurred_on, note=note,
        count=count if kind == EventKind.ARREST else None,
        amount=amount if kind in MONEY_EVENTS else None,
    )  # fmt: skip
    event._history_user = user
    event.save()
    return event


@transaction.atomic
def case_event_void(*, event: CaseEvent, user, reason: str) -> CaseEvent:
    """Void a ledger event; voiding the 破案 event makes the case unsolved again."""
    event = record_void(event, user=user, reason=reason, error=CaseError, what="进展")
    if event.kind == EventKind.SOLVED:
        case = event.case
        case.solved_on = None
        case._history_user = user
        case.save(update_fields=["solved_on", "updated_at"])
    return event


def case_totals(case: FraudCase) -> dict[str, Decimal | int]:
    """The ledger's live totals per kind: arrests as a count, money as yuan."""
    totals: dict[str, Decimal | int] = {}
    rows = case.events.live().values("kind").annotate(people=Sum("count"), money=Sum("amount"))
    for row in rows:
        totals[row["kind"]] = row["people"] if row["kind"] == EventKind.ARREST else row["money"]
    return totals


def stations_for(user):
    """Stations a user may put a record in (their subtree's stations)."""
    return Unit.objects.for_user(user).filter(level=UnitLevel.STATION)
