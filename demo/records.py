"""Three full years and the current year to date of cases, their ledgers and publicity
for the demo city — a story a dashboard can show.

- The national mix: 刷单返利 about a third of cases, 虚假网络投资理财 about a third of the
  money; losses heavy-tailed (median a few thousand yuan, a handful over ¥1,000,000).
- Seasons: more before the Spring Festival, in the 618 and Double-11 shopping seasons
  and in the summer holidays; fewer in the Festival week itself.
- Trends: four districts fall year on year, 北岭县 rises (a new rental-housing quarter
  and an industrial park bring transient workers); so a leader has something to ask.
- Victims mostly 18–40 (about 62%), then 41–65 (about 33%).

Every day's records come from a random generator seeded by (seed, day), so the demo is
deterministic and a later run on a later day only adds what happened since. Records go
through the intake's own resolve-and-write path, exactly as an imported export would.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from demo.city import COUNTIES
from imports.kinds.base import Context, Row
from imports.kinds.cases import CasesKind
from imports.kinds.publicity import PublicityKind
from orgs.models import Area, AreaKind, Unit, UnitLevel

# Fraud type code: (share of cases, median loss in yuan, spread of the log-normal).
FRAUD_TYPES = {
    "01": (0.33, 3200, 1.1), "02": (0.11, 24000, 1.35), "03": (0.10, 5000, 1.0), "04": (0.11, 7000, 1.2),
    "05": (0.04, 45000, 1.3), "06": (0.06, 15000, 1.1), "07": (0.08, 1500, 1.0), "08": (0.05, 18000, 1.1),
    "09": (0.05, 1800, 1.0), "10": (0.03, 40000, 1.35), "99": (0.04, 3000, 1.2),
}  # fmt: skip
MAX_LOSS = 8_000_000
# Cases a day per 100,000 residents in the first year, and the change each year after.
BASE_RATE = 0.36
YEARLY_CHANGE = {"linjiang": -0.12, "donghu": -0.08, "xishan": -0.05, "nanxi": -0.15, "beiling": 0.18}
MONTH_FACTOR = {1: 1.25, 2: 0.85, 3: 0.95, 4: 0.95, 5: 1.0, 6: 1.15, 7: 1.15, 8: 1.1, 9: 0.95, 10: 0.9, 11: 1.2,
                12: 1.1}  # fmt: skip
OCCUPATIONS = (
    "企业职员",
    "学生",
    "个体经营",
    "务工人员",
    "无业",
    "退休人员",
    "自由职业",
    "财会人员",
    "公职人员",
    "农民",
)
PLACES_URBAN = ("{}花园小区", "{}公寓", "{}商务中心", "{}职业技术学院", "{}科技有限公司")
PLACES_RURAL = ("{}安置小区", "{}工业园", "{}中学", "{}农贸市场")
PUBLICITY = {  # form: (weight, reach range, title)
    "community": (0.30, (80, 400), "反诈宣传进社区（{}）"),
    "stall": (0.15, (100, 500), "“全民反诈”集市摆摊宣传"),
    "lecture": (0.12, (50, 300), "防范电信网络诈骗专题讲座"),
    "school": (0.10, (200, 1500), "反诈宣传进校园"),
    "enterprise": (0.10, (60, 600), "反诈宣传进企业（财务人员专场）"),
    "wechat": (0.10, (500, 20000), "微信群反诈预警推送"),
    "video": (0.06, (1000, 50000), "反诈短视频发布"),
    "poster": (0.07, (300, 3000), "张贴反诈海报横幅"),
}
AUDIENCE = {"community": "老年人", "stall": "全体群众", "lecture": "老年人", "school": "学生",
            "enterprise": "财务人员", "wechat": "全体群众", "video": "全体群众", "poster": "流动人口"}  # fmt: skip


@dataclass(frozen=True)
class StationInfo:
    code: str
    slug: str  # the county's
    population: int
    rural: bool
    communities: tuple[tuple[str, str, int], ...]  # code, name, population
    places: tuple[str, ...]


def demo_years(today: dt.date) -> tuple[dt.date, dt.date]:
    """Three full years before this one, and this year up to yesterday."""
    return dt.date(today.year - 3, 1, 1), today - dt.timedelta(days=1)


def _stations() -> list[StationInfo]:
    slugs = {f"{c.code6}000000": (c.slug, not c.urban) for c in COUNTIES}
    areas: dict[int, list[Area]] = {}
    for area in Area.objects.filter(kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE]).order_by("code"):
        areas.setdefault(area.station_id, []).append(area)
    stations = []
    for station in Unit.objects.filter(level=UnitLevel.STATION, parent__code__in=slugs).select_related("parent"):
        slug, rural = slugs[station.parent.code]
        communities = tuple((a.code, a.name, a.population or 1000) for a in areas.get(station.pk, []))
        stem = station.name.removesuffix("派出所").removesuffix("镇")
        templates = PLACES_RURAL if rural else PLACES_URBAN
        places = tuple(t.format(stem) for t in templates)
        stations.append(StationInfo(station.code, slug, station.population or 50000, rural, communities, places))
    return sorted(stations, key=lambda s: s.code)


def _money(yuan: float) -> Decimal:
    return Decimal(f"{yuan:.2f}")


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small daily means here."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _age(rng: random.Random, fraud_type: str) -> int:
    if fraud_type == "09" and rng.random() < 0.4:
        return rng.randint(12, 17)  # game-item scams find children
    band = rng.random()
    if band < 0.62:
        return rng.randint(18, 40)
    if band < 0.95:
        return rng.randint(41, 65)
    return rng.randint(66, 82)


def _case_rows(rng: random.Random, day: dt.date, station: StationInfo, yesterday: dt.date, start_year: int):
    years = day.year - start_year + (day.timetuple().tm_yday / 366)
    trend = (1 + YEARLY_CHANGE[station.slug]) ** years
    festival = 0.6 if day.month == 2 and day.day <= 10 else 1.0
    mean = BASE_RATE * station.population / 100_000 * MONTH_FACTOR[day.month] * trend * festival
    codes = list(FRAUD_TYPES)
    weights = [FRAUD_TYPES[c][0] for c in codes]
    for seq in range(1, _poisson(rng, mean) + 1):
        fraud_type = rng.choices(codes, weights)[0]
        _, median, spread = FRAUD_TYPES[fraud_type]
        loss = _money(min(MAX_LOSS, rng.lognormvariate(math.log(median), spread)))
        filed = loss >= 2000 or rng.random() < 0.55
        community = (
            rng.choices(station.communities, [c[2] for c in station.communities])[0] if station.communities else None
        )
        values = {
            "case_no": f"A{station.code}{day:%Y%m%d}{seq:03d}",
            "reported_on": day,
            "occurred_on": day - dt.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 5))),
            "station": station.code,
            "area": community[0] if community else None,
            "place": rng.choice(station.places) if rng.random() < 0.35 else "",
            "fraud_type": fraud_type,
            "loss": loss,
            "filed": filed,
            "victim_age": _age(rng, fraud_type),
            "victim_gender": "female" if rng.random() < 0.56 else "male",
            "victim_occupation": rng.choice(OCCUPATIONS),
            "residency": "transient" if rng.random() < (0.35 if station.slug == "beiling" else 0.18) else "resident",
            "warned_before": rng.random() < 0.05,
            "solved_on": None, "arrested": None, "frozen": None, "recovered": None, "returned": None,
            "frozen_on": None, "recovered_on": None, "returned_on": None,
        }  # fmt: skip
        if filed and rng.random() < 0.45:
            values["frozen"] = _money(float(loss) * rng.uniform(0.05, 0.6))
            values["frozen_on"] = min(day + dt.timedelta(days=rng.randint(0, 3)), yesterday)
        solved_on = day + dt.timedelta(days=rng.randint(5, 150))
        if filed and rng.random() < 0.28 and solved_on <= yesterday:
            values["solved_on"] = solved_on
            values["arrested"] = rng.choice((1, 1, 1, 2, 2, 3, 4))
            if rng.random() < 0.6:
                values["recovered"] = _money(float(loss) * rng.uniform(0.1, 0.8))
                values["recovered_on"] = min(solved_on + dt.timedelta(days=rng.randint(0, 20)), yesterday)
                returned_on = values["recovered_on"] + dt.timedelta(days=rng.randint(5, 40))
                if returned_on <= yesterday:
                    values["returned"] = _money(float(values["recovered"]) * rng.uniform(0.5, 1.0))
                    values["returned_on"] = returned_on
        yield values


def _publicity_rows(rng: random.Random, day: dt.date, stations: list[StationInfo], counties: list[str]):
    forms = list(PUBLICITY)
    for station in stations:
        for seq in range(1, _poisson(rng, 0.22) + 1):
            form = rng.choices(forms, [PUBLICITY[f][0] for f in forms])[0]
            _, (low, high), title = PUBLICITY[form]
            community = rng.choice(station.communities)[1] if station.communities else ""
            reach = rng.randint(low, high)
            yield {
                "activity_no": f"P{station.code}{day:%Y%m%d}{seq:02d}", "held_on": day, "unit": station.code,
                "title": title.format(community), "form": form, "audience": AUDIENCE[form], "place": community,
                "reach": reach, "materials": reach if form in ("community", "stall", "lecture", "school") else 0,
                "app_installs": round(reach * rng.uniform(0.05, 0.3)) if form != "video" else 0,
            }  # fmt: skip
    if day.day in (1, 15):  # county-wide SMS and robocall campaigns, twice a month
        for county in counties:
            form = "sms" if day.day == 1 else "robocall"
            yield {
                "activity_no": f"P{county}{day:%Y%m%d}{form}", "held_on": day, "unit": county,
                "title": "全区（县）反诈预警短信群发" if form == "sms" else "反诈智能外呼提醒", "form": form,
                "audience": "全体群众", "place": "", "reach": rng.randint(20000, 150000), "materials": 0,
                "app_installs": 0,
            }  # fmt: skip


@dataclass
class RecordsReport:
    cases_created: int = 0
    cases_updated: int = 0
    cases_unchanged: int = 0
    publicity_created: int = 0
    publicity_unchanged: int = 0


def demo_records_seed(*, seed: int, today: dt.date) -> RecordsReport:
    """Write the demo city's records from three years back to yesterday."""
    start, yesterday = demo_years(today)
    stations = _stations()
    counties = [f"{c.code6}000000" for c in COUNTIES]
    case_rows, publicity_rows = [], []
    day = start
    while day <= yesterday:
        rng = random.Random(f"{seed}:{day.isoformat()}")
        for station in stations:
            case_rows.extend(_case_rows(rng, day, station, yesterday, start.year))
        publicity_rows.extend(_publicity_rows(rng, day, stations, counties))
        day += dt.timedelta(days=1)

    report = RecordsReport()
    with transaction.atomic():
        result = _through_intake(CasesKind(), case_rows)
        report.cases_created, report.cases_updated, report.cases_unchanged = (
            result.created, result.updated, result.unchanged
        )  # fmt: skip
        result = _through_intake(PublicityKind(), publicity_rows)
        report.publicity_created, report.publicity_unchanged = result.created, result.unchanged + result.updated
    return report


def _through_intake(kind, values: list[dict]):
    """Resolve and write rows as the import engine does after parsing a file."""
    rows = [Row(number=i, values=dict(v), raw={}) for i, v in enumerate(values, start=2)]
    ctx = Context(user=None, progress=lambda *args: None, present={c.key for c in kind.columns})
    kind.resolve(rows, ctx)
    bad = [row for row in rows if row.errors]
    if bad:
        raise ValueError(f"demo data refused by the intake: row {bad[0].number}: {bad[0].errors}")
    return kind.write(rows, ctx)
