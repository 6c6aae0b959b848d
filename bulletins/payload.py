"""The payload of a bulletin: everything it shows, computed once from the statistics
engine and stored as JSON, so that renderers never read the database.

``build_payload(unit, kind, period)`` returns a dict of plain JSON values:

- numbers stay numbers: counts as ints, money as **yuan** floats with two decimals
  (as the stats JSON carries them; renderers show 万元 through ``bulletins.summary.wan``),
  rates and changes as floats (changes to one decimal, ``None`` when the base is 0);
- dates as ISO strings, times as ISO strings with their offset.

Top level: ``schema``, ``meta``, ``overall``, ``sanshang_sanjiang``, ``units`` (None for a
station), ``areas`` (stations only, else None), ``structure``, ``victims``,
``large_cases``, ``warnings``, ``publicity``, ``trend``, ``hints``, ``summary``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils import timezone

from cases.models import FraudCase
from orgs.models import Unit, UnitLevel
from publicity.models import PublicityForm
from stats.breakdowns import by_area, by_children, by_fraud_type, by_profile, by_time
from stats.metrics import metrics
from stats.models import PublicityFact
from stats.periods import Period, PeriodKind, period_for
from stats.targets import Card, UnitTargets, sanshang_sanjiang, targets_for_children

from .summary import scope_word, summary_paragraphs

SCHEMA_VERSION = 1
CENT = Decimal("0.01")
CARD_SEVERITY = {Card.NONE: 0, Card.YELLOW: 1, Card.RED: 2}
# A long period's chart reads better by week than by day.
TREND_BY = {PeriodKind.QUARTER: "week", PeriodKind.YEAR: "week", PeriodKind.YTD: "week"}
SOURCES = "电信网络诈骗警情及立案案件、破案抓获及资金冻结追赃返还台账、预警劝阻任务、反诈宣传活动记录"


def _money(value) -> float | None:
    """Yuan as a float with two decimals (how the stats JSON carries money)."""
    return None if value is None else float(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def _span(start: str, end: str) -> str:
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if first.year == last.year:
        return f"{first.year}年{first.month}月{first.day}日—{last.month}月{last.day}日"
    return f"{first.year}年{first.month}月{first.day}日—{last.year}年{last.month}月{last.day}日"


def _stamp(iso: str | None) -> str:
    if not iso:
        return "—"
    return timezone.localtime(dt.datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------------------
# Sections


def _meta(unit: Unit, kind: str, stats: dict, now: dt.datetime, large_case_yuan: int) -> dict:
    yoy, mom = stats["yoy_period"], stats["mom_period"]
    caliber = (
        f"口径：数据来源于{SOURCES}，统计范围为{unit.name}及所辖全部单位；"
        f"警情、发案、损失按受理日期统计，破案、抓获、冻结、追赃、返还按各自发生日期统计；"
        f"本期为{_span(stats['period']['start'], stats['period']['end'])}，"
        f"同比期为{_span(yoy['start'], yoy['end'])}，环比期为{_span(mom['start'], mom['end'])}；"
        f"金额单位为万元；数据更新时间：{_stamp(stats['refreshed_at'])}。"
    )
    return {
        "title": f"{unit.name}打击治理电信网络诈骗工作通报",
        "unit": stats["unit"],
        "scope_word": scope_word(unit.name, unit.level),
        "kind": kind,
        "period": stats["period"],
        "yoy_period": yoy,
        "mom_period": mom,
        "caliber": caliber,
        "generated_at": now.isoformat(),
        "refreshed_at": stats["refreshed_at"],
        "large_case_yuan": large_case_yuan,
    }


def _sanshang(unit: Unit, period: Period, now: dt.datetime) -> dict:
    result = sanshang_sanjiang(unit, period, now=now)
    items = [
        {
            "key": item.key,
            "label": item.label,
            "measure": item.measure,
            "should_rise": item.should_rise,
            "value": _money(item.value) if item.measure == "元" else item.value,
            "yoy_base": _money(item.yoy_base) if item.measure == "元" else item.yoy_base,
            "yoy_pct": item.yoy_pct,
            "ok": item.ok,
        }
        for item in result.items
    ]
    return {"items": items, "achieved": result.achieved, "unknown": result.unknown, "text": result.summary}


def _target_columns(row: UnitTargets | None) -> dict:
    """Met / missed and the worse card of a child's 发案 and 损失 targets."""
    statuses = [s for s in (row.statuses.values() if row else []) if s is not None]
    judged = [s.met for s in statuses if s.met is not None]
    card = max((s.card for s in statuses), key=lambda c: CARD_SEVERITY[Card(c)], default=Card.NONE)
    return {
        "has_target": bool(statuses),
        "target_met": all(judged) if judged else None,
        "card": str(card),
        "card_label": Card(card).label if card != Card.NONE else "",
        "target_notes": [s.note for s in statuses],
    }


