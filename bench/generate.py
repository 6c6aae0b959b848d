"""Benchmark data in the import formats: deterministic, streamed to CSV, day by day.

``generate(scale, out_dir)`` writes one file per kind of DATA.md's "Files people import"
(units, areas, cases, case_events, warnings, publicity; Chinese headers, UTF-8), ready for
``python manage.py import_data KIND FILE``, and a second set under ``extra/`` holding ONE
more day (today, the day after the last one) with new keys, to time an incremental load.

- The tree: a province (省) of cities, or one city (市), of counties (县) of stations (派出所);
  12-digit codes (``98CCKK000000``, stations ``98CCKK51SSSS``) and unique Chinese names from
  a fixed list of syllables; a few 社区 per station.
- Cases: the demo's fraud-type mix and heavy-tailed losses (``demo.records``), its seasons, a
  mild yearly fall (``stats_bench``); some stations far busier than others. The ledger rides
  on the case rows as cumulative totals with their dates (冻结 45% of filed cases, 破案 +
  抓获 28%, 追赃 / 返还), which the intake turns into ledger events; ``case_events`` adds
  later 追赃 / 返还 on top, and the extra day 破案 / 抓获 / 追赃 of older open cases.
- Warnings: the demo's levels, kinds, sources, methods and handling times, stats_bench's
  late (5%) / never handled (0.2%) shares and outcomes; history cut at midnight today, so the
  last hours' tasks are still open. Valid phone numbers and ID numbers (check digit).
- Publicity: the demo's forms, audiences and reach, mostly stations, some county campaigns.

Deterministic: every day draws from its own ``random.Random(f"{seed}:{kind}:{day}")``, so
the same seed, ``today`` and ``now`` give byte-identical files. ``now`` matters only for
the extra day's warnings (a task cannot be issued in the future): by default the end of
``today`` when it is past, else the current hour. Rows are held a day at a time (plus the
case numbers the extra day may solve). With two workers (the default from 100,000 tasks on a
multi-core machine) a forked child writes the later days of warnings into a part file that
is then appended: the bytes are the same as with one.

Needs Django set up (the distributions come from ``demo`` and ``stats_bench``). The files
are as large as the scale says: the province's warnings.csv is about 1.8 GB, above the
intake's ``IMPORT_MAX_FILE_SIZE`` (200 MB by default), which a loader must raise or work around.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import multiprocessing
import os
import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from pathlib import Path

from demo.city import GIVEN_NAMES, SURNAMES
from demo.records import (
    AUDIENCE,
    FRAUD_TYPES,
    MAX_LOSS,
    MONTH_FACTOR,
    OCCUPATIONS,
    PLACES_RURAL,
    PLACES_URBAN,
    PUBLICITY,
    _age,
)
from demo.warnings import HANDLING_MINUTES, KINDS, LEVELS, METHODS, NAME_STYLES, SOURCES
from earlywarnings.models import ContactMethod, Outcome, RiskLevel, WarningKind, WarningSource
from earlywarnings.policy import DEFAULT_DEADLINES
from earlywarnings.validators import ID_CHECK, ID_WEIGHTS
from imports.parsers import SHANGHAI
from publicity.models import PublicityForm
from stats.management.commands.stats_bench import CASE_TREND, LATE_SHARE, STUCK_SHARE, TASK_OUTCOMES, TASK_TREND


@dataclass(frozen=True)
class Scale:
    cities: int
    counties: int
    stations: int
    years: int
    cases: int
    tasks: int
    publicity: int

    @property
    def days(self) -> int:
        return 365 * self.years

    @property
    def province(self) -> bool:
        """More than one city: the root is a province."""
        return self.cities > 1

    @property
    def units(self) -> int:
        return (1 if self.province else 0) + self.cities + self.counties + self.stations

    def per_day(self, total: int) -> int:
        return max(1, round(total / self.days))

    def check(self) -> None:
        if not (1 <= self.cities <= self.counties <= self.stations) or self.years < 1:
            raise ValueError("a scale needs 1 ≤ cities ≤ counties ≤ stations and at least one year")
        if self.cities > 99 or -(-self.counties // self.cities) > 99 or -(-self.stations // self.counties) > 9999:
            raise ValueError("codes allow 99 cities, 99 counties a city and 9,999 stations a county")


SCALES = {
    "small": Scale(cities=1, counties=5, stations=30, years=3, cases=20_000, tasks=200_000, publicity=4_000),
    "city": Scale(cities=1, counties=10, stations=60, years=3, cases=100_000, tasks=1_000_000, publicity=20_000),
    "province": Scale(cities=20, counties=200, stations=2_000, years=5, cases=1_000_000, tasks=10_000_000,
                      publicity=200_000),
}  # fmt: skip

KINDS_IN_ORDER = ("units", "areas", "cases", "case_events", "warnings", "publicity")
EXTRA_KINDS = ("cases", "case_events", "warnings", "publicity")
HEADERS = {
    "units": ("单位编码", "单位名称", "层级", "上级单位编码", "常住人口"),
    "areas": ("区域编码", "区域名称", "区域类型", "所属单位编码", "上级区域编码"),
    "cases": ("案件编号", "受理日期", "发案日期", "办案单位", "发案地", "发案部位", "诈骗类型", "损失金额", "是否立案",
              "受害人年龄", "受害人性别", "受害人职业", "户籍类型", "预警后被骗", "破案日期", "抓获人数", "冻结金额",
              "追赃金额", "返还金额", "冻结日期", "追赃日期", "返还日期"),
    "case_events": ("案件编号", "事件", "日期", "人数", "金额"),
    "warnings": ("预警编号", "下发时间", "风险等级", "预警类型", "预警来源", "处置单位", "预警对象", "对象手机号",
                 "对象身份证号", "涉诈类型", "签收时间", "处置时间", "处置方式", "处置结果", "止损金额"),
    "publicity": ("活动编号", "活动日期", "开展单位", "活动名称", "活动形式", "宣传对象", "地点", "覆盖人数",
                  "发放资料数", "反诈APP安装数"),
}  # fmt: skip

PREFIX = "98"  # the first two digits of every code: no real province has them
# Place-name syllables: two of them make a unit's name, three when two run out.
SYLLABLES = ("安", "宁", "平", "和", "康", "泰", "永", "丰", "兴", "华", "昌", "隆", "德", "顺", "清", "河", "山",
             "江", "湖", "云", "松", "柏", "桂", "梅", "石", "泉", "溪", "阳", "明", "新", "东", "西", "南", "北",
             "临", "沙", "金", "银", "龙", "凤", "鹤", "桃", "柳", "枫", "青", "白", "红", "长", "高", "丘", "岭",
             "川", "洲", "城", "关", "原", "林", "峰", "宝", "定", "怀", "远", "广", "茂", "嘉", "吉", "瑞", "福",
             "禄", "寿", "文", "武")  # fmt: skip
COMMUNITY_SUFFIXES = ("东苑", "西苑", "南苑", "北苑", "新村", "花园", "和平", "幸福", "阳光", "滨河", "文化", "建设")
AREAS_PER_STATION = 3
URBAN_SHARE = 0.4  # of a city's counties, the first are 区 (urban), the rest 县
BUSY_SPREAD = 0.5  # log-normal spread of how busy a station is, beyond its population
CHILD_SHARE = 0.45  # with two workers, the child writes the warnings after the first 45% of them
PARALLEL_FROM = 100_000  # tasks: below this, one process is quicker than forking
COUNTY_PUBLICITY = 0.08  # share of activities run by a county (SMS pushes, robocalls)
EXTRA_SOLVED = 0.15  # extra day: older open cases solved that day, per case reported that day
CANDIDATE_DAYS = 90  # …chosen among filed, unsolved cases of the last 90 days
FOLLOW_UP = 0.3  # of cases with 追赃 on their row, a later 追赃 in case_events

# Chinese labels, as the files carry them.
LEVEL_LABELS = {"province": "省", "city": "市", "county": "县", "station": "派出所"}
RISK = dict(RiskLevel.choices)
WARNING_KIND = dict(WarningKind.choices)
WARNING_SOURCE = dict(WarningSource.choices)
METHOD = dict(ContactMethod.choices)
OUTCOME = dict(Outcome.choices)
FORM = dict(PublicityForm.choices)
PHONE_PREFIXES = ("130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                  "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186",
                  "187", "188", "189", "199")  # fmt: skip
TABLE = 1024  # categorical picks: a table of 1,024 entries indexed by ten random bits
SAMPLES = 4096  # durations: 4,096 pre-drawn samples per level, indexed by twelve bits
NIGHT_SHARE, NIGHT_END, DAY_END = 0.08, 8 * 3600, 23 * 3600  # tasks follow people's day (demo.warnings)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str  # province / city / county / station
    parent: str  # code, "" for the root
    population: int
    rural: bool = False


@dataclass(frozen=True)
class Station:
    code: str
    stem: str  # the name without 派出所
    county: str
    rural: bool
    areas: tuple[tuple[str, str], ...]  # (code, name)
    id_area: str  # the county's first six digits: where its people's ID numbers come from
    id_sum: int  # their weighted sum for the ID check digit


@dataclass
class Manifest:
    scale: str
    seed: int
    today: dt.date
    first_day: dt.date
    last_day: dt.date
    dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    extra_day: dict[str, Path] = field(default_factory=dict)
    extra_rows: dict[str, int] = field(default_factory=dict)
    top_code: str = ""  # the root: the province, or the city
    city_code: str = ""
    county_code: str = ""
    station_code: str = ""
    extra_until: dt.datetime | None = None  # the extra day's warnings are issued and worked before this
    seconds: float = 0.0  # how long generating took (not in manifest.json, which stays byte-identical)

    def as_dict(self) -> dict:
        return {
            "scale": self.scale, "seed": self.seed, "today": self.today.isoformat(),
            "first_day": self.first_day.isoformat(), "last_day": self.last_day.isoformat(), "dir": str(self.dir),
            "files": {k: str(p) for k, p in self.files.items()}, "rows": dict(self.rows),
            "extra_day": {k: str(p) for k, p in self.extra_day.items()}, "extra_rows": dict(self.extra_rows),
            "top_code": self.top_code, "city_code": self.city_code, "county_code": self.county_code,
            "station_code": self.station_code,
            "extra_until": self.extra_until.isoformat() if self.extra_until else None, "seconds": self.seconds,
        }  # fmt: skip


# -- small helpers


def _table(rng_weights: dict, size: int = TABLE) -> list:
    """A lookup table: entry i is the key whose cumulative weight covers (i + 0.5) / size."""
    keys, cumulative = list(rng_weights), list(accumulate(rng_weights.values()))
    total = cumulative[-1]
    table, k = [], 0
    for i in range(size):
        u = (i + 0.5) / size * total
        while cumulative[k] < u:
            k += 1
        table.append(keys[k])
    return table


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` in ``parts`` uneven integer shares summing to it."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    cuts = [round(total * c / sum(weights)) for c in accumulate(weights)]
    return [b - a for a, b in zip([0, *cuts[:-1]], cuts, strict=True)]


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Integer counts proportional to ``weights`` summing exactly to ``total``."""
    cumulative = list(accumulate(weights))
    cuts = [round(total * c / cumulative[-1]) for c in cumulative]
    return [b - a for a, b in zip([0, *cuts[:-1]], cuts, strict=True)]


