"""KPI cards: a metric's value, 同比 and 环比 as people read them, with arrows coloured by
whether the change is good news (the catalogue's ``up_is_good``) and a mark when notable."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from stats.catalogue import METRICS

# The cards of a unit's dashboard, in reading order.
KPI_KEYS = ("reports", "cases", "loss", "solved", "arrests", "recovered", "on_time_rate", "dissuaded",
            "publicity_activities")  # fmt: skip


@dataclass(frozen=True)
class Change:
    label: str  # 同比 / 环比
    pct: float | None
    base: str  # the base as shown
    notable: bool
    tone: str  # good / bad / flat / none

    @property
    def arrow(self) -> str:
        if self.pct is None:
            return ""
        return "↑" if self.pct > 0 else "↓" if self.pct < 0 else "→"

    @property
    def text(self) -> str:
        if self.pct is None:
            return "—"
        if self.pct == 0:
            return "持平"
        return f"{abs(self.pct):.1f}%"


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: str
    unit: str
    basis: str
    changes: tuple[Change, ...]


def show(value, unit: str) -> tuple[str, str]:
    """A value and the unit it is shown in: yuan become 万元, rates keep one decimal."""
    if value is None:
        return "—", ""
    if unit == "元":
        return f"{Decimal(str(value)) / 10000:,.2f}", "万元"
    if unit in ("%", "分钟", "起/万人"):
        return f"{value:,.1f}", unit
    return f"{int(value):,}", unit


def tone(pct: float | None, up_is_good: bool | None) -> str:
    if pct is None or up_is_good is None:
        return "none"
    if pct == 0:
        return "flat"
    return "good" if (pct > 0) == up_is_good else "bad"


def kpi_cards(answer: dict, keys=KPI_KEYS) -> list[Kpi]:
    """Cards from a stats answer (``stats.metrics.metrics``)."""
    cards = []
    for key in keys:
        metric, entry = METRICS[key], answer["metrics"][key]
        value, unit = show(entry["value"], metric.unit)
        changes = tuple(
            Change(label, entry[f"{side}_pct"], show(entry[f"{side}_base"], metric.unit)[0],
                   bool(entry.get(f"{side}_notable")), tone(entry[f"{side}_pct"], metric.up_is_good))
            for side, label in (("yoy", "同比"), ("mom", "环比"))
        )  # fmt: skip
        cards.append(Kpi(key, metric.label, value, unit, metric.basis, changes))
    return cards
