"""Publicity activities (反诈宣传活动): the ``publicity`` format."""

from __future__ import annotations

from functools import partial

from django.utils import timezone

from imports import bulk
from imports.kinds.base import Column, Context, Kind, Row, WriteResult, stored
from imports.kinds.refs import UnitLookup
from imports.parsers import choice_parser, parse_count, parse_date, parse_text
from publicity.models import PublicityActivity, PublicityForm

parse_form = choice_parser(
    {**{f.label: f.value for f in PublicityForm}, **{f.value: f.value for f in PublicityForm}}, what="活动形式"
)
count = partial(parse_count, maximum=100_000_000)
OPTIONAL = ("audience", "place", "reach", "materials", "app_installs")


class PublicityKind(Kind):
    name = "publicity"
    label = "宣传活动"
    columns = (
        Column("activity_no", "活动编号", "activity_no", partial(parse_text, max_length=64)),
        Column("held_on", "活动日期", "held_on", parse_date, required=True),
        Column("unit", "开展单位", "unit", partial(parse_text, max_length=100), required=True),
        Column("title", "活动名称", "title", partial(parse_text, max_length=200), required=True),
        Column("form", "活动形式", "form", parse_form, required=True),
        Column("audience", "宣传对象", "audience", partial(parse_text, max_length=50)),
        Column("place", "地点", "place", partial(parse_text, max_length=200)),
        Column("reach", "覆盖人数", "reach", count),
        Column("materials", "发放资料数", "materials", count),
        Column("app_installs", "反诈APP安装数", "app_installs", count),
    )

    def key(self, row: Row):
        v = row.values
        return ("no", v["activity_no"]) if v["activity_no"] else ("natural", v["held_on"], v["unit"], v["title"])

    def key_label(self, row: Row) -> str:
        v = row.values
        return v["activity_no"] or f"{v['held_on']:%Y-%m-%d} {v['unit']} {v['title']}"

    def key_column(self, row: Row) -> str:
        return "activity_no" if row.values["activity_no"] else "held_on"

    def check(self, row: Row) -> None:
        if row.values["held_on"] > timezone.localdate():
            row.fail("held_on", "日期晚于今天")

    def resolve(self, rows: list[Row], ctx: Context) -> None:
        units = UnitLookup(None if ctx.is_system else ctx.user)
        for row in rows:
            if row.values["unit"]:
                row.values["unit"], reason = units.find(row.values["unit"])
                if reason:
                    row.fail("unit", reason)

    def write(self, rows: list[Row], ctx: Context) -> WriteResult:
        result = WriteResult()
        by_no = stored(PublicityActivity.objects.all(), "activity_no", [r.values["activity_no"] for r in rows])
        by_natural: dict[tuple, PublicityActivity] = {}
        unit_ids = sorted({r.values["unit"].pk for r in rows if not r.values["activity_no"]})
        if unit_ids:
            days = [r.values["held_on"] for r in rows if not r.values["activity_no"]]
            for a in PublicityActivity.objects.filter(
                activity_no__isnull=True, unit_id__in=unit_ids, held_on__range=(min(days), max(days))
            ):
                by_natural[(a.held_on, a.unit_id, a.title)] = a

        created, updated, changed = [], [], set()
        for row in rows:
            v = row.values
            fields = {"held_on": v["held_on"], "unit_id": v["unit"].pk, "title": v["title"], "form": v["form"]}
            for name in OPTIONAL:
                if name in ctx.present:
                    fields[name] = v[name] if v[name] is not None else ("" if name in ("audience", "place") else 0)
            if v["activity_no"]:
                activity = by_no.get(v["activity_no"])
            else:
                activity = by_natural.get((v["held_on"], v["unit"].pk, v["title"]))
            if activity is None:
                created.append(PublicityActivity(activity_no=v["activity_no"] or None, **fields))
                continue
            if activity.is_voided:
                result.warnings.append(f"第 {row.number} 行：活动“{activity.title}”已作废，未更新")
                result.unchanged += 1
                continue
            diff = [name for name, value in fields.items() if getattr(activity, name) != value]
            if diff:
                for name in diff:
                    setattr(activity, name, fields[name])
                changed.update(diff)
                updated.append(activity)
            else:
                result.unchanged += 1
        bulk.insert(PublicityActivity, created, user=ctx.user)
        bulk.update(PublicityActivity, updated, changed, user=ctx.user)
        result.created, result.updated = len(created), len(updated)
        return result