def _id_sum(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


@cache
def _clock() -> tuple[str, ...]:
    """' HH:MM:SS' for every second of a day: formatting a moment is two lookups."""
    return tuple(f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400))


@cache
def _four_digits() -> tuple[str, ...]:
    return tuple(f"{n:04d}" for n in range(10000))


def _serials(count: int) -> tuple[str, ...]:
    """'000001' … for a day's task numbers (cached by powers of two)."""
    size = 1 << max(count, 1).bit_length()
    return _serials_upto(size)


@cache
def _serials_upto(size: int) -> tuple[str, ...]:
    return tuple(f"{n + 1:06d}" for n in range(size))


def _money(yuan: float) -> str:
    return f"{yuan:.2f}"


def _writer(path: Path, kind: str):
    handle = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed by the caller
    writer = csv.writer(handle)
    writer.writerow(HEADERS[kind])
    return handle, writer


# -- the tree


def _names(rng: random.Random) -> Iterator[str]:
    """Unique place-name stems: every pair of syllables in a seeded order, then triples."""
    pairs = [a + b for a in SYLLABLES for b in SYLLABLES if a != b]
    rng.shuffle(pairs)
    yield from pairs
    for third in SYLLABLES:
        for pair in pairs:
            if third not in pair:
                yield pair + third


