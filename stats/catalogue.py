"""The metric catalogue: one place that says what every figure is.

Each metric has its key (DATA.md's stats JSON — a contract), its Chinese label, its unit,
its 口径 (how it is counted, shown on hover and in bulletins), and whether a rise is good
news (arrows are coloured by it). Base metrics are sums over the rollups; derived metrics
are computed from base ones by ``derive``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from stats.compare import round_half_away


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # 起 / 元 / 人 / 次 / % / 分钟 / 起/万人 / 元/万人
    basis: str  # 口径
    up_is_good: bool | None  # None: neither (e.g. warnings received)
    is_count: bool = True  # a Poisson count: the notable-change test applies
    derived: bool = False


def _m(key, label, unit, basis, up_is_good, *, is_count=True, derived=False) -> Metric:
    return Metric(key, label, unit, basis, up_is_good, is_count, derived)


BASE_METRICS = (
    _m("reports", "警情数", "起", "按受理日期统计的全部电诈警情，立案与否均计。", False),
    _m("cases", "发案数", "起", "按受理日期统计的已立案电诈案件。", False),
    _m("loss", "损失金额", "元", "已立案案件的损失金额之和，按受理日期。", False, is_count=False),
    _m("solved", "破案数", "起", "按破案日期统计的破案数（不论案件何时受理）。", True),
    _m("arrests", "抓获人数", "人", "抓获的犯罪嫌疑人数，按抓获日期。", True),
    _m("frozen", "冻结金额", "元", "冻结的涉案资金，按冻结日期。", True, is_count=False),
    _m("recovered", "追赃金额", "元", "追缴的赃款，按追赃日期。", True, is_count=False),
    _m("returned", "返还金额", "元", "返还受害人的资金，按返还日期。", True, is_count=False),
    _m("warned_victims", "预后被骗数", "起", "预警后仍被骗（预警后被骗=是）的已立案案件，按受理日期。", False),
    _m("warnings_received", "预警下发数", "起", "按下发时间统计的预警劝阻任务。", None),
    _m("warnings_handled", "预警处置数", "起", "按处置时间统计的已反馈处置结果的任务。", True),
    _m("warnings_on_time", "按时处置数", "起", "处置数中，处置时间不晚于处置时限的任务。", True),
    _m("warnings_overdue", "超期未处置数", "起", "统计期末仍未处置、已超过时限的任务（时点数）。", False),
    _m("dissuaded", "劝阻成功数", "起", "处置结果为劝阻成功的任务，按处置时间。", True),
    _m("publicity_activities", "宣传活动数", "次", "按活动日期统计的反诈宣传活动。", True),
    _m("publicity_reach", "覆盖人数", "人", "宣传活动覆盖人数之和，按活动日期。", True, is_count=False),
)

DERIVED_METRICS = (
    _m("on_time_rate", "按时处置率", "%", "按时处置数 ÷ 预警处置数 × 100。", True, is_count=False, derived=True),
    _m("dissuasion_rate", "劝阻成功率", "%", "劝阻成功数 ÷ 预警处置数 × 100。", True, is_count=False, derived=True),
    _m(
        "warned_victim_rate",
        "预后被骗率",
        "%",
        "预后被骗数 ÷ 预警下发数 × 100（被预警的人中仍被骗的比例）。",
        False,
        is_count=False,
        derived=True,
    ),
    _m(
        "solve_rate",
        "破案率",
        "%",
        "破案数 ÷ 发案数 × 100（两者按各自日期统计，可超过 100）。",
        True,
        is_count=False,
        derived=True,
    ),
    _m("recovery_rate", "追赃率", "%", "追赃金额 ÷ 损失金额 × 100。", True, is_count=False, derived=True),
    _m(
        "mean_sign_minutes",
        "平均签收用时",
        "分钟",
        "签收任务从下发到签收的平均分钟数，按签收时间。",
        False,
        is_count=False,
        derived=True,
    ),
    _m(
        "mean_handle_minutes",
        "平均处置用时",
        "分钟",
        "处置任务从下发到反馈处置结果的平均分钟数，按处置时间。",
        False,
        is_count=False,
        derived=True,
    ),
    _m("cases_per_10k", "万人发案率", "起/万人", "发案数 ÷ 常住人口 × 10000。", False, is_count=False, derived=True),
    _m("loss_per_10k", "万人损失", "元/万人", "损失金额 ÷ 常住人口 × 10000。", False, is_count=False, derived=True),
)

METRICS: dict[str, Metric] = {m.key: m for m in (*BASE_METRICS, *DERIVED_METRICS)}

# Derived key: (numerator, denominator or "population", multiplier, divisor).
_RATIOS = {
    "on_time_rate": ("warnings_on_time", "warnings_handled", 100, 1),
    "dissuasion_rate": ("dissuaded", "warnings_handled", 100, 1),
    "warned_victim_rate": ("warned_victims", "warnings_received", 100, 1),
    "solve_rate": ("solved", "cases", 100, 1),
    "recovery_rate": ("recovered", "loss", 100, 1),
    "mean_sign_minutes": ("sign_seconds", "signed", 1, 60),
    "mean_handle_minutes": ("handle_seconds", "warnings_handled", 1, 60),
    "cases_per_10k": ("cases", "population", 10000, 1),
    "loss_per_10k": ("loss", "population", 10000, 1),
}


def derive(values: dict[str, int | Decimal], *, population: int | None) -> dict[str, Fraction | None]:
    """The derived metrics from base values as exact fractions (None where the denominator
    is 0 or unknown). Changes are computed from these; ``shown`` rounds them for display."""
    derived: dict[str, Fraction | None] = {}
    for key, (numerator, denominator, multiplier, divisor) in _RATIOS.items():
        base = population if denominator == "population" else values.get(denominator)
        if not base:
            derived[key] = None
            continue
        derived[key] = Fraction(values.get(numerator) or 0) * multiplier / divisor / Fraction(base)
    return derived


def shown(value: Fraction | None) -> float | None:
    """A derived value as the JSON shows it: two decimals, half away from zero."""
    if value is None:
        return None
    return float(round_half_away(value, 2))
