"""Cases (电诈案件) and case events (案件进展): the ``cases`` and ``case_events`` formats."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from functools import partial

from django.db.models import Sum
from django.utils import timezone

from cases.ledger import ledger_changes
from cases.models import MONEY_EVENTS, CaseEvent, EventKind, FraudCase, Gender, Residency
from imports import bulk
from imports.kinds.base import Column, Context, Kind, Row, WriteResult, chunks, stored
from imports.kinds.refs import AreaLookup, FraudTypeLookup, UnitLookup
from imports.parsers import choice_parser, parse_bool, parse_count, parse_date, parse_money, parse_text
from orgs.models import UnitLevel

LEDGER_KINDS = {"arrested": EventKind.ARREST, "frozen": EventKind.FREEZE, "recovered": EventKind.RECOVER,
                "returned": EventKind.RETURN}  # fmt: skip
# The date a change of each total is booked on: its own column, else 破案日期, else 受理日期.
LEDGER_DATES = {"arrested": (), "frozen": ("frozen_on",), "recovered": ("recovered_on",), "returned": ("returned_on",)}


def text(max_length: int):
    return partial(parse_text, max_length=max_length)


GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "male": Gender.MALE, "female": Gender.FEMALE, "m": Gender.MALE,
           "f": Gender.FEMALE}  # fmt: skip
RESIDENCIES = {"常住": Residency.RESIDENT, "流动": Residency.TRANSIENT, "resident": Residency.RESIDENT,
               "transient": Residency.TRANSIENT}  # fmt: skip
parse_gender = choice_parser(GENDERS, what="性别")
parse_residency = choice_parser(RESIDENCIES, what="户籍类型")


class CasesKind(Kind):
    name = "cases"
    label = "电诈案件"
    columns = (
        Column("case_no", "案件编号", "case_no", text(64), required=True),
        Column("reported_on", "受理日期", "reported_on", parse_date, required=True),
        Column("occurred_on", "发案日期", "occurred_on", parse_date),
        Column("station", "办案单位", "station", text(100), required=True),
        Column("area", "发案地", "area", text(100)),
        Column("place", "发案部位", "place", text(200)),
        Column("fraud_type", "诈骗类型", "fraud_type", text(50), required=True),
        Column("loss", "损失金额", "loss", parse_money, required=True),
        Column("filed", "是否立案", "filed", parse_bool),
        Column("victim_age", "受害人年龄", "victim_age", partial(parse_count, maximum=120)),
        Column("victim_gender", "受害人性别", "victim_gender", parse_gender),
        Column("victim_occupation", "受害人职业", "victim_occupation", text(50)),
        Column("residency", "户籍类型", "residency", parse_residency),
        Column("warned_before", "预警后被骗", "warned_before", parse_bool),
        Column("solved_on", "破案日期", "solved_on", parse_date),
        Column("arrested", "抓获人数", "arrested", parse_count),
        Column("frozen", "冻结金额", "frozen", parse_money),
        Column("recovered", "追赃金额", "recovered", parse_money),
        Column("returned", "返还金额", "returned", parse_money),
        Column("frozen_on", "冻结日期", "frozen_on", parse_date),
        Column("recovered_on", "追赃日期", "recovered_on", parse_date),
        Column("returned_on", "返还日期", "returned_on", parse_date),
    )

    def key(self, row: Row) -> str:
        return row.values["case_no"]

    def check(self, row: Row) -> None:
        v = row.values
        today = timezone.localdate()
        for key in ("reported_on", "occurred_on", "solved_on", "frozen_on", "recovered_on", "returned_on"):
            if v[key] and v[key] > today:
                row.fail(key, "日期晚于今天")
        if v["occurred_on"] and v["occurred_on"] > v["reported_on"]:
            row.fail("occurred_on", "发案日期晚于受理日期")
        if v["solved_on"] and v["solved_on"] < v["reported_on"]:
            row.fail("solved_on", "破案日期早于受理日期")

    def resolve(self, rows: list[Row], ctx: Context) -> None:
        stations = UnitLookup(None if ctx.is_system else ctx.user, level=UnitLevel.STATION)
        types = FraudTypeLookup()
        for row in rows:
            if row.values["station"]:
                row.values["station"], reason = stations.find(row.values["station"])
                if reason:
                    row.fail("station", reason)
            if row.values["fraud_type"]:
                row.values["fraud_type"], reason = types.find(row.values["fraud_type"])
                if reason:
                    row.fail("fraud_type", reason)
        named = [r for r in rows if r.values["area"] and r.values["station"]]
        areas = AreaLookup({r.values["area"] for r in named}, {r.values["station"].pk for r in named})
        for row in named:
            row.values["area"], reason = areas.find(row.values["area"], row.values["station"])
            if reason:
                row.fail("area", reason)

    def _fields(self, row: Row, present: set[str]) -> dict:
        """The case's model fields from the row; columns absent from the file are left out."""
        v = row.values
        fields = {
            "reported_on": v["reported_on"], "station_id": v["station"].pk, "fraud_type_id": v["fraud_type"].pk,
            "loss": v["loss"],
        }  # fmt: skip
        optional = {
            "occurred_on": v["occurred_on"],
            "area_id": v["area"].pk if v["area"] else None,
            "place": v["place"] or "",
            "filed": True if v["filed"] is None else v["filed"],
            "victim_age": v["victim_age"],
            "victim_gender": v["victim_gender"] or "",
            "victim_occupation": v["victim_occupation"] or "",
            "residency": v["residency"] or "",
            "warned_before": bool(v["warned_before"]),
        }
        fields.update({name: value for name, value in optional.items() if name.removesuffix("_id") in present})
        if v["solved_on"]:
            fields["solved_on"] = v["solved_on"]
        return fields

    def write(self, rows: list[Row], ctx: Context) -> WriteResult:
        result = WriteResult()
        existing = stored(FraudCase.objects.all(), "case_no", [r.values["case_no"] for r in rows])

        created: list[dict] = []  # new cases as plain values: no model instances for a million rows
        updated, changed_fields, live_rows = [], set(), []
        for row in rows:
            fields = self._fields(row, ctx.present)
            case = existing.get(row.values["case_no"])
            if case is None:
                created.append({"case_no": row.values["case_no"], "solved_on": None, **fields})
            elif case.is_voided:
                result.warnings.append(f"第 {row.number} 行：案件 {case.case_no} 已作废，未更新")
                result.unchanged += 1
                continue
            else:
                diff = [name for name, value in fields.items() if getattr(case, name) != value]
                if diff:
                    for name in diff:
                        setattr(case, name, fields[name])
                    changed_fields.update(diff)
                    updated.append(case)
            live_rows.append((row, case))

        total = len(rows)
        ctx.progress("write", 0, total)
        names = list(created[0]) if created else []
        new_ids = bulk.insert_values(FraudCase, names, [[c[n] for n in names] for c in created], user=ctx.user,
                                     key="case_no")  # fmt: skip
        bulk.update(FraudCase, updated, changed_fields, user=ctx.user)
        ctx.progress("write", int(0.8 * total), total)
        pairs = [(row, case.pk if case else new_ids[row.values["case_no"]]) for row, case in live_rows]
        ledger_touched = self._write_ledger(pairs, existing_ids={c.pk for c in existing.values()}, ctx=ctx)

        updated_ids, created_ids = {c.pk for c in updated}, set(new_ids.values())
        result.created = len(created)
        for _, case_id in pairs:
            if case_id in created_ids:
                continue
            if case_id in updated_ids or case_id in ledger_touched:
                result.updated += 1
            else:
                result.unchanged += 1
        return result

    def _write_ledger(self, pairs: list[tuple[Row, int]], *, existing_ids: set[int], ctx: Context) -> set[int]:
        """Bring each case's ledger to the totals of its row; returns the case ids changed.
        Only cases stored before this file can have events already."""
        totals: dict[int, dict[str, Decimal | int]] = {}
        solved: dict[int, CaseEvent] = {}
        for chunk in chunks([case_id for _, case_id in pairs if case_id in existing_ids]):
            events = CaseEvent.objects.live().filter(case_id__in=chunk)
            for row in (
                events.exclude(kind=EventKind.SOLVED)
                .values("case_id", "kind")
                .annotate(people=Sum("count"), money=Sum("amount"))
            ):
                value = row["people"] if row["kind"] == EventKind.ARREST else row["money"]
                totals.setdefault(row["case_id"], {})[row["kind"]] = value
            solved.update((e.case_id, e) for e in events.filter(kind=EventKind.SOLVED))

        new_events, moved, touched = [], [], set()
        for row, case_id in pairs:
            v = row.values
            solved_on = v["solved_on"]
            if solved_on:
                event = solved.get(case_id)
                if event is None:
                    new_events.append([case_id, EventKind.SOLVED, solved_on, None, None, ""])
                    touched.add(case_id)
                elif event.occurred_on != solved_on:
                    event.occurred_on = solved_on
                    event.note = "更正：上级平台导出的破案日期变更"
                    moved.append(event)
                    touched.add(case_id)
            fallback = solved_on or v["reported_on"]
            wanted = {kind: v[key] for key, kind in LEDGER_KINDS.items()}
            dates = {
                kind: next((v[d] for d in LEDGER_DATES[key] if v[d]), fallback) for key, kind in LEDGER_KINDS.items()
            }
            for change in ledger_changes(current=totals.get(case_id, {}), wanted=wanted, dates=dates):
                new_events.append([case_id, change.kind, change.occurred_on, change.count, change.amount, change.note])
                touched.add(case_id)
        bulk.insert_values(CaseEvent, EVENT_FIELDS, new_events, user=ctx.user)
        bulk.update(CaseEvent, moved, ["occurred_on", "note"], user=ctx.user)
        return touched


