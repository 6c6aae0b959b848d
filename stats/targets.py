"""Monthly targets (压降目标) and how a unit stands against them, 红黄牌, and 三升三降.

Each month the city sets each county a 同比 drop for 发案数 and for 损失金额 (seed 000:
"下达每月发案、损失数同比下降的具体指标任务"); units that miss it get a yellow or red card
(seed 003: "红黄牌预警"). A target is judged on the figures as they are shown:

- the value is the month so far (1st to today) while the month runs, compared with the
  same dates a year earlier; the whole month once it is over, compared with the whole
  month a year earlier;
- the change is ``change_pct`` (one decimal); the target is met when the change is at or
  below minus the required drop (a drop of 10 needs −10.0% or better);
- ``gap_pts`` = change + required drop, in percentage points: above 0 the target is
  missed by that much, at or below 0 it is met;
- the card (``CardRule``): a rise of ``red_rise_pct`` or more is red whatever the target;
  otherwise met → none, missed by at most ``yellow_margin`` points → yellow, more → red;
- a zero base gives no percentage, so nothing is judged (met None, no card) and the note
  says why.

A running month also carries its month-end projection (``stats.projection``) and whether
that would meet the target against last year's whole month.

The writes (``target_create`` / ``target_update`` / ``target_delete``) live here too:
they are small, and the API and the admin share them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from orgs.errors import DomainError
from orgs.models import Unit
from stats.catalogue import METRICS
from stats.compare import change_pct
from stats.metrics import base_values
from stats.models import CardRule, Target, TargetMetric
from stats.periods import Period, custom_period, period_for
from stats.projection import (
    MonthProjection,
    MonthState,
    daily_values,
    is_money,
    month_bounds,
    month_ranges,
    project_from_daily,
)

TARGET_METRICS = tuple(TargetMetric.values)  # ("cases", "loss")


class Card(models.TextChoices):
    NONE = "none", "无"
    YELLOW = "yellow", "黄牌"
    RED = "red", "红牌"


class TargetError(DomainError):
    pass


# ---------------------------------------------------------------------------------------
# Wording


def format_value(metric: str, value) -> str:
    """How a figure reads in a sentence: 47起, 45.20万元."""
    if value is None:
        return "—"
    if is_money(metric):
        return f"{Decimal(value) / 10000:.2f}万元"
    return f"{value}{METRICS[metric].unit}"


def change_words(pct: float) -> str:
    if pct < 0:
        return f"同比下降{-pct:.1f}%"
    if pct > 0:
        return f"同比上升{pct:.1f}%"
    return "与去年同期持平"


def target_words(drop_pct: Decimal) -> str:
    if drop_pct > 0:
        return f"同比下降{drop_pct:.1f}%"
    if drop_pct < 0:
        return f"同比上升不超过{-drop_pct:.1f}%"
    return "同比不上升"


def month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


# ---------------------------------------------------------------------------------------
# Judging


def judge(yoy_pct: float | None, drop_pct: Decimal, rule: CardRule) -> tuple[bool | None, Decimal | None, str]:
    """(met, gap in percentage points, card) of a change against a required drop."""
    if yoy_pct is None:
        return None, None, Card.NONE
    pct = Decimal(str(yoy_pct))
    gap = pct + Decimal(drop_pct)
    met = gap <= 0
    if pct > 0 and pct >= rule.red_rise_pct:
        card = Card.RED
    elif met:
        card = Card.NONE
    elif gap <= rule.yellow_margin:
        card = Card.YELLOW
    else:
        card = Card.RED
    return met, gap, card


@dataclass(frozen=True)
class TargetStatus:
    """One target against the figures. ``period`` is what was counted (the month so far,
    or the whole month), ``yoy_period`` what it was compared with."""

    target_id: int
    unit: Unit
    month: dt.date
    metric: str
    label: str
    measure: str  # 起 / 元
    drop_pct: Decimal  # required 同比 drop, per cent (negative: a rise allowed)
    state: MonthState
    period: Period | None
    yoy_period: Period | None
    value: int | Decimal | None
    yoy_base: int | Decimal | None
    yoy_pct: float | None
    met: bool | None
    gap_pts: Decimal | None
    card: str
    note: str
    projection: MonthProjection | None = None
    projected_yoy_base: int | Decimal | None = None  # last year's whole month
    projected_yoy_pct: float | None = None
    projected_met: bool | None = None
    projection_note: str = ""

    @property
    def card_label(self) -> str:
        return Card(self.card).label


def _note(
    target: Target, label: str, pct: float | None, met, gap, card, rule: CardRule, prefix: str, yoy: Period
) -> str:
    if pct is None:
        return f"去年同期（{yoy.label}）{label}为0，无法计算同比，暂不评定是否达标。"
    words, goal = change_words(pct), target_words(Decimal(target.drop_pct))
    risen = pct > 0 and Decimal(str(pct)) >= rule.red_rise_pct
    if met and not risen:
        return f"{prefix}{label}{words}，达到{goal}的目标。"
    if met:
        return f"{prefix}{label}{words}，虽达到{goal}的目标，但升幅达到{rule.red_rise_pct:.1f}%及以上，红牌。"
    note = f"{prefix}{label}{words}，未达到{goal}的目标，差{gap:.1f}个百分点"
    if risen:
        return f"{note}，且升幅达到{rule.red_rise_pct:.1f}%及以上，红牌。"
    return f"{note}，{Card(card).label}。"


def _status(target: Target, unit: Unit, daily: dict, month: dt.date, today: dt.date, rule: CardRule) -> TargetStatus:
    metric, label = target.metric, METRICS[target.metric].label
    drop = Decimal(target.drop_pct)
    common = {"target_id": target.pk, "unit": unit, "month": month, "metric": metric, "label": label,
              "measure": METRICS[metric].unit, "drop_pct": drop}  # fmt: skip
    projection = project_from_daily(metric, month, today, daily, daily)
    if projection.state is MonthState.UPCOMING:
        return TargetStatus(
            **common, state=projection.state, period=None, yoy_period=None, value=None, yoy_base=None,
            yoy_pct=None, met=None, gap_pts=None, card=Card.NONE, note=f"{month_label(month)}尚未开始。",
        )  # fmt: skip
    first = month_bounds(month)[0]
    ly_first, ly_last = month_ranges(month, today)[1]
    zero = Decimal("0.00") if is_money(metric) else 0
    ly_total = sum((v for day, v in daily.items() if ly_first <= day <= ly_last), start=zero)
    if projection.state is MonthState.FINISHED:
        period = period_for("month", first)
        value, base, prefix = projection.value, ly_total, f"{month_label(month)}"
    else:
        period = custom_period(first, today)
        value, base = projection.value, projection.last_year_same_days
        prefix = f"截至{today.month}月{today.day}日，本月"
    pct = change_pct(value, base)
    met, gap, card = judge(pct, drop, rule)
    status = {**common, "state": projection.state, "period": period, "yoy_period": period.yoy(), "value": value,
              "yoy_base": base, "yoy_pct": pct, "met": met, "gap_pts": gap, "card": card,
              "note": _note(target, label, pct, met, gap, card, rule, prefix, period.yoy())}  # fmt: skip
    if projection.state is MonthState.FINISHED:
        return TargetStatus(**status)
    projected_pct = change_pct(projection.projected, ly_total)
    projected_met = judge(projected_pct, drop, rule)[0]
    shown = format_value(metric, projection.projected)
    if projected_pct is None:
        projection_note = f"按{projection.method}推算，月底预计{shown}；去年同月为0，无法评定能否达标。"
    else:
        verdict = "可达到目标" if projected_met else "难以达到目标"
        projection_note = f"按{projection.method}推算，月底预计{shown}，{change_words(projected_pct)}，{verdict}。"
    return TargetStatus(
        **status, projection=projection, projected_yoy_base=ly_total, projected_yoy_pct=projected_pct,
        projected_met=projected_met, projection_note=projection_note,
    )  # fmt: skip


def _today(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(now) if now is not None else timezone.localdate()


def statuses_of(
    targets: list[Target], unit: Unit, month: dt.date, today: dt.date, rule: CardRule
) -> list[TargetStatus]:
    """The status of each of ``targets`` (all of ``unit`` and ``month``): one rollup query."""
    if not targets:
        return []
    metrics = sorted({t.metric for t in targets})
    if month_bounds(month)[0] > today:
        daily = {metric: {} for metric in metrics}
    else:
        daily = daily_values(unit, metrics, list(month_ranges(month, today)))
    return [_status(t, unit, daily[t.metric], month, today, rule) for t in targets]


def target_status(unit: Unit, month_date: dt.date, *, now: dt.datetime | None = None) -> list[TargetStatus]:
    """How ``unit`` stands against each of its targets for the month holding ``month_date``
    (as of ``now``, default now), in metric order (cases, then loss)."""
    month = month_bounds(month_date)[0]
    targets = sorted(Target.objects.filter(unit=unit, month=month), key=lambda t: TARGET_METRICS.index(t.metric))
    return statuses_of(targets, unit, month, _today(now), CardRule.current())


@dataclass(frozen=True)
class UnitTargets:
    """One row of a targets table: a unit and its status per target metric (None: no target)."""

    unit: Unit
    statuses: dict[str, TargetStatus | None] = field(default_factory=dict)

    @property
    def has_targets(self) -> bool:
        return any(self.statuses.values())

    @property
    def cases(self) -> TargetStatus | None:
        return self.statuses.get(TargetMetric.CASES)

    @property
    def loss(self) -> TargetStatus | None:
        return self.statuses.get(TargetMetric.LOSS)


def unit_targets(unit: Unit, month_date: dt.date, *, now: dt.datetime | None = None) -> UnitTargets:
    statuses = {s.metric: s for s in target_status(unit, month_date, now=now)}
    return UnitTargets(unit, {metric: statuses.get(metric) for metric in TARGET_METRICS})


def targets_for_children(unit: Unit, month_date: dt.date, *, now: dt.datetime | None = None) -> list[UnitTargets]:
    """A row per child unit of ``unit`` (in tree order) with its status per target metric;
    a child without a target for the month has None there."""
    month, today, rule = month_bounds(month_date)[0], _today(now), CardRule.current()
    children = list(Unit.objects.filter(parent=unit).order_by("path"))
    targets: dict[int, list[Target]] = {}
    for target in Target.objects.filter(unit__in=children, month=month):
        targets.setdefault(target.unit_id, []).append(target)
    rows = []
    for child in children:
        statuses = {s.metric: s for s in statuses_of(targets.get(child.pk, []), child, month, today, rule)}
        rows.append(UnitTargets(child, {metric: statuses.get(metric) for metric in TARGET_METRICS}))
    return rows


# ---------------------------------------------------------------------------------------
# 三升三降 (seed 002): solved, arrests, recovered up; cases, loss, reports down, 同比.

SANSHANG = (("solved", True), ("arrests", True), ("recovered", True),
            ("cases", False), ("loss", False), ("reports", False))  # fmt: skip


@dataclass(frozen=True)
class SanshangItem:
    key: str
    label: str
    measure: str
    should_rise: bool
    value: int | Decimal
    yoy_base: int | Decimal
    yoy_pct: float | None
    ok: bool | None  # moved the right way; None when last year's base is 0


@dataclass(frozen=True)
class Sanshang:
    period: Period
    yoy_period: Period
    items: tuple[SanshangItem, ...]
    achieved: int  # how many of the six moved the right way
    unknown: int  # how many could not be compared (zero base)
    summary: str

    @property
    def all_achieved(self) -> bool:
        return self.achieved == len(self.items)


def sanshang_sanjiang(unit: Unit, period: Period, *, now: dt.datetime | None = None) -> Sanshang:
    """三升三降 of ``unit``'s subtree over ``period`` against its 同比. A figure moved the
    right way when it is strictly above (below) last year's; a zero base is unknown, not a
    pass (a rise from nothing has no percentage)."""
    yoy = period.yoy()
    values, bases = base_values(unit, [period, yoy], now=now)
    items = []
    for key, should_rise in SANSHANG:
        value, base = values[key], bases[key]
        ok = None if not base else (value > base if should_rise else value < base)
        metric = METRICS[key]
        items.append(
            SanshangItem(key, metric.label, metric.unit, should_rise, value, base, change_pct(value, base), ok)
        )
    achieved = sum(1 for item in items if item.ok)
    unknown = [item for item in items if item.ok is None]
    if achieved == len(items):
        summary = "实现“三升三降”：破案数、抓获人数、追赃金额同比上升，发案数、损失金额、警情数同比下降。"
    else:
        parts = [f"“三升三降”六项中达到{achieved}项"]
        missed = [f"{i.label}（{change_words(i.yoy_pct)}）" for i in items if i.ok is False]
        if missed:
            parts.append("未达到：" + "、".join(missed))
        if unknown:
            parts.append("去年同期为0、无法比较：" + "、".join(i.label for i in unknown))
        summary = "；".join(parts) + "。"
    return Sanshang(period, yoy, tuple(items), achieved, len(unknown), summary)


# ---------------------------------------------------------------------------------------
# Writes


def _check_scope(user, unit: Unit) -> None:
    if user.is_superuser:
        return
    if user.unit_id is None or not unit.is_within(user.unit):
        raise TargetError("只能为本单位及下级单位设定目标。", field="unit")


def _save(target: Target) -> Target:
    duplicate = Target.objects.filter(unit=target.unit, month=target.month, metric=target.metric).exclude(pk=target.pk)
    message = f"{target.unit.name}{month_label(target.month)}的{METRICS[target.metric].label}目标已设定，请修改原目标。"
    if duplicate.exists():
        raise TargetError(message, field="metric")
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:  # set at the same moment by someone else
        raise TargetError(message, field="metric") from None
    return target


def target_create(*, user, unit: Unit, month: dt.date, metric: str, drop_pct: Decimal, note: str = "") -> Target:
    """Set ``unit``'s target for ``month`` (any day of it); one per unit, month and metric."""
    _check_scope(user, unit)
    target = Target(unit=unit, month=month_bounds(month)[0], metric=metric, drop_pct=drop_pct, note=note,
                    set_by=user)  # fmt: skip
    return _save(target)


def target_update(*, target: Target, user, **changes) -> Target:
    """Change a target (any of unit, month, metric, drop_pct, note); the changer becomes its setter."""
    _check_scope(user, target.unit)
    if "month" in changes:
        changes["month"] = month_bounds(changes["month"])[0]
    for name, value in changes.items():
        setattr(target, name, value)
    _check_scope(user, target.unit)
    target.set_by = user
    return _save(target)


def target_delete(*, target: Target, user) -> None:
    _check_scope(user, target.unit)
    target.delete()
