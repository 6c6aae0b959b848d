"""load_run: the mixed load run (``make load``): 20 signed-in users at once for a fixed time
against the production stack — gunicorn, PostgreSQL, Redis and a Celery worker — with 0
errors required; p50/p95/max per kind of request in docs/load.md.

1. creates its own PostgreSQL database (``antifraud_load``) beside the configured one (never
   touching it), migrates it and loads the demo city (``seed_demo``: three years of cases and
   warnings, today's live queue, the month before last's bulletins issued);
2. gives each officer's station a supply of new warning tasks through the intake
   (``import_data warnings``), enough for the run's length, so no queue runs dry;
3. starts a Celery worker and beat (their periodic statistics refresh and escalation run
   during the load, as in production) and gunicorn with REDIS_URL set;
4. drives ``--clients`` users for ``--seconds``: half are officers of different stations
   working their queue through the page's forms (签收, 联系, 反馈), the rest the city's leader
   and analyst reading dashboards, the stats API and issued bulletins' files
   (``bench.load.StationWork`` / ``ViewerWork``);
5. checks the site's state agrees with what the officers were told, and that the worker
   answers through Redis (a statistics refresh that picks up their work);
6. prints the table, writes bench/results/load.json and the block in docs/load.md (unless
   ``--no-docs``), drops its database (unless ``--keep``), and fails if there was any error.

Why gunicorn ``--workers 3 --threads 4`` (the defaults): a request's Python work holds the
GIL, so processes are what use the cores (two here, plus one to cover the moments a worker
waits on PostgreSQL); threads let each process keep a slow answer (a PDF, the city
dashboard) from holding up the quick ones queued behind it, so 12 requests are in flight for
20 clients, each thread with its own kept database connection (12, well under PostgreSQL's
100).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from bench.databases import create_database, drop_quietly
from bench.management.commands.run_bench import machine, manage
from bench.report import write_block

PASSWORD = "Load@2026pass"
RESULTS = Path(settings.BASE_DIR) / "bench" / "results" / "load.json"
DOCS = Path(settings.BASE_DIR) / "docs" / "load.md"
MARKERS = ("<!-- load_run -->", "<!-- /load_run -->")
# New tasks per officer's station. An officer client finishes a task in three steps of three
# requests; on this 2-core machine, shared, one managed ≈ 0.1 task a second. Two a second
# keeps a machine twenty times faster supplied (a queue that runs dry is an error of the run);
# the queue page shows 50 cards at most, so a deep queue costs the page no more than a busy one.
SUPPLY_PER_SECOND = 2.0
SUPPLY_MIN = 40
# Issued bulletins whose files the readers download (3 formats each). The first download of
# each renders and keeps the file (seconds); the run does it first and reports it apart.
FILE_BULLETINS = 2
WARNING_HEADERS = ("预警编号", "下发时间", "风险等级", "预警类型", "预警来源", "处置单位", "预警对象", "对象手机号")
ROUND_TRIP = """
from antifraud.celery import app
print(app.send_task("stats.refresh").get(timeout=120))
"""


class Command(BaseCommand):
    help = (
        "压测：在 gunicorn + PostgreSQL + Redis + Celery 上以 20 个并发用户（派出所民警处置预警，"
        "领导和研判员看大屏、调统计接口、下载通报）运行固定时长，要求 0 错误。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=20, help="并发用户数（默认 20）")
        parser.add_argument("--seconds", type=float, default=60.0, help="压测时长（秒，默认 60）")
        parser.add_argument("--no-docs", action="store_true", help="不改写 docs/load.md")
        parser.add_argument("--database", default="antifraud_load", help="压测库名（默认 antifraud_load，结束后删除）")
        parser.add_argument("--keep", action="store_true", help="结束后保留压测库")
        parser.add_argument("--seed", type=int, default=2026, help="演示数据的随机种子")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn 进程数（默认 3）")
        parser.add_argument("--threads", type=int, default=4, help="每个 gunicorn 进程的线程数（默认 4）")

    def handle(self, *args, clients, seconds, no_docs, database, keep, seed, workers, threads, **options):
        if connection.vendor != "postgresql":
            raise CommandError("make load 需要 PostgreSQL：请设置 DATABASE_URL 为 postgres://… 地址。")
        redis_url = os.environ.get("REDIS_URL", "")
        if not redis_url:
            raise CommandError(
                "make load 需要 Redis：请设置 REDIS_URL（如 redis://127.0.0.1:6379/15，最好是单独的库）。"
            )
        if clients < 1 or seconds <= 0:
            raise CommandError("--clients 至少为 1，--seconds 须大于 0。")
        if database == connection.settings_dict["NAME"]:
            raise CommandError(f"压测库不能是当前配置的数据库 {database}。")
        started = time.monotonic()
        self.results: dict = {"machine": machine(), "started": timezone.localtime().isoformat(timespec="seconds"),
                              "clients": clients, "seconds": seconds, "seed": seed}  # fmt: skip
        dsn = create_database(database)
        try:
            env = self._env(dsn, redis_url)
            self.results["stack"] = self._stack(dsn, redis_url, workers, threads)
            self._setup(env, seed, clients, seconds)
            self._run(env, dsn, seed, clients, seconds, workers, threads)
        finally:
            if not keep:
                drop_quietly(database, self.stderr)
        self.results["total_seconds"] = round(time.monotonic() - started, 1)
        self._write(docs=not no_docs)
        load = self.results["load"]
        if load["errors"]:
            raise CommandError(
                f"压测有 {load['errors']} 个错误（见上表和 {os.path.relpath(RESULTS, settings.BASE_DIR)}）。"
            )
        self.stdout.write(self.style.SUCCESS(f"完成，0 错误，用时 {self.results['total_seconds']:.0f} 秒。"))

    # ------------------------------------------------------------------------- database

    def _env(self, dsn: str, redis_url: str) -> dict:
        """The stack's environment: the load database, the product's settings (DEBUG off)
        over plain http on loopback, and Redis for the cache and the worker."""
        return {**os.environ, "DATABASE_URL": dsn, "REDIS_URL": redis_url, "DEBUG": "0", "STATIC_MANIFEST": "0",
                "SECRET_KEY": os.environ.get("SECRET_KEY", "load-only-not-a-production-key"), "SECURE_COOKIES": "0",
                "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING"}  # fmt: skip

    def _stack(self, dsn: str, redis_url: str, workers: int, threads: int) -> dict:
        import psycopg
        import redis

        with psycopg.connect(dsn) as conn:
            postgres = conn.execute("SHOW server_version").fetchone()[0]
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
        try:
            redis_version = client.info("server")["redis_version"]
        except redis.RedisError as exc:
            raise CommandError(f"连不上 Redis（{redis_url}）：{exc}") from exc
        finally:
            client.close()
        return {"gunicorn": {"workers": workers, "threads": threads}, "postgresql": postgres, "redis": redis_version,
                "celery": "1 worker (concurrency 1) + beat"}  # fmt: skip

    # ------------------------------------------------------------------------- data

    def _setup(self, env: dict, seed: int, clients: int, seconds: float) -> None:
        """Migrate, seed the demo city and the officers' supply. Tasks run in-process here
        (no REDIS_URL): nothing is left queued for the worker to do during the run."""
        quiet = {k: v for k, v in env.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
        t0 = time.monotonic()
        manage(quiet, "migrate", "--noinput", "-v", "0")
        self.say("迁移", f"{time.monotonic() - t0:.0f} 秒")
        t0 = time.monotonic()
        manage(quiet, "seed_demo", "--seed", str(seed), "--password", PASSWORD, "--quiet-accounts")
        seeded = time.monotonic() - t0
        self.say("演示城市", f"{seeded:.0f} 秒")
        officers, viewers = split(clients)
        self.officers = officer_accounts(seed, officers)
        per_station = supply(seconds)
        stations = sorted({code for _, code in self.officers})
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "load_warnings.csv"
            write_supply(path, stations, per_station, timezone.localtime())
            manage(quiet, "import_data", "warnings", str(path))
        self.say("任务供给", f"{len(stations)} 个派出所各 {per_station} 条待签收预警（{time.monotonic() - t0:.0f} 秒）")
        self.results["setup"] = {"seed_seconds": round(seeded, 1), "officers": officers, "viewers": viewers,
                                 "stations": len(stations), "supply_per_station": per_station}  # fmt: skip

    # ------------------------------------------------------------------------- the run

    def _run(self, env: dict, dsn: str, seed: int, clients: int, seconds: float, workers: int, threads: int) -> None:
        from bench.load import celery, drive, free_port, kinds_table, serve, warm_files

        scenarios = build_scenarios(self.officers, clients)
        with celery(env), serve(f"127.0.0.1:{free_port()}", workers=workers, threads=threads, env=env) as url:
            self.say("服务", f"gunicorn {workers}×{threads} 于 {url}，Celery worker + beat 已就绪")
            first = warm_files(url, "analyst", PASSWORD, bulletins=FILE_BULLETINS)
            self.results["first_downloads"] = first
            self.say(
                "首次下载", "，".join(f"{k} {max(v) / 1000:.1f} 秒" for k, v in first.items()) + "（生成并保存文件）"
            )
            since, load_before = timezone.now(), os.getloadavg()[0]
            result = drive(url, scenarios, clients=clients, seconds=seconds, timeout=60)
            self.results["load_average"] = {"before": round(load_before, 1), "after": round(os.getloadavg()[0], 1)}
            self.results["load"] = result
            self.results["agreement"] = agreement(dsn, since, result.get("work", {}))
            t0 = time.monotonic()
            refresh = manage(env, "shell", "-c", ROUND_TRIP).strip().splitlines()[-1]
            self.results["worker"] = {"round_trip_seconds": round(time.monotonic() - t0, 1), "answer": refresh}
        for line in kinds_table(result):
            self.stdout.write(line)
        self.say("结果", f"{result['requests']} 次请求，{result['rps']} 次/秒，p50 {result['p50_ms']:.0f} ms，"
                 f"p95 {result['p95_ms']:.0f} ms，错误 {result['errors']}，冲突 {result['conflicts']}")  # fmt: skip
        for sample in result["error_samples"]:
            self.stderr.write(f"  错误：{sample}")
        work = "，".join(f"{k} {v}" for k, v in result["work"].items()) or "无"
        self.say("处置", work)
        mismatch = self.results["agreement"]["mismatch"]
        if mismatch:  # the clients were told one thing, the database holds another
            result["errors"] += len(mismatch)
            result["error_samples"] = (result["error_samples"] + mismatch)[:10]
            for line in mismatch:
                self.stderr.write(f"  不一致：{line}")
        self.say(
            "Celery", f"{self.results['worker']['answer']}（往返 {self.results['worker']['round_trip_seconds']} 秒）"
        )

    def _write(self, *, docs: bool) -> None:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(self.results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if docs:
            write_block(DOCS, *MARKERS, markdown(self.results), new="# Load run\n")
        self.say(
            "结果文件",
            os.path.relpath(RESULTS, settings.BASE_DIR)
            + (f"，{os.path.relpath(DOCS, settings.BASE_DIR)}" if docs else ""),
        )

    def say(self, step: str, text: str) -> None:
        self.stdout.write(f"{timezone.localtime():%H:%M:%S} {step}：{text}")


# ---------------------------------------------------------------------------- pieces


def split(clients: int) -> tuple[int, int]:
    """(officers, viewers): half the clients work queues, the rest read."""
    officers = clients // 2
    return officers, clients - officers


def officer_accounts(seed: int, n: int) -> list[tuple[str, str]]:
    """(username, station code) of ``n`` demo officers, one per station, taken from the
    counties in turn so the work is spread over the city; past the city's stations the
    accounts repeat (and two clients may then meet on a task: a conflict, not an error)."""
    from demo.city import demo_city_plan
    from orgs.roles import Role

    by_county: dict[str, list[tuple[str, str]]] = {}
    for account in demo_city_plan(seed).accounts:
        if account.role == Role.OFFICER:
            by_county.setdefault(account.unit_code[:6], []).append((account.username, account.unit_code))
    columns = list(by_county.values())
    ordered = [c[i] for i in range(max(map(len, columns))) for c in columns if i < len(c)]
    return [ordered[i % len(ordered)] for i in range(n)]


def supply(seconds: float) -> int:
    return max(SUPPLY_MIN, math.ceil(seconds * SUPPLY_PER_SECOND))


def write_supply(path: Path, stations: list[str], per_station: int, now: dt.datetime) -> None:
    """New 低-risk phone warnings for each station, issued in the last minutes (so none is
    overdue during the run and none sets off an escalation), as the platform's file has them."""
    issued = (now - dt.timedelta(minutes=10)).replace(microsecond=0)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(WARNING_HEADERS)
        for n, (station, i) in enumerate((s, i) for s in stations for i in range(per_station)):
            at = issued + dt.timedelta(seconds=i)
            phone = f"138{n % 100_000_000:08d}"
            writer.writerow((f"YJLOAD{station}{i:05d}", f"{at:%Y-%m-%d %H:%M:%S}", "低", "电话预警", "省厅",
                             station, "张某", phone))  # fmt: skip


