"""bench_measure: the in-process timings of a benchmark run, printed as one JSON object.

Run by ``run_bench`` against its scratch database (it can be run by hand too): the
statistics engine's answers — ``metrics()`` and the breakdowns for the top unit, a county
and a station over this month, the year to date and this year (running periods cut at
today, as the site asks them) — and the monthly bulletin payloads of every unit drafted one
after another (one worker), then one top-unit bulletin rendered to Word and PDF.
"""

from __future__ import annotations

import datetime as dt
import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bulletins.models import Bulletin, BulletinKind
from bulletins.payload import build_payload
from bulletins.render import render
from bulletins.services import document
from orgs.models import Unit
from stats.breakdowns import by_children, by_fraud_type, by_time
from stats.management.commands.stats_bench import percentile, timed
from stats.metrics import metrics
from stats.periods import period_for

PERIODS = ("month", "ytd", "year")


def sample(call, repeat: int) -> dict:
    """p50 / p95 / max in milliseconds of ``repeat`` calls, after one warm-up call."""
    times = timed(call, repeat)
    return {"n": repeat, "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
            "max_ms": round(max(times), 1)}  # fmt: skip


class Command(BaseCommand):
    help = "基准测试：统计引擎应答和通报生成的耗时（JSON 输出，供 run_bench 使用）。"

    def add_arguments(self, parser):
        parser.add_argument("--units", required=True, help="逗号分隔：顶层、县、派出所的单位编码")
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--skip-bulletins", action="store_true")

    def handle(self, *args, units, repeat, skip_bulletins, **options):
        codes = units.split(",")
        found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        if len(found) != len(codes):
            raise CommandError(f"找不到单位：{', '.join(c for c in codes if c not in found)}")
        today = timezone.localdate()
        answers = {}
        for code in codes:
            unit = found[code]
            for kind in PERIODS:
                period = period_for(kind, today).to_date(today)
                key = f"{unit.level}.{kind}"
                answers[f"metrics.{key}"] = sample(lambda u=unit, p=period: metrics(u, p), repeat)
                by = "day" if kind == "month" else "week"
                breakdowns = [lambda u=unit, p=period: by_fraud_type(u, p),
                              lambda u=unit, p=period, b=by: by_time(u, p, b)]  # fmt: skip
                if unit.children.exists():
                    breakdowns.append(lambda u=unit, p=period: by_children(u, p))
                answers[f"breakdowns.{key}"] = sample(lambda bs=breakdowns: [b() for b in bs], max(repeat // 4, 3))
        result = {"answers": answers}
        if not skip_bulletins:
            result["bulletins"] = self._bulletins(found[codes[0]], today)
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _bulletins(self, top: Unit, today: dt.date) -> dict:
        month = period_for("month", today.replace(day=1) - dt.timedelta(days=1))
        units = list(Unit.objects.order_by("path"))
        started = time.perf_counter()
        payloads = {unit.pk: build_payload(unit, BulletinKind.MONTH, month) for unit in units}
        drafted = time.perf_counter() - started
        bulletin = Bulletin(unit=top, kind=BulletinKind.MONTH, period_start=month.start, period_end=month.end,
                            period_label=month.label, payload=payloads[top.pk], drafted_at=timezone.now())  # fmt: skip
        renders = {}
        for fmt in ("docx", "pdf"):
            started = time.perf_counter()
            content = render(document(bulletin), fmt)
            renders[fmt] = {"seconds": round(time.perf_counter() - started, 2), "bytes": len(content)}
        return {"units": len(units), "payloads_seconds": round(drafted, 2), "render": renders}
