"""stats_bench: the statistics engine on a city-sized dataset, timed.

Loads a generated city — 1 city, 10 counties, 60 stations; by default 100,000 cases over
three years with their ledgers, 1,000,000 early-warning tasks and some publicity — into the
configured database with raw bulk writes, then times a full ``rebuild()``, one ``refresh()``
after one more day of data, and ``metrics()`` and the stats API for the city, a county and a
station. docs/benchmarks.md has the figures and how to read them.

It runs only on a database that holds no records (cases, ledger entries, warning tasks,
publicity) other than those of an earlier run of its own, which it clears first: ``make
bench`` gives it one (var/bench/ on SQLite, or BENCH_DATABASE_URL). There is deliberately
no flag to override this: a benchmark that writes a million rows and rebuilds every rollup
has no business on a database people use, and a flag gets copied into the wrong shell.

The rows are written the way ``imports/bulk.py`` writes them (COPY on PostgreSQL,
executemany on SQLite) but straight from tuples, without history rows: the statistics
never read the history tables, and the load should not dominate the run.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.test import Client
from django.test.utils import override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from cases.models import CaseEvent, EventKind, FraudCase, FraudType
from demo.city import SURNAMES
from demo.management.commands.seed_demo import display_width, pad
from demo.records import AUDIENCE, FRAUD_TYPES, MAX_LOSS, MONTH_FACTOR, OCCUPATIONS, PUBLICITY, _age
from demo.warnings import HANDLING_MINUTES, KINDS, LEVELS, METHODS, SOURCES
from earlywarnings.models import (
    OPEN_STATUSES,
    ContactAttempt,
    Escalation,
    FourChecksReview,
    TaskStatus,
    TaskTransition,
    WarningTask,
)
from earlywarnings.policy import DEFAULT_DEADLINES
from orgs.models import PATH_SEPARATOR, Area, AreaKind, Unit, UnitLevel, User
from publicity.models import PublicityActivity
from stats.facts import FACT_MODELS, chunks, day_start
from stats.metrics import metrics
from stats.models import (
    CaseFact,
    DayTotal,
    EventFact,
    Footprint,
    MonthTotal,
    PublicityFact,
    StatsState,
    Target,
    WarningFact,
)
from stats.periods import period_for
from stats.refresh import rebuild, refresh

CITY_CODE = "STATSBENCH"
CITY_NAME = "基准测试市公安局"
BENCH_USERNAME = "stats-bench"
COUNTIES, STATIONS_PER_COUNTY, AREAS_PER_STATION = 10, 6, 5
DAYS = 3 * 365
API_URL = "/api/v1/stats/"
CASE_TREND = -0.06  # cases fall a little each year…
TASK_TREND = 0.06  # …while the platforms warn more people
LATE_SHARE = 0.05  # tasks signed for or handled after their deadline
STUCK_SHARE = 0.002  # tasks never handled: still open, long overdue
TASK_OUTCOMES = {"dissuaded": 0.80, "unreachable": 0.14, "not_ours": 0.03, "defrauded": 0.03}
REVIEW_HOURS = (1, 48)  # from handling to the county's review (已办结)
PUBLICITY_PER_CASE = 0.15
PERIODS = (("month", "本月"), ("year", "本年"))
# Plain strings: COPY must not see Enum members.
PENDING, HANDLING, FEEDBACK, CLOSED = (s.value for s in (TaskStatus.PENDING, TaskStatus.HANDLING, TaskStatus.FEEDBACK,
                                                        TaskStatus.CLOSED))  # fmt: skip
RECORD_MODELS = (  # model, the path to its unit
    (FraudCase, "station"), (CaseEvent, "case__station"), (WarningTask, "station"), (PublicityActivity, "unit"),
)  # fmt: skip

CASE_FIELDS = ("id", "created_at", "updated_at", "voided_at", "voided_by", "void_reason", "case_no", "reported_on",
               "occurred_on", "station", "area", "place", "fraud_type", "loss", "filed", "victim_age",
               "victim_gender", "victim_occupation", "residency", "warned_before", "solved_on")  # fmt: skip
EVENT_FIELDS = ("created_at", "updated_at", "voided_at", "voided_by", "void_reason", "case", "kind", "occurred_on",
                "count", "amount", "note")  # fmt: skip
TASK_FIELDS = ("created_at", "updated_at", "voided_at", "voided_by", "void_reason", "task_no", "issued_at", "level",
               "kind", "source", "station", "subject_name", "subject_phone", "subject_id_no", "fraud_type", "status",
               "sign_deadline", "handle_deadline", "acknowledged_at", "acknowledged_by", "handled_at", "handled_by",
               "method", "outcome", "handling_note", "loss_prevented", "loss", "case", "reviewed_at",
               "reviewed_by")  # fmt: skip
PUBLICITY_FIELDS = ("created_at", "updated_at", "voided_at", "voided_by", "void_reason", "activity_no", "held_on",
                    "unit", "title", "form", "audience", "place", "reach", "materials", "app_installs")  # fmt: skip


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model) -> str:
    return qn(model._meta.db_table)


def column(model, name: str) -> str:
    return qn(model._meta.get_field(name).column)


def percentile(samples: list[float], pct: float) -> float:
    """Nearest rank: the smallest sample at or above ``pct`` per cent of them."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def picker(rng: random.Random, weights: dict) -> Callable[[], object]:
    keys, cumulative = list(weights), list(accumulate(weights.values()))
    return lambda: rng.choices(keys, cum_weights=cumulative)[0]


class Clock:
    """Moments as whole seconds since the epoch, turned into what the backend stores:
    aware datetimes for psycopg, naive UTC text for SQLite (as Django writes it)."""

    EPOCH = dt.datetime(1970, 1, 1)
    EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

    def __init__(self) -> None:
        self._midnights: dict[dt.date, int] = {}
        if connection.vendor == "postgresql":
            self.moment = lambda s: None if s is None else self.EPOCH_UTC + dt.timedelta(seconds=s)
        else:
            self.moment = lambda s: None if s is None else str(self.EPOCH + dt.timedelta(seconds=s))

    def midnight(self, day: dt.date) -> int:
        if day not in self._midnights:
            self._midnights[day] = int(timezone.make_aware(dt.datetime.combine(day, dt.time.min)).timestamp())
        return self._midnights[day]


class Writer:
    """Raw rows into one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, cursor, model, fields: tuple[str, ...]) -> None:
        required = {f.name for f in model._meta.concrete_fields if not f.primary_key}
        if missing := required - set(fields):
            raise CommandError(f"{model._meta.verbose_name}有新字段 {', '.join(sorted(missing))}，请更新 stats_bench。")
        self.cursor, self.model = cursor, model
        self.columns = ", ".join(column(model, name) for name in fields)
        self.placeholders = ", ".join(["%s"] * len(fields))

    def write(self, rows: Iterable[tuple]) -> int:
        written = 0
        if connection.vendor == "postgresql":
            with self.cursor.cursor.copy(f"COPY {table(self.model)} ({self.columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        sql = f"INSERT INTO {table(self.model)} ({self.columns}) VALUES ({self.placeholders})"
        for batch in chunks(rows, 20000):
            self.cursor.executemany(sql, batch)
            written += len(batch)
        return written


@dataclass
class BenchCity:
    city: Unit
    counties: list[Unit]
    stations: list[Unit]
    areas: dict[int, list[int]]  # station id → its communities

    @property
    def unit_ids(self) -> list[int]:
        return [self.city.pk, *(u.pk for u in self.counties), *(u.pk for u in self.stations)]


def bench_city_create(rng: random.Random) -> BenchCity:
    """1 city, COUNTIES counties of STATIONS_PER_COUNTY stations, each with a few communities.
    Written with bulk_create (paths computed here), so no history rows."""

    def unit(code: str, name: str, level: str, parent: Unit | None, population: int) -> Unit:
        path = f"{parent.path if parent else ''}{code}{PATH_SEPARATOR}"
        return Unit(code=code, name=name, level=level, parent=parent, population=population, path=path,
                    depth=path.count(PATH_SEPARATOR) - 1)  # fmt: skip

    people = [[rng.randint(40_000, 130_000) for _ in range(STATIONS_PER_COUNTY)] for _ in range(COUNTIES)]
    city = unit(CITY_CODE, CITY_NAME, UnitLevel.CITY, None, sum(map(sum, people)))
    Unit.objects.bulk_create([city])
    counties = [unit(f"{CITY_CODE}-{c:02d}", f"基准{c:02d}区公安分局", UnitLevel.COUNTY, city, sum(people[c - 1]))
                for c in range(1, COUNTIES + 1)]  # fmt: skip
    Unit.objects.bulk_create(counties)
    stations = [
        unit(f"{county.code}-{s:02d}", f"基准{c:02d}区第{s}派出所", UnitLevel.STATION, county, people[c - 1][s - 1])
        for c, county in enumerate(counties, start=1)
        for s in range(1, STATIONS_PER_COUNTY + 1)
    ]
    Unit.objects.bulk_create(stations)
    areas = [
        Area(code=f"{station.code}-{a}", name=f"{station.name}第{a}社区", kind=AreaKind.COMMUNITY, station=station,
             population=station.population // AREAS_PER_STATION)
        for station in stations
        for a in range(1, AREAS_PER_STATION + 1)
    ]  # fmt: skip
    Area.objects.bulk_create(areas)
    by_station: dict[int, list[int]] = {}
    for area in areas:
        by_station.setdefault(area.station_id, []).append(area.pk)
    return BenchCity(city, counties, stations, by_station)


class Generator:
    """Plausible records for the bench city, drawn from one seeded generator. Moments are
    epoch seconds until the row is built; ``clock.moment`` turns them into column values."""

    def __init__(self, rng: random.Random, city: BenchCity, fraud_types: dict[str, int], clock: Clock) -> None:
        self.rng, self.city, self.clock = rng, city, clock
        self.fraud_codes = [code for code in FRAUD_TYPES if code in fraud_types]
        self.fraud_types = fraud_types
        self.pick_fraud = picker(rng, {c: FRAUD_TYPES[c][0] for c in self.fraud_codes})
        self.pick_level = picker(rng, LEVELS)
        self.pick_kind = picker(rng, KINDS)
        self.pick_source = picker(rng, SOURCES)
        self.pick_outcome = picker(rng, TASK_OUTCOMES)
        self.pick_method = picker(rng, METHODS)
        self.pick_form = picker(rng, {form: spec[0] for form, spec in PUBLICITY.items()})
        self.task_fraud_ids = [fraud_types[c] for c in self.fraud_codes]
        self.station_ids = [s.pk for s in city.stations]
        self.station_weights = list(accumulate(s.population for s in city.stations))

    # -- where and when

    def spread(self, n: int, days: list[dt.date], yearly: float) -> list[int]:
        """How many of ``n`` records fall on each day: seasons, the Festival lull, a trend."""
        weights = [
            MONTH_FACTOR[d.month] * (1 + yearly) ** (i / 365) * (0.6 if d.month == 2 and d.day <= 10 else 1.0)
            for i, d in enumerate(days)
        ]
        counts = [0] * len(days)
        for i in self.rng.choices(range(len(days)), cum_weights=list(accumulate(weights)), k=n):
            counts[i] += 1
        return counts

    def stations(self, k: int) -> list[int]:
        return self.rng.choices(self.station_ids, cum_weights=self.station_weights, k=k)

    # -- cases and their ledgers

    def cases(self, day: dt.date, count: int, first_id: int, last_day: dt.date, stamp: int | None):
        """(case rows, ledger rows) of ``count`` cases reported on ``day``; the ledger stops at
        ``last_day``. ``stamp``: created/updated time (None: when things happened)."""
        rng, m = self.rng, self.clock.moment
        cases, events = [], []
        for offset, station in enumerate(self.stations(count)):
            case_id = first_id + offset
            code = self.pick_fraud()
            _, median, spread = FRAUD_TYPES[code]
            loss = Decimal(f"{min(MAX_LOSS, rng.lognormvariate(math.log(median), spread)):.2f}")
            filed = loss >= 2000 or rng.random() < 0.55
            ledger: list[tuple[str, dt.date, int | None, Decimal | None]] = []
            if filed and rng.random() < 0.45:
                ledger.append((EventKind.FREEZE.value, min(day + dt.timedelta(days=rng.randint(0, 3)), last_day), None,
                               Decimal(f"{float(loss) * rng.uniform(0.05, 0.6):.2f}")))  # fmt: skip
            solved_on = day + dt.timedelta(days=rng.randint(5, 150))
            if not (filed and rng.random() < 0.28 and solved_on <= last_day):
                solved_on = None
            else:
                ledger.append((EventKind.SOLVED.value, solved_on, None, None))
                ledger.append((EventKind.ARREST.value, solved_on, rng.choice((1, 1, 1, 2, 2, 3, 4)), None))
                if rng.random() < 0.6:
                    recovered = Decimal(f"{float(loss) * rng.uniform(0.1, 0.8):.2f}")
                    recovered_on = min(solved_on + dt.timedelta(days=rng.randint(0, 20)), last_day)
                    ledger.append((EventKind.RECOVER.value, recovered_on, None, recovered))
                    returned_on = recovered_on + dt.timedelta(days=rng.randint(5, 40))
                    if returned_on <= last_day:
                        ledger.append((EventKind.RETURN.value, returned_on, None,
                                       Decimal(f"{float(recovered) * rng.uniform(0.5, 1.0):.2f}")))  # fmt: skip
            created = stamp or self.clock.midnight(day) + rng.randint(8 * 3600, 20 * 3600)
            for kind, on, count_, amount in ledger:
                at = stamp or self.clock.midnight(on) + rng.randint(9 * 3600, 18 * 3600)
                events.append((m(at), m(at), None, None, "", case_id, kind, on, count_, amount, ""))
            updated = stamp or max([created, *(self.clock.midnight(e[1]) + 18 * 3600 for e in ledger)])
            cases.append((
                case_id, m(created), m(updated), None, None, "", f"{CITY_CODE}-A{case_id:09d}", day,
                day - dt.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 5))), station,
                rng.choice(self.city.areas[station]), f"第{rng.randint(1, 40)}号小区" if rng.random() < 0.35 else "",
                self.fraud_types[code], loss, filed, _age(rng, code), "female" if rng.random() < 0.56 else "male",
                rng.choice(OCCUPATIONS), "transient" if rng.random() < 0.2 else "resident", rng.random() < 0.05,
                solved_on,
            ))  # fmt: skip
        return cases, events

    # -- warning tasks

    def task(self, seq: int, issued: int, station: int, cutoff: int, stamp: int | None) -> tuple:
        """One task issued at ``issued`` with its history as far as ``cutoff`` (epoch seconds)."""
        rng, m = self.rng, self.clock.moment
        level = self.pick_level()
        sign_limit, handle_limit = DEFAULT_DEADLINES[level]
        late = rng.random() < LATE_SHARE
        sign_minutes = min(rng.expovariate(1 / 3) + 0.5, sign_limit * 0.9)
        if late and rng.random() < 0.5:
            sign_minutes = sign_limit * rng.uniform(1.1, 2.0)
        median, spread = HANDLING_MINUTES[level]
        if late:
            handle_minutes = handle_limit * rng.uniform(1.05, 1.6)
        else:
            handle_minutes = min(rng.lognormvariate(math.log(median), spread), handle_limit * 0.95)
        signed: int | None = issued + int(sign_minutes * 60)
        handled: int | None = max(signed + 120, issued + int(handle_minutes * 60))
        if rng.random() < STUCK_SHARE:
            handled = None
            signed = None if rng.random() < 0.5 else signed
        if signed is not None and signed > cutoff:
            signed = handled = None
        if handled is not None and handled > cutoff:
            handled = None
        reviewed = None
        if handled is None:
            status, method, outcome = (PENDING if signed is None else HANDLING), "", ""
        else:
            outcome = self.pick_outcome()
            method = "phone" if outcome == "unreachable" else self.pick_method()
            reviewed = handled + rng.randint(REVIEW_HOURS[0] * 3600, REVIEW_HOURS[1] * 3600)
            reviewed = reviewed if reviewed <= cutoff else None
            status = CLOSED if reviewed else FEEDBACK
        kind = self.pick_kind()
        saved = loss = None
        if outcome == "dissuaded" and kind == "fund" and rng.random() < 0.5:
            saved = Decimal(f"{min(rng.lognormvariate(math.log(20000), 1.1), 2_000_000):.2f}")
        elif outcome == "defrauded":
            loss = Decimal(f"{min(rng.lognormvariate(math.log(8000), 1.2), MAX_LOSS):.2f}")
        created = stamp or issued + 60
        updated = stamp or max(t for t in (created, signed, handled, reviewed) if t is not None)
        return (
            m(created), m(updated), None, None, "", f"{CITY_CODE}-YJ{seq:09d}", m(issued), level, kind,
            "bank" if kind == "fund" and rng.random() < 0.6 else self.pick_source(), station,
            rng.choice(SURNAMES) + rng.choice(("某", "先生", "女士")),
            f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            f"99{rng.randrange(10**4):04d}{rng.randint(1945, 2008)}{rng.randrange(10**8):08d}"[:18],
            rng.choice(self.task_fraud_ids) if rng.random() < 0.7 else None, status,
            m(issued + sign_limit * 60), m(issued + handle_limit * 60), m(signed), None, m(handled), None,
            method, outcome, "", saved, loss, None, m(reviewed), None,
        )  # fmt: skip

    def tasks(self, counts: list[int], days: list[dt.date], first_seq: int, cutoff: int) -> Iterator[tuple]:
        """History: ``counts[i]`` tasks issued on ``days[i]``, most between 8:00 and 23:00."""
        rng, seq = self.rng, first_seq
        for day, count in zip(days, counts, strict=True):
            midnight = self.clock.midnight(day)
            for station in self.stations(count):
                minute = rng.uniform(0, 480) if rng.random() < 0.08 else rng.uniform(480, 1380)
                yield self.task(seq, midnight + int(minute * 60), station, cutoff, None)
                seq += 1

    # -- publicity

    def publicity(self, day: dt.date, count: int, first_seq: int, stamp: int | None) -> list[tuple]:
        rng, m = self.rng, self.clock.moment
        at = stamp or self.clock.midnight(day) + 18 * 3600
        rows = []
        units = [(u, self.pick_form()) for u in rng.choices(self.station_ids, k=count)]
        if day.day in (1, 15):  # county-wide SMS and robocall pushes, twice a month
            units += [(county.pk, "sms" if day.day == 1 else "robocall") for county in self.city.counties]
        for seq, (unit_id, form) in enumerate(units, start=first_seq):
            _, (low, high), title = PUBLICITY.get(form, (0, (20_000, 150_000), "全区（县）反诈预警推送"))
            reach = rng.randint(low, high)
            rows.append((
                m(at), m(at), None, None, "", f"{CITY_CODE}-P{seq:08d}", day, unit_id,
                title.format(f"第{rng.randint(1, AREAS_PER_STATION)}社区"), form, AUDIENCE.get(form, "全体群众"), "",
                reach, reach if form in ("community", "stall", "lecture", "school") else 0,
                round(reach * rng.uniform(0.05, 0.3)) if form not in ("video", "sms", "robocall") else 0,
            ))  # fmt: skip
        return rows


@dataclass
class Sizes:
    cases: int = 0
    events: int = 0
    tasks: int = 0
    publicity: int = 0
    load_seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Timing:
    unit: Unit
    period: str
    label: str
    metrics_ms: list[float]
    api_ms: list[float] | None


class Command(BaseCommand):
    help = (
        "统计引擎基准测试：在专用的空数据库中载入城市规模的数据（默认 10 万案件、100 万预警任务），"
        "测量全量重建、增量刷新和 metrics()/统计 API 的响应时间。用法：make bench"
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000, help="三年的案件数（默认 100000）")
        parser.add_argument("--tasks", type=int, default=1_000_000, help="三年的预警任务数（默认 1000000）")
        parser.add_argument("--repeat", type=int, default=30, help="每项响应时间测量的次数（默认 30）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument("--keep", action="store_true", help="结束后保留生成的数据（默认删除）")

    def handle(self, *args, cases, tasks, repeat, seed, keep, **options):
        if min(cases, tasks, repeat) < 1:
            raise CommandError("--cases、--tasks、--repeat 都必须是正整数。")
        if connection.vendor not in ("sqlite", "postgresql"):
            raise CommandError(f"只支持 SQLite 和 PostgreSQL，当前数据库是 {connection.vendor}。")
        fraud_types = dict(FraudType.objects.filter(code__in=FRAUD_TYPES).values_list("code", "id"))
        if not fraud_types:
            raise CommandError("数据库中没有诈骗类型：请先运行 python manage.py migrate。")
        self._refuse_unless_scratch()
        self.heading(f"数据库：{database_label()}；系统负载 {load_label()}")
        state = StatsState.objects.filter(pk=1).values().first()
        rng, clock = random.Random(seed), Clock()
        with transaction.atomic():
            city = bench_city_create(rng)
            user = User(username=BENCH_USERNAME, is_superuser=True, is_staff=True)
            user.set_unusable_password()
            user.save()
        generator = Generator(rng, city, fraud_types, clock)
        try:
            sizes = self._load(generator, cases=cases, tasks=tasks)
            rebuild_seconds = self._rebuild()
            problems = self._verify(city.city, "重建后")
            day_result, idle_result = self._one_more_day(generator, cases=cases, tasks=tasks)
            problems += self._verify(city.city, "刷新后")
            timings = self._measure(city, user, repeat)
            self._summary(sizes, rebuild_seconds, day_result, idle_result, timings, repeat, problems)
        finally:
            if keep:
                self.stdout.write(f"已保留基准测试数据（单位 {CITY_CODE}）；下次运行会先清除。")
            else:
                self._remove(city, state)

    def heading(self, text: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"== {text}"))

    # -- safety

    def _refuse_unless_scratch(self) -> None:
        """Refuse any database holding records that are not the bench city's; clear an
        earlier run's city (left by --keep or an interrupted run)."""
        earlier = Unit.objects.filter(code=CITY_CODE).first()
        if earlier is not None and earlier.name != CITY_NAME:
            raise CommandError(f"单位编码 {CITY_CODE} 已被“{earlier.name}”占用：请换一个专用的空数据库。")
        for model, unit_field in RECORD_MODELS:
            qs = model.objects.all()
            if earlier is not None:
                qs = qs.exclude(**{f"{unit_field}__path__startswith": earlier.path})
            if qs.exists():
                raise CommandError(
                    f"数据库中已有{model._meta.verbose_name}等业务数据，拒绝运行：基准测试会写入上百万条记录并重建全部统计，"
                    "只能在专用的空数据库上运行。请用 make bench（SQLite 使用 var/bench/，"
                    "或设置 BENCH_DATABASE_URL 指向一个专用数据库）。"
                )
        taken = Unit.objects.filter(code__startswith=f"{CITY_CODE}-")
        if earlier is not None:
            taken = taken.exclude(path__startswith=earlier.path)
        if taken.exists():
            raise CommandError(f"单位编码前缀 {CITY_CODE}- 已被其他单位使用：请换一个专用的空数据库。")
        if earlier is not None:
            self.stdout.write("发现上次保留的基准测试数据，先清除……")
            units = list(Unit.objects.subtree(earlier))
            self._remove(
                BenchCity(earlier, [u for u in units if u.level == UnitLevel.COUNTY],
                          [u for u in units if u.level == UnitLevel.STATION], {}),
                StatsState.objects.filter(pk=1).values().first(),
            )  # fmt: skip
        else:
            User.objects.filter(username=BENCH_USERNAME, is_superuser=True, unit__isnull=True).delete()

    # -- load

    def _load(self, gen: Generator, *, cases: int, tasks: int) -> Sizes:
        today = timezone.localdate()
        yesterday = today - dt.timedelta(days=1)
        days = [yesterday - dt.timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
        cutoff = gen.clock.midnight(today)  # the history ends at midnight; today is the "one more day"
        self.heading(
            f"载入 {days[0]:%Y-%m-%d} 至 {yesterday:%Y-%m-%d} 的数据：{COUNTIES} 个县（区）、"
            f"{COUNTIES * STATIONS_PER_COUNTY} 个派出所、{cases:,} 起案件、{tasks:,} 条预警任务"
        )
        sizes = Sizes()
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            t0 = time.monotonic()
            first_id = max_id(cursor, FraudCase) + 1
            case_rows, event_rows = [], []
            for day, count in zip(days, gen.spread(cases, days, CASE_TREND), strict=True):
                new_cases, new_events = gen.cases(day, count, first_id + len(case_rows), yesterday, None)
                case_rows += new_cases
                event_rows += new_events
            sizes.cases = Writer(cursor, FraudCase, CASE_FIELDS).write(case_rows)
            reset_sequence(cursor, FraudCase)
            sizes.events = Writer(cursor, CaseEvent, EVENT_FIELDS).write(event_rows)
            sizes.load_seconds["案件及进展"] = self._done(f"案件 {sizes.cases:,} 起，进展 {sizes.events:,} 条", t0)
            t0 = time.monotonic()
            counts = gen.spread(tasks, days, TASK_TREND)
            sizes.tasks = Writer(cursor, WarningTask, TASK_FIELDS).write(gen.tasks(counts, days, 1, cutoff))
            sizes.load_seconds["预警任务"] = self._done(f"预警任务 {sizes.tasks:,} 条", t0)
            t0 = time.monotonic()
            publicity, seq = [], 1
            for day, count in zip(days, gen.spread(round(cases * PUBLICITY_PER_CASE), days, 0), strict=True):
                publicity += gen.publicity(day, count, seq + len(publicity), None)
            sizes.publicity = Writer(cursor, PublicityActivity, PUBLICITY_FIELDS).write(publicity)
            sizes.load_seconds["宣传活动"] = self._done(f"宣传活动 {sizes.publicity:,} 次", t0)
            t0 = time.monotonic()  # what is left is the commit (PostgreSQL checks the deferred foreign keys then)
        sizes.load_seconds["提交"] = self._done("提交", t0)
        if connection.vendor == "postgresql":
            sizes.load_seconds["ANALYZE"] = self._analyze("载入后 ANALYZE（autovacuum 随后也会做）")
        sizes.load_seconds["合计"] = time.monotonic() - started
        self.stdout.write(f"载入合计 {sizes.load_seconds['合计']:.1f} 秒")
        return sizes

    def _done(self, what: str, t0: float) -> float:
        seconds = time.monotonic() - t0
        self.stdout.write(f"  {what}：{seconds:.1f} 秒")
        return seconds

    def _analyze(self, what: str) -> float:
        t0 = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return self._done(what, t0)

    # -- rollups

    def _rebuild(self) -> float:
        self.heading("全量重建 rebuild()")
        t0 = time.monotonic()
        rebuild()
        seconds = self._done("全量重建", t0)
        counts = "，".join(f"{m.__name__} {m.objects.count():,}" for m in (*FACT_MODELS, Footprint))
        self.stdout.write(f"  汇总表行数：{counts}")
        if connection.vendor == "postgresql":
            self._analyze("重建后 ANALYZE（不计入重建时间）")
        return seconds

    def _one_more_day(self, gen: Generator, *, cases: int, tasks: int):
        """Today's records as an import would bring them (stamped now), older open tasks
        handled today and a few older cases solved today; then one timed refresh()."""
        self.heading("多一天的数据，然后增量刷新 refresh()")
        rng, clock, m = gen.rng, gen.clock, gen.clock.moment
        today = timezone.localdate()
        now = int(timezone.now().timestamp()) - 1
        midnight = clock.midnight(today)
        bench = gen.station_ids
        with transaction.atomic(), connection.cursor() as cursor:
            first_id = max_id(cursor, FraudCase) + 1
            case_rows, event_rows = gen.cases(today, max(1, round(cases / 1000)), first_id, today, now)
            Writer(cursor, FraudCase, CASE_FIELDS).write(case_rows)
            reset_sequence(cursor, FraudCase)
            solved = FraudCase.objects.filter(
                station_id__in=bench, filed=True, solved_on__isnull=True,
                reported_on__gte=today - dt.timedelta(days=150), reported_on__lt=today,
            ).values_list("id", flat=True)  # fmt: skip
            solved = rng.sample(sorted(solved), min(len(solved), max(1, cases // 5000)))
            for case_id in solved:
                event_rows.append(
                    (m(now), m(now), None, None, "", case_id, EventKind.SOLVED.value, today, None, None, "")
                )
                event_rows.append((m(now), m(now), None, None, "", case_id, EventKind.ARREST.value, today, 1, None, ""))
            cursor.executemany(
                f"UPDATE {table(FraudCase)} SET {column(FraudCase, 'solved_on')} = %s, "
                f"{column(FraudCase, 'updated_at')} = %s WHERE id = %s",
                [(today, m(now), case_id) for case_id in solved],
            )
            Writer(cursor, CaseEvent, EVENT_FIELDS).write(event_rows)
            new_tasks = [
                gen.task(seq, rng.randint(midnight, max(midnight, now - 60)), station, now, now)
                for seq, station in enumerate(gen.stations(max(1, round(tasks / 1000))), start=10**8)
            ]
            Writer(cursor, WarningTask, TASK_FIELDS).write(new_tasks)
            handled = self._handle_open_tasks(cursor, gen, midnight, now)
            publicity = gen.publicity(today, max(1, round(cases * PUBLICITY_PER_CASE / DAYS)), 10**7, now)
            Writer(cursor, PublicityActivity, PUBLICITY_FIELDS).write(publicity)
        self.stdout.write(
            f"  新增：案件 {len(case_rows)} 起，进展 {len(event_rows)} 条（其中 {len(solved)} 起旧案今日破案），"
            f"预警任务 {len(new_tasks)} 条，宣传活动 {len(publicity)} 次；今日处置旧任务 {handled} 条"
        )
        result = refresh()
        self.stdout.write(f"  {result}")
        idle = refresh()  # what the every-minute beat costs right after: the overlap window rereads them
        self.stdout.write(
            f"  紧接着再刷新一次（无新改动，{idle.records:,} 条记录在重叠窗口内被重读）：{idle.seconds:.2f} 秒"
        )
        return result, idle

    def _verify(self, city: Unit, when: str) -> list[str]:
        """The rollups against the raw records — fast but wrong would be no result: all-time
        totals, and the city's figures this month and this year, and the overdue count at the
        end of last month and of the same month a year ago (from the running sums)."""
        t0 = time.monotonic()
        problems = []

        def check(what: str, rollup, raw) -> None:
            if rollup != raw:
                problems.append(f"{when}{what}：汇总 {rollup:,}，原始记录 {raw:,}")

        def total(model, column: str) -> int:
            return model.objects.within(city).aggregate(n=Sum(column, default=0))["n"]

        cases = FraudCase.objects.live().within(city)
        tasks = WarningTask.objects.live().within(city)
        check("案件数", total(CaseFact, "n"), cases.count())
        check("案件进展数", total(EventFact, "n"), CaseEvent.objects.live().filter(case__in=cases).count())
        check("预警下发数", total(WarningFact, "received"), tasks.count())
        check("预警签收数", total(WarningFact, "signed"), tasks.filter(acknowledged_at__isnull=False).count())
        check("预警处置数", total(WarningFact, "handled"), tasks.filter(handled_at__isnull=False).count())
        check("宣传活动数", total(PublicityFact, "n"), PublicityActivity.objects.live().within(city).count())
        today = timezone.localdate()
        for kind, label in PERIODS:
            period = period_for(kind, today)
            start, end = day_start(period.start), day_start(period.end + dt.timedelta(days=1))
            figures = metrics(city, period)["metrics"]
            reported = cases.filter(reported_on__range=(period.start, period.end)).count()
            check(f"{label}警情数", figures["reports"]["value"], reported)
            issued = tasks.filter(issued_at__gte=start, issued_at__lt=end).count()
            check(f"{label}预警下发数", figures["warnings_received"]["value"], issued)
            handled = tasks.filter(handled_at__gte=start, handled_at__lt=end).count()
            check(f"{label}预警处置数", figures["warnings_handled"]["value"], handled)
        month = period_for("month", today)
        figures = metrics(city, month)["metrics"]["warnings_overdue"]
        for base, label, period in (("mom_base", "上月末", month.mom()), ("yoy_base", "去年同月末", month.yoy())):
            end = day_start(period.end + dt.timedelta(days=1))
            overdue = tasks.filter(Q(handled_at__isnull=True) | Q(handled_at__gte=end)).filter(
                Q(handle_deadline__lt=end)
                | (Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gte=end)) & Q(sign_deadline__lt=end)
            )
            check(f"{label}超期未处置数", figures[base], overdue.count())
        if problems:
            for problem in problems:
                self.stdout.write(self.style.ERROR(f"  校验不一致：{problem}"))
        else:
            self.stdout.write(f"  校验（{when}）：汇总表与原始记录一致（{time.monotonic() - t0:.1f} 秒，不计入耗时）")
        return problems

    def _handle_open_tasks(self, cursor, gen: Generator, midnight: int, now: int) -> int:
        """Open tasks issued before today: the recent ones are handled today, and a fifth of
        the long-stuck ones."""
        rng, m = gen.rng, gen.clock.moment
        recent = midnight - 3 * 86400
        rows = []
        open_tasks = WarningTask.objects.filter(
            station_id__in=gen.station_ids,
            status__in=OPEN_STATUSES,
            issued_at__lt=gen.clock.EPOCH_UTC + dt.timedelta(seconds=midnight),
        )
        for task_id, issued_at, acknowledged_at in open_tasks.values_list("id", "issued_at", "acknowledged_at"):
            issued = int(issued_at.timestamp())
            if issued < recent and rng.random() > 0.2:
                continue
            signed = int(acknowledged_at.timestamp()) if acknowledged_at else rng.randint(midnight, now)
            handled = rng.randint(max(signed, midnight), now)
            outcome = gen.pick_outcome()
            rows.append((FEEDBACK, m(signed), m(handled), gen.pick_method(), outcome, m(now), task_id))
        names = ("status", "acknowledged_at", "handled_at", "method", "outcome", "updated_at")
        sets = ", ".join(f"{column(WarningTask, name)} = %s" for name in names)
        if rows:
            cursor.executemany(f"UPDATE {table(WarningTask)} SET {sets} WHERE id = %s", rows)
        return len(rows)

    # -- answers

    def _measure(self, city: BenchCity, user: User, repeat: int) -> list[Timing]:
        county = city.counties[0]
        station = next(s for s in city.stations if s.parent_id == county.pk)
        today = timezone.localdate()
        self.heading(f"响应时间：每项 {repeat} 次（另有 1 次预热不计）")
        timings = []
        # The test client's host is "testserver"; the API runs exactly as it does for a browser.
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            client = self._api_client(user)
            for unit in (city.city, county, station):
                for kind, label in PERIODS:
                    period = period_for(kind, today)
                    samples = timed(lambda unit=unit, period=period: metrics(unit, period), repeat)
                    api = None
                    if client is not None:
                        query = {"unit": unit.code, "period": kind, "date": today.isoformat()}
                        api = timed(lambda query=query: api_get(client, query), repeat)
                    timings.append(Timing(unit, kind, f"{label}（{period.label}）", samples, api))
                    self.stdout.write(f"  {unit.name} {label}：metrics() p50 {percentile(samples, 50):.1f} 毫秒")
            if client is not None:
                client.logout()
        return timings

    def _api_client(self, user: User) -> Client | None:
        """A signed-in test client, or None (with the reason printed) when the stats API is
        not there yet."""
        try:
            resolve(API_URL)
        except Resolver404:
            self.stdout.write(self.style.WARNING(f"  统计 API（{API_URL}）尚不存在：跳过 API 测量。"))
            return None
        # WhiteNoise warns once that collectstatic has not run: no static file is served here.
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        client = Client()
        client.force_login(user)
        return client

    def _summary(self, sizes: Sizes, rebuild_seconds: float, day, idle, timings: list[Timing], repeat: int,
                 problems: list[str]) -> None:  # fmt: skip
        self.heading("结果")
        loads = "，".join(f"{k} {v:.1f}" for k, v in sizes.load_seconds.items() if k != "合计")
        self.stdout.write(f"数据库            {database_label()}")
        self.stdout.write(
            f"数据量            案件 {sizes.cases:,}，进展 {sizes.events:,}，预警任务 {sizes.tasks:,}，"
            f"宣传活动 {sizes.publicity:,}"
        )
        self.stdout.write(f"载入              {sizes.load_seconds['合计']:.1f} 秒（{loads}）")
        self.stdout.write(f"全量重建          {rebuild_seconds:.1f} 秒")
        self.stdout.write(
            f"增量刷新（多一天）{day.seconds:.2f} 秒：{day.records:,} 条记录改动，{day.pairs:,} 个（单位, 日）组合"
        )
        self.stdout.write(f"紧接着再刷新      {idle.seconds:.2f} 秒（无新改动；重叠窗口内重读 {idle.records:,} 条）")
        self.stdout.write(f"系统负载          {load_label()}")
        if problems:
            self.stdout.write(
                self.style.ERROR(f"校验              {len(problems)} 项不一致（见上）：统计结果有误，耗时仅供参考")
            )
        else:
            self.stdout.write("校验              重建后、刷新后汇总表均与原始记录一致")
        self.stdout.write("")
        header = ("单位", "周期", "metrics() p50", "p95", "API p50", "p95")
        rows = [
            (
                f"{t.unit.name}（{t.unit.get_level_display()}）", t.label,
                f"{percentile(t.metrics_ms, 50):.1f}", f"{percentile(t.metrics_ms, 95):.1f}",
                f"{percentile(t.api_ms, 50):.1f}" if t.api_ms else "—",
                f"{percentile(t.api_ms, 95):.1f}" if t.api_ms else "—",
            )
            for t in timings
        ]  # fmt: skip
        widths = [max(display_width(r[i]) for r in (header, *rows)) for i in range(len(header))]
        self.stdout.write(f"响应时间（毫秒，每项 {repeat} 次）")
        for row in (header, *rows):
            self.stdout.write("  " + "  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)))

    # -- clean up

    def _remove(self, city: BenchCity, state: dict | None) -> None:
        """Delete everything the bench wrote, children first (records are PROTECT-referenced),
        with plain DELETEs: the ORM would load a million tasks to send their signals."""
        t0 = time.monotonic()
        units = city.unit_ids
        in_units = f"IN ({', '.join(['%s'] * len(units))})"
        tasks = f"SELECT id FROM {table(WarningTask)} WHERE {column(WarningTask, 'station')} {in_units}"
        cases = f"SELECT id FROM {table(FraudCase)} WHERE {column(FraudCase, 'station')} {in_units}"
        review_link = FourChecksReview.cases.through
        reviews = (
            f"SELECT id FROM {table(FourChecksReview)} WHERE {column(FourChecksReview, 'county')} {in_units} "
            f"OR {column(FourChecksReview, 'task')} IN ({tasks}) OR {column(FourChecksReview, 'case')} IN ({cases})"
        )
        steps = [  # (model or table, WHERE, how many times the unit ids are used)
            (ContactAttempt, f"{column(ContactAttempt, 'task')} IN ({tasks})", 1),
            (TaskTransition, f"{column(TaskTransition, 'task')} IN ({tasks})", 1),
            (Escalation, f"{column(Escalation, 'task')} IN ({tasks}) OR {column(Escalation, 'unit')} {in_units}", 2),
            (review_link, f"fourchecksreview_id IN ({reviews}) OR fraudcase_id IN ({cases})", 4),
            (FourChecksReview, f"id IN ({reviews})", 3),
            (CaseEvent, f"{column(CaseEvent, 'case')} IN ({cases})", 1),
            (WarningTask, f"{column(WarningTask, 'station')} {in_units}", 1),
            (FraudCase, f"{column(FraudCase, 'station')} {in_units}", 1),
            (PublicityActivity, f"{column(PublicityActivity, 'unit')} {in_units}", 1),
            (FraudCase.history.model, f"station_id {in_units}", 1),
            (WarningTask.history.model, f"station_id {in_units}", 1),
            (PublicityActivity.history.model, f"unit_id {in_units}", 1),
            (FourChecksReview.history.model, f"county_id {in_units}", 1),
            *((model, f"unit_id {in_units}", 1) for model in (*FACT_MODELS, DayTotal, MonthTotal, Footprint, Target)),
            (Area, f"{column(Area, 'parent')} IS NOT NULL AND {column(Area, 'station')} {in_units}", 1),
            (Area, f"{column(Area, 'station')} {in_units}", 1),
            (Area.history.model, f"station_id {in_units}", 1),
        ]
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Ledger history rows carry no unit: find them through the cases' ids first.
                cursor.execute(
                    f"DELETE FROM {table(CaseEvent.history.model)} WHERE case_id IN ({cases})", units
                )  # fmt: skip
                for model, where, uses in steps:
                    cursor.execute(f"DELETE FROM {table(model)} WHERE {where}", units * uses)
            User.objects.filter(unit_id__in=units).delete()
            User.objects.filter(username=BENCH_USERNAME, is_superuser=True, unit__isnull=True).delete()
            for depth in sorted(set(Unit.objects.filter(pk__in=units).values_list("depth", flat=True)), reverse=True):
                Unit.objects.filter(pk__in=units, depth=depth).delete()
            Unit.history.model.objects.filter(id__in=units).delete()
            StatsState.objects.filter(pk=1).delete()
            if state is not None:
                StatsState.objects.create(**state)
        self.stdout.write(f"已删除基准测试数据：{time.monotonic() - t0:.1f} 秒")


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of ``repeat`` calls, after one warm-up call that is not counted."""
    call()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def api_get(client: Client, query: dict) -> None:
    response = client.get(API_URL, query)
    if response.status_code != 200:
        raise CommandError(
            f"统计 API {API_URL} 返回 {response.status_code}：{response.content[:300].decode(errors='replace')}"
        )


def max_id(cursor, model) -> int:
    cursor.execute(f"SELECT MAX(id) FROM {table(model)}")
    return cursor.fetchone()[0] or 0


def reset_sequence(cursor, model) -> None:
    """After rows with explicit ids, move PostgreSQL's sequence past them (SQLite: nothing to do)."""
    for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
        cursor.execute(sql)


def load_label() -> str:
    """The load averages: other work on the machine skews every figure."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}（1/5/15 分钟，{os.cpu_count()} 核）"


def database_label() -> str:
    if connection.vendor == "postgresql":
        version = connection.pg_version
        return f"PostgreSQL {version // 10000}.{version % 10000}（{connection.settings_dict['NAME']}）"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}（{connection.settings_dict['NAME']}）"