def _units(unit: Unit, period: Period, now: dt.datetime) -> list[dict]:
    children = by_children(unit, period, rank_by="cases", now=now)
    targets: dict[str, UnitTargets] = {}
    if period.kind == PeriodKind.MONTH:
        targets = {row.unit.code: row for row in targets_for_children(unit, period.start, now=now)}
    rows = []
    for row in children["rows"]:
        m = row["metrics"]
        rows.append(
            {
                "code": row["unit"]["code"],
                "name": row["unit"]["name"],
                "level": row["unit"]["level"],
                "population": row["population"],
                "cases": m["cases"]["value"],
                "cases_yoy_base": m["cases"]["yoy_base"],
                "cases_yoy_pct": m["cases"]["yoy_pct"],
                "cases_share": m["cases"]["share"],
                "loss": m["loss"]["value"],
                "loss_yoy_base": m["loss"]["yoy_base"],
                "loss_yoy_pct": m["loss"]["yoy_pct"],
                "cases_per_10k": m["cases_per_10k"]["value"],
                "loss_per_10k": m["loss_per_10k"]["value"],
                "warnings_overdue": m["warnings_overdue"]["value"],
                "rank": row["rank"],
                "yoy_rank": row["yoy_rank"],
                **_target_columns(targets.get(row["unit"]["code"])),
            }
        )
    return rows


def _structure(unit: Unit, period: Period) -> dict:
    answer = by_fraud_type(unit, period)
    rows = [
        {
            "code": row["fraud_type"]["code"],
            "name": row["fraud_type"]["name"],
            **{key: row[key] for key in row if key != "fraud_type"},
        }
        for row in answer["rows"]
    ]
    return {"rows": rows, "total": answer["total"]}


def _victims(unit: Unit, period: Period) -> dict:
    return {by: by_profile(unit, period, by)["rows"] for by in ("age_band", "gender", "residency")}


def _large_cases(unit: Unit, period: Period, threshold: int) -> list[dict]:
    """Filed, live cases of the subtree reported within the period with a loss of at least
    ``threshold`` yuan, largest first. The one read of raw records: the rollups do not
    keep single cases."""
    cases = (
        FraudCase.objects.filter(
            station__in=Unit.objects.subtree(unit),
            reported_on__gte=period.start,
            reported_on__lte=period.end,
            filed=True,
            voided_at__isnull=True,
            loss__gte=threshold,
        )
        .select_related("station", "fraud_type")
        .order_by("-loss", "reported_on", "case_no")
    )
    return [
        {
            "case_no": case.case_no,
            "date": case.reported_on.isoformat(),
            "station": case.station.name,
            "fraud_type": case.fraud_type.name,
            "loss": _money(case.loss),
        }
        for case in cases
    ]


def _warnings(overall: dict, units: list[dict] | None) -> dict:
    keys = ("warnings_received", "warnings_handled", "warnings_on_time", "on_time_rate", "dissuaded",
            "dissuasion_rate", "warnings_overdue", "warned_victims", "warned_victim_rate")  # fmt: skip
    backlog = sorted(
        ({"code": u["code"], "name": u["name"], "overdue": u["warnings_overdue"]} for u in units or []),
        key=lambda r: -r["overdue"],
    )
    return {"metrics": {key: overall[key] for key in keys}, "overdue_by_unit": backlog}


