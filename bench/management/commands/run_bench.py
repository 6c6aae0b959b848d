"""run_bench: the whole product timed at a scale, side by side with its floors (``make bench
SCALE=small|city|province``).

1. generates the data as import files (``bench.generate``; kept in var/bench/data/ and
   reused while the scale, seed and day are the same);
2. creates its own PostgreSQL database ``antifraud_bench_<scale>`` beside the configured one
   (never touching it), migrates it, and imports every file through ``import_data`` — the
   real intake — with the import's own refresh of the statistics off, so the two are timed
   apart; the same CSVs loaded by a bare ``COPY`` into plain tables are the floor;
3. builds the rollups in full (``stats_rebuild``) beside DuckDB's same aggregation over the
   same CSVs (the reference);
4. imports one more day and times the incremental refresh;
5. times ``metrics()`` and the breakdowns (``bench_measure``), and the monthly bulletin
   payloads of every unit with one worker, then one bulletin rendered to Word and PDF;
6. serves the site with gunicorn and drives the dashboard, the queue and the stats API with
   concurrent clients for a fixed time;
7. writes the results as JSON in bench/results/ and the table in docs/benchmarks.md;

then drops its database (``--keep`` keeps it). Every step's figure is printed as it comes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from bench.databases import create_database, drop_quietly
from bench.generate import SCALES, Manifest, generate
from bench.report import write_results

IMPORT_ORDER = ("units", "areas", "cases", "case_events", "warnings", "publicity")
FLOOR_KINDS = ("cases", "warnings", "publicity")
PASSWORD = "Bench@2026pass"
SECONDS = re.compile(r"用时 ([\d.]+) 秒")


class Command(BaseCommand):
    help = "基准测试：按规模生成数据，经导入、汇总、查询、页面和通报各环节计时，并与 COPY、DuckDB 对照。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--clients", type=int, default=20, help="并发客户端数（默认 20）")
        parser.add_argument("--seconds", type=float, default=30.0, help="压测时长（秒，默认 30）")
        parser.add_argument("--repeat", type=int, default=20, help="每项应答计时次数（默认 20）")
        parser.add_argument("--keep", action="store_true", help="结束后保留基准库")
        parser.add_argument("--no-docs", action="store_true", help="不改写 docs/benchmarks.md")

    def handle(self, *args, scale, seed, clients, seconds, repeat, keep, no_docs, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "make bench 需要 PostgreSQL：请设置 BENCH_DATABASE_URL（或 DATABASE_URL）为 postgres://… 地址。"
            )
        started = time.monotonic()
        self.results: dict = {"scale": scale, "seed": seed, "machine": machine(), "started": timezone.now().isoformat()}
        manifest = self._data(scale, seed)
        name = f"antifraud_bench_{scale}"
        dsn = create_database(name)
        try:
            env = self._env(dsn)
            manage(env, "migrate", "--noinput", "-v", "0")
            self._imports(env, dsn, manifest)
            self._rollups(env, manifest)
            self._one_more_day(env, dsn, manifest)
            self._answers(env, manifest, repeat)
            self._load(env, manifest, clients, seconds)
        finally:
            if not keep:
                drop_quietly(name, self.stderr)
        self.results["total_seconds"] = round(time.monotonic() - started, 1)
        path = write_results(self.results, docs=not no_docs)
        self.stdout.write(self.style.SUCCESS(f"完成，用时 {self.results['total_seconds']:.0f} 秒；结果：{path}"))

    # -----------------------------------------------------------------------------------

    def _data(self, scale: str, seed: int) -> Manifest:
        folder = Path(settings.VAR_DIR) / "bench" / "data" / f"{scale}-{seed}"
        started = time.monotonic()
        manifest = generate(scale, folder, seed=seed, today=timezone.localdate())
        took = time.monotonic() - started
        self.results["data"] = {**manifest.as_dict(), "generate_seconds": round(took, 1)}
        rows = ", ".join(f"{kind} {n:,}" for kind, n in manifest.rows.items())
        self.say("生成数据", f"{rows}（{took:.1f} 秒）")
        return manifest

    def _env(self, dsn: str) -> dict:
        env = {**os.environ, "DATABASE_URL": dsn, "IMPORT_REFRESHES_STATS": "0", "DEBUG": "0", "STATIC_MANIFEST": "0",
               "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-a-production-key"), "SECURE_COOKIES": "0",
               "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING"}  # fmt: skip
        env.pop("REDIS_URL", None)  # one process does each step: tasks run in it, timed with it
        return env

    def _imports(self, env: dict, dsn: str, manifest: Manifest) -> None:
        for kind in IMPORT_ORDER:
            if kind in manifest.files:
                manage(env, "import_data", kind, str(manifest.files[kind]))
        jobs = import_seconds(dsn)
        floor = self._floor(dsn, manifest)
        intake = sum(jobs.get(kind, 0) for kind in FLOOR_KINDS)
        self.results["import"] = {"intake": jobs, "copy": floor, "intake_seconds": round(intake, 2),
                                  "copy_seconds": round(sum(floor.values()), 2)}  # fmt: skip
        ratio = intake / sum(floor.values())
        self.results["import"]["ratio"] = round(ratio, 2)
        self.say(
            "导入", f"import_data {intake:.1f} 秒 · COPY {sum(floor.values()):.1f} 秒 · {ratio:.1f}×（目标 ≤ 2.0×）"
        )

    def _floor(self, dsn: str, manifest: Manifest) -> dict[str, float]:
        from bench.floors import copy_floor

        return {k: round(v, 2) for k, v in copy_floor(dsn, {k: manifest.files[k] for k in FLOOR_KINDS}).items()}

    def _rollups(self, env: dict, manifest: Manifest) -> None:
        rebuild = seconds_in(manage(env, "stats_rebuild"))
        try:
            from bench.floors import duckdb_rollup
        except ImportError:
            duck = None
        else:
            try:
                duck = duckdb_rollup({k: manifest.files[k] for k in FLOOR_KINDS})
            except ImportError as exc:
                self.stderr.write(f"跳过 DuckDB 对照：{exc}")
                duck = None
        self.results["rollups"] = {"rebuild_seconds": rebuild, "duckdb": duck}
        if duck:
            ratio = rebuild / duck["total"]
            self.results["rollups"]["ratio"] = round(ratio, 2)
            self.say("全量汇总", f"{rebuild:.1f} 秒 · DuckDB {duck['total']:.1f} 秒 · {ratio:.1f}×（目标 ≤ 3×）")
        else:
            self.say("全量汇总", f"{rebuild:.1f} 秒（未装 DuckDB：pip install -r requirements-bench.txt）")

    def _one_more_day(self, env: dict, dsn: str, manifest: Manifest) -> None:
        before = import_seconds(dsn)
        for kind in IMPORT_ORDER:
            if kind in manifest.extra_day:
                manage(env, "import_data", kind, str(manifest.extra_day[kind]))
        refresh = seconds_in(manage(env, "stats_rebuild", "--refresh"))
        rebuild = self.results["rollups"]["rebuild_seconds"]
        share = refresh / rebuild if rebuild else 0
        imported = sum(import_seconds(dsn).values()) - sum(before.values())
        self.results["refresh"] = {"rows": manifest.extra_rows, "refresh_seconds": refresh,
                                   "share_of_rebuild": round(share, 4),
                                   "import_seconds": round(imported, 2)}  # fmt: skip
        self.say("增量刷新", f"多一天数据后 {refresh:.2f} 秒 · 全量的 {share:.1%}（目标 ≤ 1%）")

    def _answers(self, env: dict, manifest: Manifest, repeat: int) -> None:
        codes = ",".join(
            dict.fromkeys((manifest.top_code, manifest.city_code, manifest.county_code, manifest.station_code))
        )
        answer = json.loads(
            manage(env, "bench_measure", "--units", codes, "--repeat", str(repeat)).strip().splitlines()[-1]
        )
        self.results.update(answer)
        worst = max(a["p95_ms"] for key, a in answer["answers"].items() if key.startswith("metrics."))
        self.say("统计应答", f"metrics() 最慢 p95 {worst:.0f} ms（目标 ≤ 50 ms）")
        b = answer["bulletins"]
        docx, pdf = b["render"]["docx"]["seconds"], b["render"]["pdf"]["seconds"]
        self.say("通报", f"{b['units']} 个单位的月通报数据 {b['payloads_seconds']:.1f} 秒（目标 ≤ 60 秒）；"
                 f"Word {docx:.1f} 秒，PDF {pdf:.1f} 秒")  # fmt: skip

    def _load(self, env: dict, manifest: Manifest, clients: int, seconds: float) -> None:
        from bench.load import Scenario, drive, serve

        manage(env, "add_user", "bench_leader", "--unit", manifest.top_code, "--role", "leader", "--password", PASSWORD)
        manage(env, "add_user", "bench_officer", "--unit", manifest.station_code, "--role", "officer",
                     "--password", PASSWORD)  # fmt: skip
        manage(env, "collectstatic", "--noinput", "-v", "0")
        top, county = manifest.top_code, manifest.county_code
        scenarios = [
            Scenario("dashboard", "bench_leader", PASSWORD, [f"/dashboard/{top}/", f"/dashboard/{county}/"]),
            Scenario("stats_api", "bench_leader", PASSWORD, [f"/api/v1/stats/?unit={top}&period=month",
                                                              f"/api/v1/stats/?unit={county}&period=ytd"]),
            Scenario("queue", "bench_officer", PASSWORD, ["/warnings/"]),
        ]  # fmt: skip
        with serve(env=env) as base_url:
            result = drive(base_url, scenarios, clients=clients, seconds=seconds)
        self.results["load"] = result
        self.say("并发访问", f"{clients} 个客户端 {seconds:.0f} 秒：{result['requests']} 次请求，"
                 f"p50 {result['p50_ms']:.0f} ms，p95 {result['p95_ms']:.0f} ms，错误 {result['errors']}"
                 "（目标 p95 ≤ 300 ms，0 错误）")  # fmt: skip

    def say(self, step: str, text: str) -> None:
        self.stdout.write(f"{timezone.localtime():%H:%M:%S} {step}：{text}")


def seconds_in(output: str) -> float:
    """The time a stats command reports ("…用时 12.3 秒")."""
    match = SECONDS.search(output)
    if not match:
        raise CommandError(f"没有读到用时：{output[-500:]}")
    return float(match[1])


def import_seconds(dsn: str) -> dict[str, float]:
    """Seconds each kind's imports took, as the intake recorded them (start to finish)."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT kind, sum(extract(epoch FROM finished_at - started_at)) FROM imports_importjob "
            "WHERE status = 'applied' GROUP BY kind"
        ).fetchall()
    return {kind: round(float(seconds), 2) for kind, seconds in rows}


def manage(env: dict, *args: str) -> str:
    """``manage.py`` in a process of its own with ``env`` (the run's database); its output,
    or a CommandError with the end of both streams."""
    answer = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    if answer.returncode != 0:
        raise CommandError(f"manage.py {' '.join(args)} 失败：\n{answer.stdout[-2000:]}\n{answer.stderr[-2000:]}")
    return answer.stdout


def machine() -> dict:
    memory = 0
    try:
        with open("/proc/meminfo") as info:
            memory = int(info.readline().split()[1]) // 1024
    except OSError:
        pass
    return {"cores": os.cpu_count(), "memory_mb": memory, "python": platform.python_version(),
            "system": platform.platform(), "date": dt.date.today().isoformat()}  # fmt: skip
