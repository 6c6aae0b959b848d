"""``python manage.py stats``: the figures of one unit and period, as DATA.md's JSON (the
same as ``GET /api/v1/stats/``) or as a table to read."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orgs.models import Unit
from stats.breakdowns import PERIOD_KINDS, StatsRequestError, period_from_params
from stats.catalogue import METRICS
from stats.metrics import MONEY_KEYS, metrics

COLUMNS = ("指标", "本期", "同比", "同比%", "环比", "环比%")
WAN = Decimal(10000)


class Command(BaseCommand):
    help = (
        "输出一个单位在一个统计周期的全部指标（含同比、环比）："
        "stats --unit CODE (--period KIND --date YYYY-MM-DD | --start D --end D) [--json]"
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="单位编码（统计该单位及全部下级）")
        parser.add_argument("--period", help="统计周期：" + "、".join(PERIOD_KINDS))
        parser.add_argument("--date", help="周期内的任一天，YYYY-MM-DD")
        parser.add_argument("--start", help="自定义周期开始日期（含），YYYY-MM-DD")
        parser.add_argument("--end", help="自定义周期结束日期（含），YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="输出 JSON（与 GET /api/v1/stats/ 相同）")

    def handle(self, *args, unit, period, date, start, end, **options):
        if not unit:
            raise CommandError("缺少参数 --unit（单位编码）。")
        target = Unit.objects.filter(code=unit.strip()).first()
        if target is None:
            raise CommandError(f"单位编码“{unit}”不存在。")
        try:
            chosen = period_from_params(kind=period, date=date, start=start, end=end, prefix="--")
        except StatsRequestError as exc:
            raise CommandError(exc.message) from exc
        figures = metrics(target, chosen)
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_table(figures))


# The table


def display_width(text: str) -> int:
    """Terminal columns: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int, *, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def _amount(key: str, value) -> str:
    if value is None:
        return "—"
    if key in MONEY_KEYS:
        return f"{(Decimal(str(value)) / WAN).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def _change(pct: float | None, notable: bool | None) -> str:
    """“↑12.5%”, “↓9.2%*” (* notable), “0.0%”, or “—” when the base is 0."""
    if pct is None:
        return "—"
    arrow = "↑" if pct > 0 else "↓" if pct < 0 else ""
    return f"{arrow}{abs(pct):.1f}%" + ("*" if notable else "")


def _label(key: str) -> str:
    metric = METRICS[key]
    unit = "万元" if key in MONEY_KEYS else metric.unit
    return f"{metric.label}（{unit}）"


def _stamp(refreshed_at: str | None) -> str:
    if not refreshed_at:
        return "尚未生成（请先运行 python manage.py stats_rebuild）"
    return f"{timezone.localtime(dt.datetime.fromisoformat(refreshed_at)):%Y-%m-%d %H:%M}"


def render_table(figures: dict) -> str:
    """The stats JSON as a plain-text table: money in 万元, ↑/↓ on changes, * on notable ones."""
    rows = [COLUMNS]
    for key, entry in figures["metrics"].items():
        rows.append(
            (
                _label(key),
                _amount(key, entry["value"]),
                _amount(key, entry["yoy_base"]),
                _change(entry["yoy_pct"], entry.get("yoy_notable")),
                _amount(key, entry["mom_base"]),
                _change(entry["mom_pct"], entry.get("mom_notable")),
            )
        )
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(COLUMNS))]
    period, yoy, mom = figures["period"], figures["yoy_period"], figures["mom_period"]
    lines = [
        f"{figures['unit']['name']}（{figures['unit']['code']}） · {period['label']}"
        f"（{period['start']} 至 {period['end']}） · 数据更新时间：{_stamp(figures['refreshed_at'])}",
        f"同比：{yoy['start']} 至 {yoy['end']}；环比：{mom['start']} 至 {mom['end']}",
        "",
    ]
    for n, row in enumerate(rows):
        cells = [_fit(cell, widths[i], right=i > 0) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += ["", "注：↑/↓ 为增减；“—”表示基数为 0 无法计算；* 表示变化显著（计数指标，|z| ≥ 1.96）。"]
    return "\n".join(lines)