def _publicity(unit: Unit, period: Period, overall: dict) -> dict:
    sums = (
        PublicityFact.objects.filter(unit__in=Unit.objects.subtree(unit), day__gte=period.start, day__lte=period.end)
        .values("form")
        .annotate(n=Sum("n"), reach=Sum("reach"))
        .order_by("-n", "form")
    )
    labels = dict(PublicityForm.choices)
    by_form = [
        {"form": row["form"], "label": labels.get(row["form"], row["form"]), "n": row["n"], "reach": row["reach"]}
        for row in sums
    ]
    return {
        "metrics": {key: overall[key] for key in ("publicity_activities", "publicity_reach")},
        "by_form": by_form,
    }


def _trend(unit: Unit, period: Period, now: dt.datetime) -> dict:
    by = TREND_BY.get(period.kind, "day")
    series = {}
    for metric in ("cases", "loss"):
        answer = by_time(unit, period, by, metric=metric, now=now)
        series[metric] = [
            {key: row[key] for key in ("label", "start", "end", "value", "yoy_start", "yoy_end", "yoy_value")}
            for row in answer["rows"]
        ]
    return {"by": by, "series": series}


def _hints(units: list[dict] | None, structure: dict) -> dict:
    """What 下步工作提示 names: children and fraud types whose cases rose 同比, the largest
    rise first; a rise from nothing (no base) after them, by cases."""

    def rising(rows: list[dict], cases: str, base: str, pct: str) -> list[dict]:
        picked = [
            {"code": r["code"], "name": r["name"], "cases": r[cases], "yoy_base": r[base], "yoy_pct": r[pct]}
            for r in rows
            if (r[pct] is not None and r[pct] > 0) or (r[pct] is None and r[cases])
        ]
        return sorted(picked, key=lambda r: (r["yoy_pct"] is None, -(r["yoy_pct"] or 0), -r["cases"]))

    return {
        "units_rising": rising(units or [], "cases", "cases_yoy_base", "cases_yoy_pct"),
        "types_rising": rising(structure["rows"], "cases", "cases_yoy_base", "cases_yoy_pct"),
    }


# ---------------------------------------------------------------------------------------


def build_payload(
    unit: Unit,
    kind: str,
    period: Period | dt.date,
    *,
    now: dt.datetime | None = None,
    large_case_yuan: int = 1_000_000,
) -> dict:
    """Everything a bulletin of ``kind`` for ``unit``'s subtree over ``period`` shows (a
    date stands for the period of ``kind`` holding it). A period still running is cut at
    today, as everywhere else. A station gets a shorter payload: its areas instead of a
    units table."""
    now = now or timezone.now()
    if isinstance(period, dt.date):
        period = period_for(kind, period)
    elif str(period.kind) != str(kind):
        raise ValueError(f"period kind {period.kind} does not match bulletin kind {kind}")
    period = period.to_date(timezone.localtime(now).date())

    stats = metrics(unit, period, now=now)
    overall = stats["metrics"]
    is_station = unit.level == UnitLevel.STATION
    units = None if is_station else _units(unit, period, now)
    structure = _structure(unit, period)
    payload = {
        "schema": SCHEMA_VERSION,
        "meta": _meta(unit, kind, stats, now, large_case_yuan),
        "overall": overall,
        "sanshang_sanjiang": _sanshang(unit, period, now),
        "units": units,
        "areas": by_area(unit, period)["rows"] if is_station else None,
        "structure": structure,
        "victims": _victims(unit, period),
        "large_cases": _large_cases(unit, period, large_case_yuan),
        "warnings": _warnings(overall, units),
        "publicity": _publicity(unit, period, overall),
        "trend": _trend(unit, period, now),
        "hints": _hints(units, structure),
    }
    payload["summary"] = summary_paragraphs(payload)
    return payload