EVENT_FIELDS = ["case_id", "kind", "occurred_on", "count", "amount", "note"]


parse_event_kind = choice_parser(
    {**{k.label: k.value for k in EventKind}, **{k.value: k.value for k in EventKind},
     "recovered": EventKind.RECOVER, "returned": EventKind.RETURN, "frozen": EventKind.FREEZE},
    what="事件",
)  # fmt: skip


class CaseEventsKind(Kind):
    """One row per event. Importing a file twice adds nothing: a row counts as already
    there when the case has as many live identical events as the file has such rows."""

    name = "case_events"
    label = "案件进展"
    columns = (
        Column("case_no", "案件编号", "case_no", text(64), required=True),
        Column("kind", "事件", "kind", parse_event_kind, required=True),
        Column("on", "日期", "on", parse_date, required=True),
        Column("count", "人数", "count", parse_count),
        Column("amount", "金额", "amount", parse_money),
    )

    def key(self, row: Row):
        # Identical rows are legitimate (two arrests of one person on a day): number them.
        return (row.number,)

    def check(self, row: Row) -> None:
        v = row.values
        if v["on"] > timezone.localdate():
            row.fail("on", "日期晚于今天")
        if v["kind"] == EventKind.ARREST and not v["count"]:
            row.fail("count", "抓获须填写大于 0 的人数")
        if v["kind"] in MONEY_EVENTS and not v["amount"]:
            row.fail("amount", "冻结、追赃、返还须填写大于 0 的金额")

    def resolve(self, rows: list[Row], ctx: Context) -> None:
        rows = [r for r in rows if r.values["case_no"] and r.values["on"]]
        numbers = sorted({r.values["case_no"] for r in rows})
        cases: dict[str, FraudCase] = {}
        scope = FraudCase.objects.all() if ctx.is_system else FraudCase.objects.for_user(ctx.user)
        for chunk in chunks(numbers):
            cases.update((c.case_no, c) for c in scope.filter(case_no__in=chunk))
        for row in rows:
            case = cases.get(row.values["case_no"])
            if case is None:
                row.fail("case_no", "找不到这个案件（或不在您的管辖范围内）：请先导入案件表")
            elif case.is_voided:
                row.fail("case_no", "案件已作废")
            elif row.values["on"] < case.reported_on:
                row.fail("on", f"早于案件的受理日期 {case.reported_on:%Y-%m-%d}")
            else:
                row.values["case"] = case

    @staticmethod
    def _signature(case_id: int, kind: str, on, count, amount) -> tuple:
        return (case_id, kind, on, count if kind == EventKind.ARREST else None,
                amount if kind in MONEY_EVENTS else None)  # fmt: skip

    def write(self, rows: list[Row], ctx: Context) -> WriteResult:
        result = WriteResult()
        case_ids = sorted({r.values["case"].pk for r in rows})
        stored: Counter = Counter()
        solved_on: dict[int, object] = {}
        for chunk in chunks(case_ids):
            for e in CaseEvent.objects.live().filter(case_id__in=chunk):
                stored[self._signature(e.case_id, e.kind, e.occurred_on, e.count, e.amount)] += 1
                if e.kind == EventKind.SOLVED:
                    solved_on[e.case_id] = e.occurred_on

        new_events, solved_cases = [], []
        for row in rows:
            v, case = row.values, row.values["case"]
            signature = self._signature(case.pk, v["kind"], v["on"], v["count"], v["amount"])
            if stored[signature] > 0:
                stored[signature] -= 1
                result.unchanged += 1
                continue
            if v["kind"] == EventKind.SOLVED:
                if case.pk in solved_on:
                    result.warnings.append(
                        f"第 {row.number} 行：案件 {case.case_no} 已于 {solved_on[case.pk]:%Y-%m-%d} 破案，未重复登记"
                    )
                    result.unchanged += 1
                    continue
                solved_on[case.pk] = v["on"]
                case.solved_on = v["on"]
                solved_cases.append(case)
            new_events.append(
                CaseEvent(case=case, kind=v["kind"], occurred_on=v["on"],
                          count=v["count"] if v["kind"] == EventKind.ARREST else None,
                          amount=v["amount"] if v["kind"] in MONEY_EVENTS else None)
            )  # fmt: skip
            result.created += 1
        bulk.insert(CaseEvent, new_events, user=ctx.user)
        bulk.update(FraudCase, solved_cases, ["solved_on"], user=ctx.user)
        return result
