"""The demo city: 江临市, fictional but plausible.

Five districts / counties, 25 stations, their subdistricts / townships and
communities / villages with populations and map polygons, and an account for every
role. Deterministic for a seed; running it again changes nothing.

The map is a set of rectangles (county → stations → townships → communities, each
level tiled like bricks), densified and then bent by one smooth warp field. Because
every point is moved by the same function of where it is, neighbours that share a
border keep sharing it, and the shapes stop looking like a spreadsheet.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from orgs.models import Area, AreaKind, Unit, UnitLevel, User
from orgs.roles import Role

CITY_CODE = "990100000000"
CITY_NAME = "江临市公安局"
DEFAULT_PASSWORD = "Demo@2026"


@dataclass(frozen=True)
class CountySpec:
    code6: str
    name: str
    slug: str
    urban: bool
    box: tuple[float, float, float, float]  # west, south, east, north (degrees)
    stations: tuple[str, ...]


COUNTIES = (
    CountySpec("990102", "临江区", "linjiang", True, (106.70, 31.55, 106.95, 31.75),
               ("滨江", "解放路", "人民路", "新华", "望江", "沙湾")),
    CountySpec("990103", "东湖区", "donghu", True, (106.95, 31.55, 107.20, 31.75),
               ("东湖", "翠湖", "光明", "长青", "湖滨")),
    CountySpec("990104", "西山区", "xishan", True, (106.45, 31.55, 106.70, 31.75),
               ("西山", "金山", "枫林", "龙泉", "石桥")),
    CountySpec("990121", "南溪县", "nanxi", False, (106.45, 31.10, 107.20, 31.55),
               ("南溪", "桃源", "清水", "白鹤", "青石")),
    CountySpec("990122", "北岭县", "beiling", False, (106.45, 31.75, 107.20, 32.20),
               ("北岭", "松林", "马鞍", "红岩")),
)  # fmt: skip

COMMUNITY_STEMS = (
    "幸福", "和平", "建设", "阳光", "花园", "桂花", "锦绣", "朝阳", "育才", "文化",
    "春晖", "滨河", "新城", "金桥", "玉带", "学府", "明珠", "东升", "紫荆", "书院",
)  # fmt: skip
COMMUNITY_SUFFIXES = ("", "路", "里", "苑", "园", "湾")
VILLAGE_STEMS = (
    "李家", "王家", "石门", "杨柳", "高坪", "堰塘", "柏树", "双河", "大湾", "新桥",
    "黄桷", "凉水", "桐子", "三合", "五星", "团结", "观音", "龙井", "沙坝", "枣林",
)  # fmt: skip
VILLAGE_SUFFIXES = ("", "坪", "沟", "坝")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN_NAMES = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
)


@dataclass(frozen=True)
class AreaPlan:
    code: str
    name: str
    kind: str
    population: int
    geometry: dict
    parent_code: str | None = None


@dataclass(frozen=True)
class UnitPlan:
    code: str
    name: str
    level: str
    population: int
    parent_code: str | None = None
    areas: tuple[AreaPlan, ...] = ()


@dataclass(frozen=True)
class AccountPlan:
    username: str
    unit_code: str
    role: str
    last_name: str
    first_name: str
    superuser: bool = False


@dataclass(frozen=True)
class CityPlan:
    units: tuple[UnitPlan, ...]  # parents before children
    accounts: tuple[AccountPlan, ...]


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, outcome: str) -> None:
        bucket = getattr(self, outcome)
        bucket[kind] = bucket.get(kind, 0) + 1


class Warp:
    """A smooth displacement of the plane (degrees), fixed by the seed."""

    def __init__(self, rng: random.Random, amplitude: float = 0.018):
        self.terms = [
            (rng.uniform(6, 14), rng.uniform(6, 14), rng.uniform(0, 2 * math.pi), amplitude / (i + 1)) for i in range(3)
        ]

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        dx = sum(a * math.sin(fx * lat + fy * lon + p) for fx, fy, p, a in self.terms)
        dy = sum(a * math.cos(fy * lon - fx * lat + p) for fx, fy, p, a in self.terms)
        return round(lon + dx, 5), round(lat + dy, 5)


def rectangle_polygon(box: tuple[float, float, float, float], warp: Warp, step: float = 0.01) -> dict:
    """A GeoJSON Polygon of ``box`` densified every ``step`` degrees and warped."""
    west, south, east, north = box

    def edge(x0, y0, x1, y1):
        n = max(1, round(max(abs(x1 - x0), abs(y1 - y0)) / step))
        return [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(n)]

    ring = (
        edge(west, south, east, south)
        + edge(east, south, east, north)
        + edge(east, north, west, north)
        + edge(west, north, west, south)
    )
    points = [list(warp(x, y)) for x, y in ring]
    points.append(points[0])
    return {"type": "Polygon", "coordinates": [points]}


def tile(box: tuple[float, float, float, float], parts: int) -> list[tuple[float, float, float, float]]:
    """Cut ``box`` into ``parts`` cells laid like bricks: as many rows as keeps the
    cells roughly square, the cells spread evenly over the rows."""
    west, south, east, north = box
    width, height = east - west, north - south
    rows = min(parts, max(1, round(math.sqrt(parts * height / width))))
    per_row = [parts // rows + (1 if r < parts % rows else 0) for r in range(rows)]
    cells = []
    for r, count in enumerate(per_row):
        row_south = south + height * r / rows
        row_north = south + height * (r + 1) / rows
        for c in range(count):
            cells.append((west + width * c / count, row_south, west + width * (c + 1) / count, row_north))
    return cells


def demo_city_plan(seed: int = 2026) -> CityPlan:
    """Every unit, area and account of the demo city, drawn from ``seed``: pure data."""
    rng = random.Random(seed)
    warp = Warp(rng)
    units: list[UnitPlan] = []
    county_plans: list[tuple[CountySpec, UnitPlan, list[UnitPlan]]] = []
    for spec in COUNTIES:
        county_code = f"{spec.code6}000000"
        used_names: set[str] = set()
        stations = []
        boxes = tile(spec.box, len(spec.stations))
        for index, (stem, box) in enumerate(zip(spec.stations, boxes, strict=True), start=1):
            areas = _plan_station_areas(rng, warp, spec, stem, index, box, used_names)
            rural_seat = not spec.urban and index == 1
            stations.append(
                UnitPlan(
                    code=f"{spec.code6}51{index:04d}",
                    name=f"{stem}{'镇' if rural_seat else ''}派出所",
                    level=UnitLevel.STATION,
                    population=sum(a.population for a in areas if a.parent_code is None),
                    parent_code=county_code,
                    areas=tuple(areas),
                )
            )
        county = UnitPlan(
            code=county_code,
            name=f"{spec.name}公安分局" if spec.urban else f"{spec.name}公安局",
            level=UnitLevel.COUNTY,
            population=sum(s.population for s in stations),
            parent_code=CITY_CODE,
        )
        county_plans.append((spec, county, stations))
    city = UnitPlan(
        code=CITY_CODE, name=CITY_NAME, level=UnitLevel.CITY,
        population=sum(c.population for _, c, _ in county_plans),
    )  # fmt: skip
    units.append(city)
    for _, county, stations in county_plans:
        units.append(county)
        units.extend(stations)

    accounts = [
        AccountPlan("admin", CITY_CODE, Role.CLERK, *_person(rng), superuser=True),
        AccountPlan("leader", CITY_CODE, Role.LEADER, *_person(rng)),
        AccountPlan("analyst", CITY_CODE, Role.ANALYST, *_person(rng)),
        AccountPlan("clerk", CITY_CODE, Role.CLERK, *_person(rng)),
    ]
    for spec, county, stations in county_plans:
        accounts.append(AccountPlan(f"reviewer.{spec.slug}", county.code, Role.REVIEWER, *_person(rng)))
        for index, station in enumerate(stations, start=1):
            accounts.append(AccountPlan(f"officer.{spec.slug}{index}", station.code, Role.OFFICER, *_person(rng)))
    return CityPlan(units=tuple(units), accounts=tuple(accounts))


def _plan_station_areas(rng, warp, spec, stem, index, box, used_names) -> list[AreaPlan]:
    """A station's 1–2 subdistricts (urban) or townships (rural), each cut into 3–7
    communities / villages, top areas first."""
    areas: list[AreaPlan] = []
    boxes = tile(box, rng.randint(1, 2))
    for t, township_box in enumerate(boxes, start=1):
        township_code = f"{spec.code6}{(index - 1) * 2 + t:03d}"
        if spec.urban:
            kind = AreaKind.SUBDISTRICT
            name = f"{stem}街道" if t == 1 else f"{_unique_name(rng, COMMUNITY_STEMS, ('',), '', used_names)}街道"
            cells = [AreaKind.COMMUNITY] * rng.randint(3, 5)
        else:
            kind = AreaKind.TOWNSHIP
            name = f"{stem}镇" if t == 1 else f"{_unique_name(rng, VILLAGE_STEMS, ('',), '', used_names)}乡"
            cells = [AreaKind.COMMUNITY] + [AreaKind.VILLAGE] * rng.randint(3, 6)
        members = []
        for c, (cell_kind, cell_box) in enumerate(zip(cells, tile(township_box, len(cells)), strict=True), 1):
            if cell_kind == AreaKind.COMMUNITY:
                cell_name = _unique_name(rng, COMMUNITY_STEMS, COMMUNITY_SUFFIXES, "社区", used_names)
                people = rng.randint(6000, 18000)
            else:
                cell_name = _unique_name(rng, VILLAGE_STEMS, VILLAGE_SUFFIXES, "村", used_names)
                people = rng.randint(1500, 5500)
            members.append(
                AreaPlan(f"{township_code}{c:03d}", cell_name, cell_kind, people,
                         rectangle_polygon(cell_box, warp), parent_code=township_code)
            )  # fmt: skip
        areas.append(
            AreaPlan(
                township_code, name, kind, sum(m.population for m in members), rectangle_polygon(township_box, warp)
            )
        )
        areas.extend(members)
    return areas


def _unique_name(rng, stems, suffixes, ending, used) -> str:
    """A name not yet used in this county (so the county's map has no twins)."""
    choices = [f"{s}{x}{ending}" for s in stems for x in suffixes if f"{s}{x}{ending}" not in used]
    name = rng.choice(choices)
    used.add(name)
    return name


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)


