"""What a bulletin shows, in order: its head, sections, paragraphs, tables and charts,
laid out once from a ``doc`` (see ``bulletins.render``) so that Word, PDF, Excel and the
in-app preview show the same document.

Tables keep raw values (numbers stay numbers, for Excel); ``Column.show`` formats a cell
as the documents print it: money in 万元 with two decimals, changes as ``+5.3%`` /
``-7.1%`` / ``持平``, ``—`` where there is no figure or no base.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
NUMERALS = "一二三四五六七八九十"
# The charts a kind's document carries (bulletins.render.charts draws them).
CHART_KINDS = frozenset({"month", "quarter", "year"})
# The frequent, short ones (日通报, 周研判) leave out the victim profile and the publicity table.
SHORT_KINDS = frozenset({"day", "week"})


@dataclass(frozen=True)
class Column:
    label: str
    # text | int | wan (yuan, shown in 万元) | pct (a change, in %) | share | rate (in %) | float
    # (two decimals) | points (a rate's change) | num (the row says: ``Table.row_kinds``)
    kind: str = "text"

    def show(self, value) -> str:
        if value is None or value == "":
            return "—"
        if self.kind == "int":
            return str(int(value))
        if self.kind == "wan":
            return str((Decimal(str(value)) / 10000).quantize(CENT, rounding=ROUND_HALF_UP))
        if self.kind == "pct":
            return "持平" if value == 0 else f"{value:+.1f}%"
        if self.kind == "points":
            return "持平" if value == 0 else f"{value:+.1f}个百分点"
        if self.kind in ("share", "rate"):
            return f"{value:.1f}%"
        if self.kind == "float":
            return f"{value:.2f}"
        return str(value)

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class Table:
    key: str  # a short English name (the Excel sheet is named by ``title``)
    title: str  # 表1 各单位发案情况
    columns: list[Column]
    rows: list[list]
    total: list | None = None  # a 合计 row, same shape as a row
    note: str = ""  # printed under the table
    row_kinds: list[str] | None = None  # for "num" columns: each row's kind (rows, then total)

    def kind_of(self, column: Column, index: int) -> str:
        """The kind of a cell: its column's, or for a "num" column its row's (``index`` is
        the row's position; ``len(rows)`` is the total row). A rate row's changes are in
        percentage points."""
        if not self.row_kinds:
            return column.kind
        if column.kind == "num":
            return self.row_kinds[index]
        if column.kind == "pct" and self.row_kinds[index] == "rate":
            return "points"
        return column.kind

    def shown(self, row: list, index: int) -> list[str]:
        return [
            Column(column.label, self.kind_of(column, index)).show(value)
            for column, value in zip(self.columns, row, strict=True)
        ]


@dataclass
class Section:
    key: str
    heading: str  # 一、总体情况
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # keys of bulletins.render.charts


@dataclass
class Layout:
    title: str  # 江临市公安局打击治理电信网络诈骗工作通报
    number_label: str  # 2026年第10期 (or 草稿…)
    kind_label: str  # 月通报
    period_label: str  # 2026年10月
    issuer: str  # 江临市公安局反诈中心
    date_line: str  # 2026年11月2日 (issue date; the drafting date for a draft)
    caliber: str
    status: str
    revision: int
    correction: dict | None  # {"note": str, "table": Table} on a corrected revision
    sections: list[Section]
    with_charts: bool

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    def tables(self) -> list[Table]:
        found = [table for section in self.sections for table in section.tables]
        return ([self.correction["table"]] if self.correction else []) + found


# ---------------------------------------------------------------------------------------


def _chinese_date(iso: str) -> str:
    day = dt.datetime.fromisoformat(iso).date() if "T" in iso else dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def _summary(payload: dict) -> dict[str, str]:
    return {part["heading"]: part["text"] for part in payload["summary"]}


METRIC_ROWS = (
    "reports", "cases", "loss", "solved", "arrests", "frozen", "recovered", "returned",
    "warnings_received", "on_time_rate", "dissuaded", "warned_victims", "publicity_activities", "publicity_reach",
)  # fmt: skip


def _metrics_table(payload: dict) -> Table:
    columns = [Column("指标"), Column("本期", "num"), Column("去年同期", "num"), Column("同比", "pct"),
               Column("上期", "num"), Column("环比", "pct")]  # fmt: skip
    rows, kinds = [], []
    for key in METRIC_ROWS:
        entry = payload["overall"][key]
        measure = "万元" if entry["unit"] == "元" else entry["unit"]
        value, yoy_pct, mom_pct = entry["value"], entry["yoy_pct"], entry["mom_pct"]
        if entry["unit"] == "%":  # a rate changes by points, not by a percentage of itself
            yoy_pct, mom_pct = (None if value is None or base is None else round(value - base, 1)
                                for base in (entry["yoy_base"], entry["mom_base"]))  # fmt: skip
        rows.append([f"{entry['label']}（{measure}）", value, entry["yoy_base"], yoy_pct, entry["mom_base"], mom_pct])
        kinds.append({"元": "wan", "%": "rate"}.get(entry["unit"], "int"))
    return Table("overall", "主要指标", columns, rows, row_kinds=kinds)


def _units_table(payload: dict) -> Table:
    columns = [Column("单位"), Column("发案数", "int"), Column("同比", "pct"), Column("损失（万元）", "wan"),
               Column("同比", "pct"), Column("万人发案", "float"), Column("超期预警", "int"),
               Column("目标"), Column("排名", "int")]  # fmt: skip
    rows = []
    for row in payload["units"]:
        if not row["has_target"]:
            target = "—"
        elif row["target_met"] is None:
            target = "未到期"
        else:
            target = "达标" if row["target_met"] else "未达标"
        if row["card_label"]:
            target = f"{target}（{row['card_label']}）"
        rows.append([row["name"], row["cases"], row["cases_yoy_pct"], row["loss"], row["loss_yoy_pct"],
                     row["cases_per_10k"], row["warnings_overdue"], target, row["rank"]])  # fmt: skip
    overall = payload["overall"]
    total = ["合计", overall["cases"]["value"], overall["cases"]["yoy_pct"], overall["loss"]["value"],
             overall["loss"]["yoy_pct"], overall["cases_per_10k"]["value"], overall["warnings_overdue"]["value"],
             "", None]  # fmt: skip
    return Table("units", "各单位发案情况", columns, rows, total, note="排名按发案数由多到少。")


def _cards_line(payload: dict) -> str | None:
    red = [row["name"] for row in payload["units"] if row["card"] == "red"]
    yellow = [row["name"] for row in payload["units"] if row["card"] == "yellow"]
    if not red and not yellow:
        return None
    parts = []
    if red:
        parts.append(f"红牌：{'、'.join(red)}")
    if yellow:
        parts.append(f"黄牌：{'、'.join(yellow)}")
    return "目标考核亮牌情况：" + "；".join(parts) + "。"


def _areas_table(payload: dict) -> Table:
    columns = [Column("社区（村）"), Column("所属街道（乡镇）"), Column("人口", "int"), Column("发案数", "int"),
               Column("同比", "pct"), Column("损失（万元）", "wan"), Column("万人发案", "float")]  # fmt: skip
    rows = [[a["label"], (a["area"] or {}).get("parent") or "", a["population"], a["cases"], a["cases_yoy_pct"],
             a["loss"], a["cases_per_10k"]] for a in payload["areas"] or []]  # fmt: skip
    return Table("areas", "辖区各社区（村）发案情况", columns, rows)


def _structure_table(payload: dict) -> Table:
    columns = [Column("诈骗类型"), Column("发案数", "int"), Column("占比", "share"), Column("同比", "pct"),
               Column("损失（万元）", "wan"), Column("占比", "share"), Column("同比", "pct")]  # fmt: skip
    rows = [[r["name"], r["cases"], r["cases_share"], r["cases_yoy_pct"], r["loss"], r["loss_share"], r["loss_yoy_pct"]]
            for r in payload["structure"]["rows"] if r["cases"] or r["loss"]]  # fmt: skip
    total = payload["structure"]["total"]
    total_row = ["合计", total["cases"], 100.0 if total["cases"] else None, total["cases_yoy_pct"], total["loss"],
                 100.0 if total["loss"] else None, total["loss_yoy_pct"]]  # fmt: skip
    return Table("structure", "发案类型结构", columns, rows, total_row, note="按发案数由多到少排列。")


def _victims_table(payload: dict) -> Table:
    columns = [Column("维度"), Column("分组"), Column("人数", "int"), Column("占比", "share"), Column("同比", "pct")]
    names = {"age_band": "年龄", "gender": "性别", "residency": "户籍"}
    rows = [[names[by], r["label"], r["count"], r["share"], r["yoy_pct"]]
            for by, group in payload["victims"].items() for r in group if r["count"] or r["yoy_base"]]  # fmt: skip
    return Table("victims", "受害人画像", columns, rows)


def _large_cases_table(payload: dict) -> Table:
    columns = [Column("案件编号"), Column("受理日期"), Column("办案单位"), Column("诈骗类型"),
               Column("损失（万元）", "wan")]  # fmt: skip
    rows = [[c["case_no"], c["date"], c["station"], c["fraud_type"], c["loss"]] for c in payload["large_cases"]]
    return Table("large_cases", "重大案件", columns, rows)


def _overdue_table(payload: dict) -> Table:
    columns = [Column("单位"), Column("期末超期未处置", "int")]
    rows = [[r["name"], r["overdue"]] for r in payload["warnings"]["overdue_by_unit"]]
    total = ["合计", payload["overall"]["warnings_overdue"]["value"]]
    return Table("overdue", "预警超期未处置情况", columns, rows, total)


def _publicity_table(payload: dict) -> Table:
    columns = [Column("宣传形式"), Column("活动次数", "int"), Column("覆盖人数", "int")]
    rows = [[r["label"], r["n"], r["reach"]] for r in payload["publicity"]["by_form"]]
    metrics = payload["publicity"]["metrics"]
    total = ["合计", metrics["publicity_activities"]["value"], metrics["publicity_reach"]["value"]]
    return Table("publicity", "宣传活动情况", columns, rows, total)


def _changes_table(changes: list[dict]) -> Table:
    columns = [Column("更正项目"), Column("原数"), Column("更正后")]
    rows = []
    for change in changes:
        measure = change.get("measure", "")
        shown = [_show_change_value(change[k], measure) for k in ("old", "new")]
        rows.append([change["label"], *shown])
    return Table("changes", "更正的数字", columns, rows)


def _show_change_value(value, measure: str) -> str:
    if value is None:
        return "—"
    if measure == "change":
        return Column("", "pct").show(value)
    if measure == "元":
        return f"{Column('', 'wan').show(value)}万元"
    if measure == "%":
        return f"{value:.1f}%"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}{measure}"
    return f"{int(value) if isinstance(value, float) else value}{measure}"


def layout(doc: dict) -> Layout:
    payload, issue = doc["payload"], doc["issue"]
    meta = payload["meta"]
    text = _summary(payload)
    is_station = payload["units"] is None
    sections: list[Section] = []

    def add(key: str, heading: str, paragraphs=(), tables=(), charts=()) -> None:
        heading = f"{NUMERALS[len(sections)]}、{heading}"
        sections.append(Section(key, heading, [p for p in paragraphs if p], list(tables), list(charts)))

    with_charts = issue["kind"] in CHART_KINDS
    add("overall", "总体情况", [text.get("总体情况"), text.get("三升三降")], [_metrics_table(payload)],
        ["trend"] if with_charts else [])  # fmt: skip
    if is_station:
        add("areas", "辖区发案情况", [], [_areas_table(payload)])
    else:
        add("units", "各单位情况", [text.get("各单位情况"), _cards_line(payload)], [_units_table(payload)],
            ["units"] if with_charts else [])  # fmt: skip
    add("structure", "案件结构", [], [_structure_table(payload)], ["structure"] if with_charts else [])
    short = issue["kind"] in SHORT_KINDS
    if not short:
        add("victims", "受害人画像", [], [_victims_table(payload)])
    threshold = meta["large_case_yuan"] / 10000
    large = _large_cases_table(payload)
    if large.rows:
        line = f"本期损失{threshold:g}万元以上案件{len(large.rows)}起。"
    else:
        line = f"本期无损失{threshold:g}万元以上案件。"
    add("large_cases", "重大案件", [line], [large] if large.rows else [])
    add("warnings", "预警劝阻", [text.get("预警劝阻")], [] if is_station else [_overdue_table(payload)])
    add("publicity", "宣传防范", [text.get("宣传防范")], [] if short else [_publicity_table(payload)])
    add("hints", "下步工作提示", [text.get("下步工作提示")])

    correction = None
    if issue["revision"] > 1:
        correction = {"note": issue["correction_note"], "table": _changes_table(issue["changes"])}
    stamp = issue["issued_at"] or meta["generated_at"]
    return Layout(
        title=meta["title"],
        number_label=issue["number_label"],
        kind_label=issue["kind_label"],
        period_label=meta["period"]["label"],
        issuer=meta["unit"]["name"],
        date_line=_chinese_date(stamp),
        caliber=meta["caliber"],
        status=issue["status"],
        revision=issue["revision"],
        correction=correction,
        sections=sections,
        with_charts=with_charts,
    )