def build_tree(scale: Scale, rng: random.Random) -> tuple[list[Unit], list[Station]]:
    names = _names(rng)
    units: list[Unit] = []
    stations: list[Station] = []
    city_people = [rng.randint(3_000_000, 10_000_000) for _ in range(scale.cities)]
    if scale.province:
        units.append(Unit(f"{PREFIX}0000000000", f"{next(names)}省公安厅", "province", "", sum(city_people)))
    counties_per_city = _apportion(scale.counties, [1.0] * scale.cities)
    stations_per_county = _apportion(scale.stations, [1.0] * scale.counties)
    county_index = 0
    for c in range(scale.cities):
        city_code = f"{PREFIX}{c + 1:02d}00000000"
        units.append(
            Unit(city_code, f"{next(names)}市公安局", "city", units[0].code if scale.province else "", city_people[c])
        )
        n_counties = counties_per_city[c]
        for k, people in enumerate(_split(city_people[c], n_counties, rng)):
            code6 = f"{PREFIX}{c + 1:02d}{k + 1:02d}"
            rural = k >= max(1, round(n_counties * URBAN_SHARE))
            stem = next(names)
            county = Unit(f"{code6}000000", f"{stem}{'县公安局' if rural else '区公安分局'}", "county", city_code,
                          people, rural)  # fmt: skip
            units.append(county)
            id_sum = _id_sum(code6, ID_WEIGHTS[:6])
            for s, station_people in enumerate(_split(people, stations_per_county[county_index], rng)):
                stem = next(names)
                code = f"{code6}51{s + 1:04d}"
                units.append(Unit(code, f"{stem}{'镇' if rural else ''}派出所", "station", county.code,
                                  station_people, rural))  # fmt: skip
                suffixes = rng.sample(COMMUNITY_SUFFIXES, AREAS_PER_STATION)
                areas = tuple((f"{code}{a + 1:03d}", f"{stem}{suffix}社区") for a, suffix in enumerate(suffixes))
                stations.append(Station(code, stem, county.code, rural, areas, code6, id_sum))
            county_index += 1
    return units, stations