def _upsert(report: SeedReport, kind: str, model, key: dict, values: dict):
    """Create the row, or update it only where it differs: a second run writes nothing."""
    obj = model.objects.filter(**key).first()
    if obj is None:
        obj = model(**key, **values)
        obj.save()
        report.count(kind, "created")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
        report.count(kind, "updated")
    else:
        report.count(kind, "unchanged")
    return obj


@transaction.atomic
def demo_city_seed(*, seed: int = 2026, password: str = DEFAULT_PASSWORD) -> tuple[CityPlan, SeedReport]:
    """Write the demo city. Existing accounts keep their passwords and whatever an
    admin changed on them; units and areas are brought back to the plan."""
    plan = demo_city_plan(seed)
    report = SeedReport()
    hashed = make_password(password)  # once: every demo account shares it, and PBKDF2 is slow by design
    units: dict[str, Unit] = {}
    for up in plan.units:
        values = {"name": up.name, "level": up.level, "population": up.population,
                  "parent": units.get(up.parent_code)}  # fmt: skip
        units[up.code] = _upsert(report, "单位", Unit, {"code": up.code}, values)
        areas: dict[str, Area] = {}
        for ap in up.areas:
            values = {"name": ap.name, "kind": ap.kind, "station": units[up.code], "population": ap.population,
                      "geometry": ap.geometry, "parent": areas.get(ap.parent_code)}  # fmt: skip
            areas[ap.code] = _upsert(report, "区域", Area, {"code": ap.code}, values)
    for account in plan.accounts:
        if User.objects.filter(username=account.username).exists():
            report.count("用户", "unchanged")
            continue
        user = User(
            username=account.username, unit=units[account.unit_code], role=account.role,
            last_name=account.last_name, first_name=account.first_name, is_superuser=account.superuser,
        )  # fmt: skip
        user.password = hashed
        user.save()
        report.count("用户", "created")
    return plan, report