def build_scenarios(officers: list[tuple[str, str]], clients: int):
    """One scenario per client, officers and readers alternating (so they log in mixed)."""
    from bench.load import Scenario, StationWork, ViewerWork

    readers = [
        Scenario(
            "leader" if i % 2 == 0 else "analyst",
            "leader" if i % 2 == 0 else "analyst",
            PASSWORD,
            work=lambda start=i: ViewerWork(bulletins=FILE_BULLETINS, start=start * 7),
        )
        for i in range(clients - len(officers))
    ]
    workers = [Scenario(f"officer {code}", username, PASSWORD, work=StationWork) for username, code in officers]
    mixed = []
    for i in range(max(len(readers), len(workers))):
        mixed += [s[i] for s in (workers, readers) if i < len(s)]
    return mixed


def agreement(dsn: str, since: dt.datetime, work: dict) -> dict:
    """What the database holds of the officers' work since the run began, beside what the
    clients were told succeeded; ``mismatch`` lists any difference."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        signed, handled = (
            conn.execute(
                "SELECT count(*) FROM earlywarnings_tasktransition WHERE action = %s AND at >= %s", [action, since]
            ).fetchone()[0]
            for action in ("acknowledge", "handle")
        )
        contacts = conn.execute("SELECT count(*) FROM earlywarnings_contactattempt WHERE at >= %s", [since]).fetchone()[
            0
        ]
    stored = {"tasks signed": signed, "contacts logged": contacts, "tasks handled": handled}
    mismatch = [
        f"{key}: the clients were told {work.get(key, 0)}, the database holds {n}"
        for key, n in stored.items()
        if n != work.get(key, 0)
    ]
    return {"stored": stored, "mismatch": mismatch}


def markdown(results: dict) -> str:
    """The block of docs/load.md: when, on what, the mix, and the figures of this run."""
    from bench.load import kinds_table

    m, load, stack, setup = results["machine"], results["load"], results["stack"], results["setup"]
    busy = results.get("load_average", {})
    g = stack["gunicorn"]
    work = ", ".join(f"{v} {k}" for k, v in load["work"].items()) or "none"
    files = "; ".join(
        f"{kind.removeprefix('download ')}: {', '.join(f['types'])}, {f['min_bytes']:,}–{f['max_bytes']:,} bytes"
        for kind, f in load["files"].items()
    )
    first = ", ".join(
        f"{kind.removeprefix('download ')} {min(ms) / 1000:.1f}–{max(ms) / 1000:.1f} s"
        for kind, ms in results.get("first_downloads", {}).items()
    )
    lines = [
        f"### Run of {results['started'][:16].replace('T', ' ')} (Asia/Shanghai)",
        "",
        f"- Machine: {m['cores']} cores, {m['memory_mb'] / 1024:.0f} GiB, Python {m['python']}, {m['system']}; "
        f"load average (1 min) {busy.get('before', '?')} as the clients started, {busy.get('after', '?')} as they "
        "stopped (the run's own processes included).",
        f"- Stack: gunicorn {g['workers']} workers × {g['threads']} threads, PostgreSQL {stack['postgresql']}, "
        f"Redis {stack['redis']}, Celery {stack['celery']}.",
        f"- Clients: {load['clients']} for {load['seconds']:.0f} s — {setup['officers']} officers of "
        f"{setup['stations']} stations ({setup['supply_per_station']} new tasks supplied to each), "
        f"{setup['viewers']} leader/analyst readers. Demo city seeded in {setup['seed_seconds']:.0f} s.",
        f"- Result: **{load['requests']} requests, {load['rps']} per second, {load['errors']} errors**, "
        f"{load['conflicts']} conflicts; p50 **{load['p50_ms']:.0f} ms**, p95 **{load['p95_ms']:.0f} ms**, "
        f"max {load['max_ms']:.0f} ms.",
        f"- Officers' work: {work}; the database agrees: "
        f"{'yes' if not results['agreement']['mismatch'] else 'no — ' + '; '.join(results['agreement']['mismatch'])}.",
        f"- Files downloaded: {files or 'none'}. Before the clock started, the first download of each "
        f"(which renders the file and keeps it) took: {first}.",
        f"- Worker: a statistics refresh sent through Redis after the run came back in "
        f"{results['worker']['round_trip_seconds']} s: “{results['worker']['answer']}”.",
        "",
        *kinds_table(load),
    ]
    return "\n".join(lines) + "\n"
