"""The unit tree and its reference files (units.csv, areas.csv).

A province (省) of cities, or one city (市), of counties (县) of stations (派出所); 12-digit
codes (``98CCKK000000``, stations ``98CCKK51SSSS``) and unique Chinese names from a fixed
list of syllables; a few 社区 per station.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.generate.helpers import apportion, id_digit_sum, open_csv, split_unevenly
from bench.generate.scales import Scale
from earlywarnings.validators import ID_WEIGHTS

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
LEVEL_LABELS = {"province": "省", "city": "市", "county": "县", "station": "派出所"}  # as units.csv carries them


@dataclass(frozen=True)
class Unit:
    """A row of units.csv."""

    code: str
    name: str
    level: str  # province / city / county / station
    parent: str  # code, "" for the root
    population: int
    rural: bool = False


@dataclass(frozen=True)
class Station:
    """A police station as the rows need it: its code, name, county, 社区 and ID-number area."""

    code: str
    stem: str  # the name without 派出所
    county: str
    rural: bool
    areas: tuple[tuple[str, str], ...]  # (code, name)
    id_area: str  # the county's first six digits: where its people's ID numbers come from
    id_sum: int  # their weighted sum for the ID check digit


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
    """Every unit, parents before children (the root first), and the stations among them."""
    names = _names(rng)
    units: list[Unit] = []
    stations: list[Station] = []
    city_people = [rng.randint(3_000_000, 10_000_000) for _ in range(scale.cities)]
    if scale.province:
        units.append(Unit(f"{PREFIX}0000000000", f"{next(names)}省公安厅", "province", "", sum(city_people)))
    counties_per_city = apportion(scale.counties, [1.0] * scale.cities)
    stations_per_county = apportion(scale.stations, [1.0] * scale.counties)
    county_index = 0
    for c in range(scale.cities):
        city_code = f"{PREFIX}{c + 1:02d}00000000"
        units.append(
            Unit(city_code, f"{next(names)}市公安局", "city", units[0].code if scale.province else "", city_people[c])
        )
        n_counties = counties_per_city[c]
        for k, people in enumerate(split_unevenly(city_people[c], n_counties, rng)):
            code6 = f"{PREFIX}{c + 1:02d}{k + 1:02d}"
            rural = k >= max(1, round(n_counties * URBAN_SHARE))
            stem = next(names)
            county = Unit(f"{code6}000000", f"{stem}{'县公安局' if rural else '区公安分局'}", "county", city_code,
                          people, rural)  # fmt: skip
            units.append(county)
            id_sum = id_digit_sum(code6, ID_WEIGHTS[:6])
            for s, station_people in enumerate(split_unevenly(people, stations_per_county[county_index], rng)):
                stem = next(names)
                code = f"{code6}51{s + 1:04d}"
                units.append(Unit(code, f"{stem}{'镇' if rural else ''}派出所", "station", county.code,
                                  station_people, rural))  # fmt: skip
                suffixes = rng.sample(COMMUNITY_SUFFIXES, AREAS_PER_STATION)
                areas = tuple((f"{code}{a + 1:03d}", f"{stem}{suffix}社区") for a, suffix in enumerate(suffixes))
                stations.append(Station(code, stem, county.code, rural, areas, code6, id_sum))
            county_index += 1
    return units, stations


def write_units(path: Path, units: list[Unit]) -> int:
    handle, writer = open_csv(path, "units")
    with handle:
        writer.writerows((u.code, u.name, LEVEL_LABELS[u.level], u.parent, u.population or "") for u in units)
    return len(units)


def write_areas(path: Path, stations: list[Station]) -> int:
    handle, writer = open_csv(path, "areas")
    with handle:
        rows = [(code, name, "社区", s.code, "") for s in stations for code, name in s.areas]
        writer.writerows(rows)
    return len(rows)