# -- the generator


class Generator:
    def __init__(self, scale: Scale, seed: int, today: dt.date, until: dt.datetime) -> None:
        self.scale, self.seed, self.today = scale, seed, today
        self.last_day = today - dt.timedelta(days=1)
        self.first_day = today - dt.timedelta(days=scale.days)
        self.days = [self.first_day + dt.timedelta(days=i) for i in range(scale.days)]
        self.until_seconds = round((until - dt.datetime.combine(today, dt.time(), SHANGHAI)).total_seconds())
        self.units, self.stations = build_tree(scale, random.Random(f"{seed}:tree"))
        self.root6 = self.units[0].code[:6]
        people = {u.code: u.population for u in self.units}

        rng = random.Random(f"{seed}:weights")
        busy = [people[s.code] * rng.lognormvariate(0, BUSY_SPREAD) for s in self.stations]
        self.case_weights = list(accumulate(busy))
        self.task_weights = list(accumulate(b * rng.lognormvariate(0, 0.2) for b in busy))
        self.task_stations = [(s.code, s.id_area, s.id_sum) for s in self.stations]
        self.publicity_weights = list(accumulate(rng.uniform(0.3, 1.7) for _ in self.stations))
        self.counties = [u.code for u in self.units if u.level == "county"]
        self.case_counts = _apportion(scale.cases, self._day_weights(rng, CASE_TREND))
        self.task_counts = _apportion(scale.tasks, self._day_weights(rng, TASK_TREND))
        self.publicity_counts = _apportion(scale.publicity, self._day_weights(rng, 0.0, weekend=0.6))
        self.fraud_codes = list(FRAUD_TYPES)
        self.fraud_cumulative = list(accumulate(FRAUD_TYPES[c][0] for c in self.fraud_codes))
        self.forms = list(PUBLICITY)
        self.form_cumulative = list(accumulate(PUBLICITY[f][0] for f in self.forms))
        self._tables(random.Random(f"{seed}:tables"))

    def _day_weights(self, rng: random.Random, trend: float, weekend: float = 1.0) -> list[float]:
        """Seasons (MONTH_FACTOR), the Festival lull, a yearly trend and some day-to-day noise."""
        return [
            MONTH_FACTOR[d.month] * (1 + trend) ** (i / 365) * (0.6 if d.month == 2 and d.day <= 10 else 1.0)
            * (weekend if d.weekday() >= 5 else 1.0) * rng.lognormvariate(0, 0.1)
            for i, d in enumerate(self.days)
        ]  # fmt: skip

    def _tables(self, rng: random.Random) -> None:
        """Lookup tables for the warnings' hot loop: picks by ten random bits, durations by twelve."""
        levels = list(LEVELS)
        self.level_table = [levels.index(k) for k in _table(LEVELS)]
        self.level_labels = [RISK[k] for k in levels]
        kinds = list(KINDS)
        self.kind_table = [kinds.index(k) for k in _table(KINDS)]
        self.kind_labels = [WARNING_KIND[k] for k in kinds]
        self.fund = kinds.index("fund")
        self.source_table = [WARNING_SOURCE[k] for k in _table(SOURCES)]
        self.fraud_table = _table({c: FRAUD_TYPES[c][0] for c in FRAUD_TYPES})
        outcomes = list(TASK_OUTCOMES)
        self.outcome_table = [outcomes.index(k) for k in _table(TASK_OUTCOMES)]
        self.outcome_labels = [OUTCOME[k] for k in outcomes]
        self.dissuaded, self.unreachable = outcomes.index("dissuaded"), outcomes.index("unreachable")
        self.method_table = [METHOD[k] for k in _table(METHODS)]
        # Seconds from issue to sign-off and to handling, per level (stats_bench's Generator.task).
        self.sign, self.sign_late, self.handle, self.handle_late = [], [], [], []
        for level in levels:
            sign_limit, handle_limit = DEFAULT_DEADLINES[level]
            median, spread = HANDLING_MINUTES[level]
            self.sign.append([int(min(rng.expovariate(1 / 3) + 0.5, sign_limit * 0.9) * 60) for _ in range(SAMPLES)])
            self.sign_late.append([int(sign_limit * rng.uniform(1.1, 2.0) * 60) for _ in range(SAMPLES)])
            self.handle.append([
                int(min(rng.lognormvariate(math.log(median), spread), handle_limit * 0.95) * 60)
                for _ in range(SAMPLES)
            ])  # fmt: skip
            self.handle_late.append([int(handle_limit * rng.uniform(1.05, 1.6) * 60) for _ in range(SAMPLES)])
        # People: names as demo.warnings makes them; ID numbers born 16 to 80 years before the data starts.
        names = []
        for _ in range(TABLE):
            style = rng.choice(NAME_STYLES)
            names.append(rng.choice(SURNAMES) + (rng.choice(GIVEN_NAMES) if style == "given" else style))
        self.name_table = names
        oldest, youngest = self.first_day.replace(year=self.first_day.year - 80), self.first_day
        youngest = youngest.replace(year=youngest.year - 16, day=min(youngest.day, 28))
        self.births = []
        day = oldest.replace(day=min(oldest.day, 28))
        while day <= youngest:
            text = f"{day:%Y%m%d}"
            self.births.append((text, _id_sum(text, ID_WEIGHTS[6:14])))
            day += dt.timedelta(days=1)
        self.phone_heads = [rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10000):04d}" for _ in range(SAMPLES)]
        self.serials = [(f"{n:03d}", _id_sum(f"{n:03d}", ID_WEIGHTS[14:])) for n in range(1000)]

    # -- units and areas

    def write_units(self, path: Path) -> int:
        handle, writer = _writer(path, "units")
        with handle:
            writer.writerows((u.code, u.name, LEVEL_LABELS[u.level], u.parent, u.population or "") for u in self.units)
        return len(self.units)

    def write_areas(self, path: Path) -> int:
        handle, writer = _writer(path, "areas")
        with handle:
            rows = [(code, name, "社区", s.code, "") for s in self.stations for code, name in s.areas]
            writer.writerows(rows)
        return len(rows)

    # -- cases

    def cases_day(self, day: dt.date, count: int, last_day: dt.date, candidates: list | None):
        """(case rows, case_events rows) of ``count`` cases reported on ``day``, their ledger up to
        ``last_day``. Filed, unsolved cases go to ``candidates`` (for the extra day's 破案)."""
        rng = random.Random(f"{self.seed}:cases:{day.isoformat()}")
        on = day.isoformat()
        stations = rng.choices(self.stations, cum_weights=self.case_weights, k=count)
        codes = rng.choices(self.fraud_codes, cum_weights=self.fraud_cumulative, k=count)
        rows, events = [], []
        for seq, (station, code) in enumerate(zip(stations, codes, strict=True), start=1):
            case_no = f"A{self.root6}{day:%Y%m%d}{seq:05d}"
            _, median, spread = FRAUD_TYPES[code]
            loss = round(min(MAX_LOSS, rng.lognormvariate(math.log(median), spread)), 2)
            filed = loss >= 2000 or rng.random() < 0.55
            occurred = day - dt.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 5)))
            place = ""
            if rng.random() < 0.35:
                place = rng.choice(PLACES_RURAL if station.rural else PLACES_URBAN).format(station.stem)
            row = [
                case_no, on, occurred.isoformat(), station.code, rng.choice(station.areas)[0], place, code,
                _money(loss), "是" if filed else "否", _age(rng, code), "女" if rng.random() < 0.56 else "男",
                rng.choice(OCCUPATIONS), "流动" if rng.random() < 0.2 else "常住",
                "是" if rng.random() < 0.05 else "否", "", "", "", "", "", "", "", "",
            ]  # fmt: skip
            if filed and rng.random() < 0.45:
                row[16] = _money(loss * rng.uniform(0.05, 0.6))
                row[19] = min(day + dt.timedelta(days=rng.randint(0, 3)), last_day).isoformat()
            solved_on = day + dt.timedelta(days=rng.randint(5, 150))
            if filed and rng.random() < 0.28 and solved_on <= last_day:
                row[14] = solved_on.isoformat()
                row[15] = rng.choice((1, 1, 1, 2, 2, 3, 4))
                if rng.random() < 0.6:
                    recovered = round(loss * rng.uniform(0.1, 0.8), 2)
                    recovered_on = min(solved_on + dt.timedelta(days=rng.randint(0, 20)), last_day)
                    row[17], row[20] = _money(recovered), recovered_on.isoformat()
                    returned_on = recovered_on + dt.timedelta(days=rng.randint(5, 40))
                    if returned_on <= last_day:
                        row[18], row[21] = _money(recovered * rng.uniform(0.5, 1.0)), returned_on.isoformat()
                    events += self._follow_up(rng, case_no, loss - recovered, returned_on, last_day)
            elif filed and candidates is not None and (last_day - day).days < CANDIDATE_DAYS:
                candidates.append((case_no, loss))
            rows.append(row)
        return rows, events

    @staticmethod
    def _follow_up(rng: random.Random, case_no: str, left: float, after: dt.date, last_day: dt.date) -> list:
        """Sometimes more money is recovered later (追赃), and some of it returned (返还)."""
        if rng.random() >= FOLLOW_UP:
            return []
        on = after + dt.timedelta(days=rng.randint(5, 60))
        amount = round(left * rng.uniform(0.1, 0.5), 2)
        if on > last_day or amount < 0.01:
            return []
        events = [(case_no, "追赃", on.isoformat(), "", _money(amount))]
        back = on + dt.timedelta(days=rng.randint(3, 30))
        if back <= last_day and rng.random() < 0.6:
            events.append((case_no, "返还", back.isoformat(), "", _money(max(0.01, amount * rng.uniform(0.5, 1.0)))))
        return events

    def extra_events(self, candidates: list, cases_today: int) -> list:
        """The extra day's progress on older cases: 破案 and 抓获, sometimes 追赃."""
        rng = random.Random(f"{self.seed}:case_events:{self.today.isoformat()}")
        on = self.today.isoformat()
        chosen = rng.sample(candidates, min(len(candidates), max(1, round(cases_today * EXTRA_SOLVED))))
        events = []
        for case_no, loss in chosen:
            events.append((case_no, "破案", on, "", ""))
            events.append((case_no, "抓获", on, rng.choice((1, 1, 2, 3)), ""))
            if rng.random() < 0.5 and loss >= 1:
                events.append((case_no, "追赃", on, "", _money(loss * rng.uniform(0.1, 0.6))))
        return events

    # -- warnings

    def warnings_day(self, index: int, count: int, cutoff: int, window: int) -> list:
        """``count`` tasks issued on day ``index`` (0: first_day), within its first ``window``
        seconds, their history as far as ``cutoff`` (seconds since first_day's midnight).

        The hot loop of the generator: every pick is a table lookup by a few bits of three
        64-bit random numbers, every moment two string lookups (date, clock)."""
        day = self.first_day + dt.timedelta(days=index)
        rng = random.Random(f"{self.seed}:warnings:{day.isoformat()}")
        stations = rng.choices(self.task_stations, cum_weights=self.task_weights, k=count)
        random_, bits, lognormal = rng.random, rng.getrandbits, rng.lognormvariate
        clock, dates, serial_no = _clock(), self.date_strings, _serials(count)
        level_t, level_l, kind_t, kind_l, fund = (self.level_table, self.level_labels, self.kind_table,
                                                  self.kind_labels, self.fund)  # fmt: skip
        source_t, fraud_t, outcome_t, outcome_l = (
            self.source_table,
            self.fraud_table,
            self.outcome_table,
            self.outcome_labels,
        )
        method_t, dissuaded, unreachable = self.method_table, self.dissuaded, self.unreachable
        sign_t, sign_late_t, handle_t, handle_late_t = self.sign, self.sign_late, self.handle, self.handle_late
        names, births, serials, n_births = self.name_table, self.births, self.serials, len(self.births)
        phone_heads, phone_tails = self.phone_heads, _four_digits()
        late_n, stuck_n, bank_n, typed_n = (round(LATE_SHARE * TABLE), round(STUCK_SHARE * 65536), round(0.6 * TABLE),
                                            round(0.7 * TABLE))  # fmt: skip
        log_saved = math.log(20000)
        base, prefix, full, issued_on = index * 86400, f"YJ{self.root6}{day:%Y%m%d}", window == 86400, dates[index]
        night, daytime = NIGHT_END / NIGHT_SHARE, (DAY_END - NIGHT_END) / (1 - NIGHT_SHARE)
        rows = []
        append = rows.append
        for seq, (code, id_area, id_sum) in enumerate(stations):
            u = random_()
            second = int(u * night) if u < NIGHT_SHARE else NIGHT_END + int((u - NIGHT_SHARE) * daytime)
            if not full:
                second = second * window // 86400
            issued = base + second
            a, b, c = bits(64), bits(64), bits(64)
            level = level_t[a & 1023]
            late = (a >> 10) & 1023 < late_n
            signed = issued + (sign_late_t if late and (a >> 20) & 1 else sign_t)[level][(a >> 21) & 4095]
            handled = issued + (handle_late_t if late else handle_t)[level][(a >> 33) & 4095]
            if handled < signed + 120:
                handled = signed + 120
            if (a >> 45) & 65535 < stuck_n:
                handled = None
                if (a >> 61) & 1:
                    signed = None
            if signed is not None and signed > cutoff:
                signed = handled = None
            elif handled is not None and handled > cutoff:
                handled = None
            kind = kind_t[b & 1023]
            birth, birth_sum = births[(c >> 5) % n_births]
            serial, serial_sum = serials[(c >> 25) % 1000]
            if handled is None:
                handled_at = method = outcome_label = saved = ""
            else:
                handled_at = dates[handled // 86400] + clock[handled % 86400]
                d = bits(24)
                outcome = outcome_t[d & 1023]
                outcome_label = outcome_l[outcome]
                method = "电话" if outcome == unreachable else method_t[(d >> 10) & 1023]
                saved = ""
                if outcome == dissuaded and kind == fund and (d >> 20) & 1:
                    saved = f"{min(lognormal(log_saved, 1.1), 2_000_000):.2f}"
            append([
                prefix + serial_no[seq], issued_on + clock[second], level_l[level], kind_l[kind],
                "银行" if kind == fund and (b >> 10) & 1023 < bank_n else source_t[(b >> 20) & 1023], code,
                names[(b >> 30) & 1023], phone_heads[c & 4095] + phone_tails[(c >> 35) % 10000],
                id_area + birth + serial + ID_CHECK[(id_sum + birth_sum + serial_sum) % 11],
                fraud_t[(b >> 40) & 1023] if (b >> 50) & 1023 < typed_n else "",
                "" if signed is None else dates[signed // 86400] + clock[signed % 86400],
                handled_at, method, outcome_label, saved,
            ])  # fmt: skip
        return rows

    def write_warnings(self, path: Path, first: int, last: int, header: bool) -> None:
        """Days ``first`` to ``last`` (exclusive) of warnings; the history ends at midnight today."""
        cutoff = len(self.days) * 86400
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            if header:
                writer.writerow(HEADERS["warnings"])
            for index in range(first, last):
                writer.writerows(self.warnings_day(index, self.task_counts[index], cutoff, 86400))

    # -- publicity

    def publicity_day(self, day: dt.date, count: int) -> list:
        rng = random.Random(f"{self.seed}:publicity:{day.isoformat()}")
        on = day.isoformat()
        rows = []
        stations = rng.choices(self.stations, cum_weights=self.publicity_weights, k=count)
        for seq, station in enumerate(stations, start=1):
            activity_no = f"P{self.root6}{day:%Y%m%d}{seq:04d}"
            if rng.random() < COUNTY_PUBLICITY:
                sms = rng.random() < 0.5
                rows.append((
                    activity_no, on, station.county, "全区（县）反诈预警短信群发" if sms else "反诈智能外呼提醒",
                    FORM["sms" if sms else "robocall"], "全体群众", "", rng.randint(20_000, 150_000), 0, 0,
                ))  # fmt: skip
                continue
            form = rng.choices(self.forms, cum_weights=self.form_cumulative)[0]
            _, (low, high), title = PUBLICITY[form]
            community = rng.choice(station.areas)[1]
            reach = rng.randint(low, high)
            rows.append((
                activity_no, on, station.code, title.format(community), FORM[form], AUDIENCE[form],
                "" if form in ("wechat", "video") else community, reach,
                reach if form in ("community", "stall", "lecture", "school") else 0,
                round(reach * rng.uniform(0.05, 0.3)) if form != "video" else 0,
            ))  # fmt: skip
        return rows

    # -- all of it

    def _write_history(self, files: dict, rows: dict, split: int, child, part: Path) -> list:
        """Everything up to yesterday; returns the cases the extra day may solve."""
        rows["units"] = self.write_units(files["units"])
        rows["areas"] = self.write_areas(files["areas"])

        candidates: list = []
        case_handle, cases = _writer(files["cases"], "cases")
        event_handle, events = _writer(files["case_events"], "case_events")
        with case_handle, event_handle:
            rows["cases"] = rows["case_events"] = 0
            for day, count in zip(self.days, self.case_counts, strict=True):
                day_rows, day_events = self.cases_day(day, count, self.last_day, candidates)
                cases.writerows(day_rows)
                events.writerows(day_events)
                rows["cases"] += len(day_rows)
                rows["case_events"] += len(day_events)

        handle, writer = _writer(files["publicity"], "publicity")
        with handle:
            rows["publicity"] = 0
            for day, count in zip(self.days, self.publicity_counts, strict=True):
                day_rows = self.publicity_day(day, count)
                writer.writerows(day_rows)
                rows["publicity"] += len(day_rows)

        self.write_warnings(files["warnings"], 0, split, True)
        if child is not None:
            child.join()
            if child.exitcode != 0:
                raise RuntimeError(f"the warnings worker failed (exit code {child.exitcode})")
            with open(files["warnings"], "ab") as whole, open(part, "rb") as rest:
                shutil.copyfileobj(rest, whole, 1 << 22)
        rows["warnings"] = sum(self.task_counts)
        return candidates

    def write(self, out_dir: Path, manifest: Manifest, workers: int) -> None:
        extra_dir = out_dir / "extra"
        extra_dir.mkdir(parents=True, exist_ok=True)
        manifest.files = {kind: out_dir / f"{kind}.csv" for kind in KINDS_IN_ORDER}
        manifest.extra_day = {kind: extra_dir / f"{kind}.csv" for kind in EXTRA_KINDS}
        files, extra, rows, extra_rows = manifest.files, manifest.extra_day, manifest.rows, manifest.extra_rows
        n_days = len(self.days)
        self.date_strings = [(self.first_day + dt.timedelta(days=i)).isoformat() for i in range(n_days + 2)]

        # The warnings are most of the work: with two workers, a forked child writes the later
        # days into a part file while this process writes everything else; the part is appended.
        split = n_days
        if workers > 1:
            cumulative = list(accumulate(self.task_counts))
            split = next(i for i, c in enumerate(cumulative) if c >= cumulative[-1] * CHILD_SHARE)
        part = files["warnings"].with_suffix(".part")
        child = None
        if split < n_days:
            child = multiprocessing.get_context("fork").Process(
                target=self.write_warnings, args=(part, split, n_days, False), daemon=True
            )
            child.start()

        try:
            candidates = self._write_history(files, rows, split, child, part)
        finally:
            if child is not None and child.is_alive():
                child.terminate()
            part.unlink(missing_ok=True)

        # One more day: today, with new keys.
        scale = self.scale
        today_cases, _ = self.cases_day(self.today, scale.per_day(scale.cases), self.today, None)
        window = self.until_seconds
        extra_content = {
            "cases": today_cases,
            "case_events": self.extra_events(candidates, len(today_cases)),
            "warnings": self.warnings_day(n_days, scale.per_day(scale.tasks), n_days * 86400 + window, window),
            "publicity": self.publicity_day(self.today, scale.per_day(scale.publicity)),
        }
        for kind, content in extra_content.items():
            handle, writer = _writer(extra[kind], kind)
            with handle:
                writer.writerows(content)
            extra_rows[kind] = len(content)


def _until(today: dt.date, now: dt.datetime | None) -> dt.datetime:
    """The moment the extra day's warnings stop: within ``today``, not after ``now``."""
    midnight = dt.datetime.combine(today, dt.time(), SHANGHAI)
    end = midnight + dt.timedelta(seconds=86399)
    if now is None:
        real = dt.datetime.now(SHANGHAI)
        if real.date() > today:
            return end
        now = real.replace(minute=0, second=0, microsecond=0)  # this hour: stable within it
    now = now.astimezone(SHANGHAI) if now.tzinfo else now.replace(tzinfo=SHANGHAI)
    return min(max(now.replace(microsecond=0), midnight), end)


def generate(
    scale: str | Scale, out_dir: Path, *, seed: int = 2026, today: dt.date | None = None,
    now: dt.datetime | None = None, workers: int | None = None,
) -> Manifest:  # fmt: skip
    """Write the files for ``scale`` into ``out_dir`` (and ``out_dir/extra``); see the module's doc."""
    name = scale if isinstance(scale, str) else "custom"
    spec = SCALES[scale] if isinstance(scale, str) else scale
    spec.check()
    started = time.perf_counter()
    today = today or dt.datetime.now(SHANGHAI).date()
    until = _until(today, now)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    gen = Generator(spec, seed, today, until)
    city = next(u for u in gen.units if u.level == "city")
    county = next(u for u in gen.units if u.parent == city.code)
    station = next(u for u in gen.units if u.parent == county.code)
    manifest = Manifest(
        scale=name, seed=seed, today=today, first_day=gen.first_day, last_day=gen.last_day, dir=out_dir,
        top_code=gen.units[0].code, city_code=city.code, county_code=county.code, station_code=station.code,
        extra_until=until,
    )  # fmt: skip
    if workers is None:
        workers = 2 if spec.tasks >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 else 1
    gen.write(out_dir, manifest, workers)
    manifest.seconds = round(time.perf_counter() - started, 3)
    # manifest.json: paths relative to it, no timing, so that it too is the same on every run.
    stable = {k: v for k, v in manifest.as_dict().items() if k != "seconds"}
    stable["dir"] = "."
    for key in ("files", "extra_day"):
        stable[key] = {kind: path.relative_to(out_dir).as_posix() for kind, path in getattr(manifest, key).items()}
    (out_dir / "manifest.json").write_text(json.dumps(stable, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest
