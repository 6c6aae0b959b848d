"""What gets generated: the scales, the file kinds with their DATA.md headers, and the manifest.

A ``Scale`` says how big the tree is and how many rows of each kind the history holds;
``SCALES`` names the three the benchmark runs. The ``Manifest`` tells the caller (and,
as manifest.json, the next run) where the files are and how many rows each has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Scale:
    """The size of a data set: the unit tree, the years of history and each kind's total rows."""

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


@dataclass
class Manifest:
    """Where one generated data set lies, its span and row counts, and a unit of each level."""

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
