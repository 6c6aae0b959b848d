"""Units (单位) and areas (区域): the ``units`` and ``areas`` formats.

A file holds at most a few thousand of these, so rows are saved one by one through the
models (which keep the tree's paths right), inside the engine's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import transaction

from imports.kinds.base import Column, Context, Kind, Row, WriteResult
from imports.kinds.refs import UnitLookup
from imports.parsers import choice_parser, parse_count, parse_text
from orgs.models import LEVEL_RANK, TOP_AREA_KINDS, Area, AreaKind, Unit, UnitLevel

text = partial(parse_text, max_length=100)
code_text = partial(parse_text, max_length=32)
parse_population = partial(parse_count, maximum=2_000_000_000)  # a province can pass 100 million

parse_level = choice_parser(
    {"省": UnitLevel.PROVINCE, "省厅": UnitLevel.PROVINCE, "市": UnitLevel.CITY, "市局": UnitLevel.CITY,
     "县": UnitLevel.COUNTY, "区县": UnitLevel.COUNTY, "县(区)": UnitLevel.COUNTY, "县区": UnitLevel.COUNTY,
     "区": UnitLevel.COUNTY, "分局": UnitLevel.COUNTY, "县(区)局": UnitLevel.COUNTY, "派出所": UnitLevel.STATION,
     **{level.value: level.value for level in UnitLevel}},
    what="层级",
)  # fmt: skip
parse_area_kind = choice_parser(
    {**{k.label: k.value for k in AreaKind}, **{k.value: k.value for k in AreaKind}, "town": AreaKind.TOWNSHIP},
    what="区域类型",
)


def _save_if_changed(obj, values: dict, user) -> str:
    """created / updated / unchanged, saving only what differs (and auditing it)."""
    if obj.pk is not None and all(getattr(obj, name) == value for name, value in values.items()):
        return "unchanged"
    outcome = "created" if obj.pk is None else "updated"
    for name, value in values.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()
    return outcome


class UnitsKind(Kind):
    name = "units"
    label = "单位"
    checks_while_writing = True
    columns = (
        Column("code", "单位编码", "code", code_text, required=True),
        Column("name", "单位名称", "name", text, required=True),
        Column("level", "层级", "level", parse_level, required=True),
        Column("parent_code", "上级单位编码", "parent_code", code_text, must_exist=True),
        Column("population", "常住人口", "population", parse_population),
    )

    def key(self, row: Row) -> str:
        return row.values["code"]

    def check(self, row: Row) -> None:
        code = row.values["code"]
        if not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
            row.fail("code", "编码只能包含字母、数字、下划线和连字符")
        if row.values["parent_code"] == code:
            row.fail("parent_code", "上级单位不能是本单位")

    def write(self, rows: list[Row], ctx: Context) -> WriteResult:
        scope = UnitLookup(None if ctx.is_system else ctx.user)
        units = {u.code: u for u in Unit.objects.filter(code__in=[r.values["code"] for r in rows])}

        def write_row(row: Row) -> str:
            v = row.values
            parent = None
            if v["parent_code"]:
                parent = units.get(v["parent_code"]) or Unit.objects.filter(code=v["parent_code"]).first()
                if parent is None:
                    raise RowRefused(row, "parent_code", "上级单位不存在（须已在系统中，或在本文件中排在前面）")
                if not ctx.is_system and parent.pk not in scope.in_scope:
                    raise RowRefused(row, "parent_code", "上级单位不在您的管辖范围内")
                if LEVEL_RANK[UnitLevel(parent.level)] >= LEVEL_RANK[UnitLevel(v["level"])]:
                    raise RowRefused(row, "level", f"{parent.get_level_display()}下不能设{UnitLevel(v['level']).label}")
            elif not ctx.is_system:
                raise RowRefused(row, "parent_code", "只有系统管理员可以导入顶级单位：请填写上级单位编码")
            unit = units.get(v["code"]) or Unit(code=v["code"])
            if unit.pk and not ctx.is_system and unit.pk not in scope.in_scope:
                raise RowRefused(row, "code", "这个单位不在您的管辖范围内")
            if unit.pk and parent and parent.path.startswith(unit.path):
                raise RowRefused(row, "parent_code", "上级单位不能是本单位的下级单位")
            values = {"name": v["name"], "level": v["level"], "parent": parent}
            if "population" in ctx.present:
                values["population"] = v["population"]
            outcome = _save_if_changed(unit, values, ctx.user)
            units[unit.code] = unit
            return outcome

        return _write_each(rows, ctx, write_row)


class AreasKind(Kind):
    name = "areas"
    label = "区域"
    checks_while_writing = True
    columns = (
        Column("code", "区域编码", "code", code_text, required=True),
        Column("name", "区域名称", "name", text, required=True),
        Column("kind", "区域类型", "kind", parse_area_kind, required=True),
        Column("station_code", "所属单位编码", "station_code", code_text, required=True),
        Column("parent_code", "上级区域编码", "parent_code", code_text),
        Column("population", "常住人口", "population", parse_population),
    )

    def key(self, row: Row) -> str:
        return row.values["code"]

    def resolve(self, rows: list[Row], ctx: Context) -> None:
        stations = UnitLookup(None if ctx.is_system else ctx.user, level=UnitLevel.STATION)
        for row in rows:
            if row.values["station_code"]:
                row.values["station"], reason = stations.find(row.values["station_code"])
                if reason:
                    row.fail("station_code", reason)

    def write(self, rows: list[Row], ctx: Context) -> WriteResult:
        areas = {a.code: a for a in Area.objects.filter(code__in=[r.values["code"] for r in rows])}

        def write_row(row: Row) -> str:
            v = row.values
            parent = None
            if v["parent_code"]:
                parent = areas.get(v["parent_code"]) or Area.objects.filter(code=v["parent_code"]).first()
                if parent is None:
                    raise RowRefused(row, "parent_code", "上级区域不存在（须已在系统中，或在本文件中排在前面）")
                if parent.kind not in TOP_AREA_KINDS or v["kind"] in TOP_AREA_KINDS:
                    raise RowRefused(row, "parent_code", "只有社区、村可以归属于乡镇、街道")
            area = areas.get(v["code"]) or Area(code=v["code"])
            values = {"name": v["name"], "kind": v["kind"], "station": v["station"], "parent": parent}
            if "population" in ctx.present:
                values["population"] = v["population"]
            outcome = _save_if_changed(area, values, ctx.user)
            areas[area.code] = area
            return outcome

        return _write_each(rows, ctx, write_row)


class RowRefused(Exception):
    """A row found wrong only while writing, because it depends on the rows before it."""

    def __init__(self, row: Row, key: str, reason: str):
        super().__init__(reason)
        self.row, self.key, self.reason = row, key, reason


def _write_each(rows: list[Row], ctx: Context, write_row: Callable[[Row], str]) -> WriteResult:
    """Write rows one by one, each in a savepoint: a refused row is undone and marked
    with its error (the engine then refuses the file, or skips the row with --partial)."""
    result = WriteResult()
    for done, row in enumerate(rows, start=1):
        try:
            with transaction.atomic():
                outcome = write_row(row)
        except RowRefused as exc:
            row.fail(exc.key, exc.reason)
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
        if done % 500 == 0:
            ctx.progress("write", done, len(rows))
    return result
