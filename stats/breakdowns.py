"""Breakdowns of a unit's figures over a period: by child unit (with ranks), by fraud type,
by victim profile (age band, gender, residency), by area (community / village), and by day
or ISO week against last year's aligned series.

Like ``stats.metrics``, every answer reads only the rollups — the subtree totals for the
children and the day / week series, the fact tables for fraud types, victims and areas
(one grouped query each), plus the Unit / Area / FraudType rows that name things — carries
``refreshed_at``, and is JSON-ready: money as numbers with two decimals, shares and changes
in per cent to one decimal (half away from zero), ``null`` where a base is 0 or a figure is
unknown.

The request side lives here too (``period_from_params``, ``breakdown``), so the API and the
``stats`` command read parameters the same way and answer with the same errors.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from cases.models import FraudType, Gender, Residency
from orgs.errors import DomainError
from orgs.models import Area, Unit, UnitLevel
from stats.catalogue import BASE_METRICS, DERIVED_METRICS, METRICS, derive, shown
from stats.compare import change_pct
from stats.facts import AGE_BANDS, AGE_UNKNOWN
from stats.metrics import MONEY_KEYS, OVERDUE, overdue_now, subtree_values, unit_json
from stats.models import AreaFact, CaseFact, DayTotal, MonthTotal
from stats.periods import Period, PeriodError, PeriodKind, custom_period, period_for
from stats.refresh import refreshed_at

CENT = Decimal("0.01")
TENTH = Decimal("0.1")

BY_LABELS = {
    "children": "下级单位",
    "fraud_type": "诈骗类型",
    "age_band": "受害人年龄段",
    "gender": "受害人性别",
    "residency": "受害人户籍类型",
    "area": "发案地（社区/村）",
    "day": "按日趋势",
    "week": "按周趋势",
}
PERIOD_KINDS = tuple(k.value for k in PeriodKind if k != PeriodKind.CUSTOM)
SERIES_METRICS = tuple(m.key for m in BASE_METRICS)
# Dates the period maths can shift a year back and a period back without overflowing.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# Victim profile: the CaseFact columns of each dimension with their labels, unknown last.
PROFILES = {
    "age_band": (*((column, label) for column, label, _low, _high in AGE_BANDS), AGE_UNKNOWN),
    "gender": (("male", Gender.MALE.label), ("female", Gender.FEMALE.label), ("gender_unknown", "性别不详")),
    "residency": (
        ("resident", Residency.RESIDENT.label),
        ("transient", Residency.TRANSIENT.label),
        ("residency_unknown", "户籍类型不详"),
    ),
}


class StatsRequestError(DomainError):
    """A parameter of a statistics request that cannot be answered; Chinese message, and
    ``field`` names the parameter."""


# ---------------------------------------------------------------------------- numbers


def share_pct(part: int | Decimal, total: int | Decimal) -> float | None:
    """``part`` as per cent of ``total``, half away from zero to one decimal; None on 0."""
    if not total:
        return None
    exact = Decimal(str(part)) * 100 / Decimal(str(total))
    return float(exact.quantize(TENTH, rounding=ROUND_HALF_UP))


def per_10k(value: int | Decimal, people: int | None) -> float | None:
    """``value`` per 10,000 residents, to two decimals; None where the population is unknown."""
    if not people:
        return None
    return float((Decimal(str(value)) * 10000 / Decimal(people)).quantize(CENT, rounding=ROUND_HALF_UP))


def competition_ranks(values: list[float | int | Decimal | None]) -> list[int | None]:
    """Rank 1 for the highest value; ties share a rank and the next one skips (1, 1, 3).
    None is left unranked."""
    ranked = sorted((v for v in values if v is not None), reverse=True)
    first = {}
    for i, v in enumerate(ranked, start=1):
        first.setdefault(v, i)
    return [None if v is None else first[v] for v in values]


def _number(key: str, value):
    """A value as JSON: money (yuan) as a number with two decimals."""
    if value is None:
        return None
    if key in MONEY_KEYS:
        return float(Decimal(value).quantize(CENT))
    return value


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def _pct(value, base) -> float | None:
    return None if value is None or base is None else change_pct(value, base)


# ---------------------------------------------------------------------------- request


def parse_date(text: str, *, field: str, prefix: str = "") -> dt.date:
    """A ``YYYY-MM-DD`` parameter; errors name it as ``prefix + field`` ("--date")."""
    name = f"{prefix}{field}"
    text = (text or "").strip()
    try:
        if not ISO_DATE.match(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise StatsRequestError(f"参数 {name} 的值“{text}”不是有效日期，应为 YYYY-MM-DD。", field=field) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise StatsRequestError(f"参数 {name} 的日期须在 1900-01-01 至 2100-12-31 之间。", field=field)
    return day


def period_from_params(
    *, kind: str | None, date: str | None, start: str | None, end: str | None, prefix: str = ""
) -> Period:
    """The period a request asks for: ``kind`` and ``date`` (a day inside it), or a custom
    ``start`` and ``end``. ``prefix`` is how the parameters are written in errors ("--"
    for the command line)."""
    names = {field: f"{prefix}{field}" for field in ("period", "date", "start", "end")}
    if start or end:
        if kind and kind != PeriodKind.CUSTOM:
            raise StatsRequestError(
                f"参数 {names['period']} 不能与 {names['start']}、{names['end']} 同时使用："
                "自定义周期只需给出开始和结束日期。",
                field="period",
            )
        for field, value in (("start", start), ("end", end)):
            if not value:
                raise StatsRequestError(f"自定义周期缺少参数 {names[field]}（YYYY-MM-DD）。", field=field)
        first, last = parse_date(start, field="start", prefix=prefix), parse_date(end, field="end", prefix=prefix)
        try:
            return custom_period(first, last)
        except PeriodError as exc:
            raise StatsRequestError(f"参数 {names['end']}：{exc}", field="end") from None
    if not kind:
        raise StatsRequestError(
            f"缺少参数 {names['period']}（{'、'.join(PERIOD_KINDS)}），或改用 {names['start']} 和 {names['end']}。",
            field="period",
        )
    if kind not in PERIOD_KINDS:
        raise StatsRequestError(
            f"参数 {names['period']} 的值“{kind}”无效：可用 {'、'.join(PERIOD_KINDS)}，"
            f"自定义周期请用 {names['start']} 和 {names['end']}。",
            field="period",
        )
    if not date:
        raise StatsRequestError(f"缺少参数 {names['date']}（统计周期内的任一天，YYYY-MM-DD）。", field="date")
    # A period still running is cut at today: its figures compare with the same days of the
    # bases (this month so far against the same dates last year), not their whole length.
    return period_for(kind, parse_date(date, field="date", prefix=prefix)).to_date(timezone.localdate())


def breakdown(
    unit: Unit,
    period: Period,
    by: str,
    *,
    rank_by: str | None = None,
    metric: str | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """The breakdown ``by`` one of BY_LABELS' keys (validated here, errors name the parameter)."""
    if not by:
        raise StatsRequestError(f"缺少参数 by（{'、'.join(BY_LABELS)}）。", field="by")
    if by not in BY_LABELS:
        raise StatsRequestError(f"参数 by 的值“{by}”无效：可用 {'、'.join(BY_LABELS)}。", field="by")
    if rank_by and rank_by not in METRICS:
        raise StatsRequestError(f"参数 rank_by 的值“{rank_by}”不是已知指标。", field="rank_by")
    if metric and metric not in SERIES_METRICS:
        raise StatsRequestError(f"参数 metric 的值“{metric}”无效：须为基础指标之一（如 cases、loss）。", field="metric")
    match by:
        case "children":
            return by_children(unit, period, rank_by=rank_by or "cases", now=now)
        case "fraud_type":
            return by_fraud_type(unit, period)
        case "age_band" | "gender" | "residency":
            return by_profile(unit, period, by)
        case "area":
            return by_area(unit, period)
    return by_time(unit, period, by, metric=metric or "cases", now=now)


# ---------------------------------------------------------------------------- queries


def _within(period: Period) -> Q:
    return Q(day__gte=period.start, day__lte=period.end)


def _any_of(periods: Iterable[Period]) -> Q:
    """Rows in any of the periods; the enclosing range up front lets the day index serve."""
    periods = list(periods)
    q = Q(pk__in=[])
    for period in periods:
        q |= _within(period)
    return Q(day__gte=min(p.start for p in periods), day__lte=max(p.end for p in periods)) & q


def _sum(column: str, period: Period, conditions: dict) -> Sum:
    return Sum(column, filter=_within(period) & Q(**conditions), default=0)


def _envelope(by: str, unit: Unit, period: Period) -> dict:
    yoy = period.yoy()
    return {
        "by": by,
        "by_label": BY_LABELS[by],
        "unit": unit_json(unit),
        "period": period.as_dict(),
        "yoy_period": {"start": yoy.start.isoformat(), "end": yoy.end.isoformat()},
    }


def _stamped(answer: dict) -> dict:
    stamp = refreshed_at()
    answer["refreshed_at"] = stamp.isoformat() if stamp else None
    return answer


# ---------------------------------------------------------------------------- by child unit


def by_children(unit: Unit, period: Period, *, rank_by: str = "cases", now: dt.datetime | None = None) -> dict:
    """Each direct child of ``unit`` with every metric (base and derived) this period and
    a year earlier, its share of the parent's total, and its rank by ``rank_by`` (rank 1:
    the highest value) and by that metric's 同比 change (rank 1: the largest rise).

    The parent's total covers its whole subtree, its own records too (a county's own
    publicity activities): those are also given apart as ``own``."""
    now = now or timezone.now()
    periods = [period, period.yoy()]
    units = list(Unit.objects.subtree(unit))
    children = [u for u in units if u.parent_id == unit.pk]
    values = subtree_values(unit, periods, now=now, children=children)
    total = values[unit.pk]
    own = {m.key: total[0][m.key] - sum(values[child.pk][0][m.key] for child in children) for m in BASE_METRICS}

    # Population: the unit's own figure, else the sum of its stations' (as stats.metrics.population).
    stations = [u for u in units if u.level == UnitLevel.STATION]

    def people(of: Unit) -> int | None:
        if of.population:
            return of.population
        return sum(s.population or 0 for s in stations if s.path.startswith(of.path)) or None

    total_people = people(unit)
    total_metrics = _unit_metrics(total, total_people, total=None)
    rows = [
        {
            "unit": unit_json(child),
            "population": people(child),
            "metrics": _unit_metrics(values[child.pk], people(child), total=total[0]),
        }
        for child in children  # in tree order, which breaks ties below
    ]
    ranks = competition_ranks([row["metrics"][rank_by]["value"] for row in rows])
    yoy_ranks = competition_ranks([row["metrics"][rank_by]["yoy_pct"] for row in rows])
    for row, rank, yoy_rank in zip(rows, ranks, yoy_ranks, strict=True):
        row["rank"], row["yoy_rank"] = rank, yoy_rank
    rows.sort(key=lambda row: (row["rank"] is None, row["rank"] or 0))
    answer = _envelope("children", unit, period)
    answer.update(
        {
            "rank_by": rank_by,
            "rank_by_label": METRICS[rank_by].label,
            "total": {"population": total_people, "metrics": total_metrics},
            "own": {m.key: _number(m.key, own[m.key]) for m in BASE_METRICS},
            "rows": rows,
        }
    )
    return _stamped(answer)


def _unit_metrics(values: list[dict], people: int | None, *, total: dict | None) -> dict:
    """Every metric of one unit: value, 同比 base and change, and (base metrics, when
    ``total`` is given) the share of the parent's total this period."""
    now_values, yoy_values = values
    for vals in values:
        for key in MONEY_KEYS:
            vals[key] = Decimal(vals[key]).quantize(CENT)
    entries = {}
    for m in BASE_METRICS:
        value, base = now_values[m.key], yoy_values[m.key]
        entries[m.key] = {
            "value": _number(m.key, value),
            "yoy_base": _number(m.key, base),
            "yoy_pct": _pct(value, base),
        }
        if total is not None:
            entries[m.key]["share"] = share_pct(value, total[m.key])
    derived_now, derived_yoy = (derive(v, population=people) for v in values)
    for m in DERIVED_METRICS:
        value, base = derived_now[m.key], derived_yoy[m.key]
        entries[m.key] = {"value": shown(value), "yoy_base": shown(base), "yoy_pct": _pct(value, base)}
        if total is not None:
            entries[m.key]["share"] = None  # a rate has no share
    return entries


# ---------------------------------------------------------------------------- by fraud type


def by_fraud_type(unit: Unit, period: Period) -> dict:
    """Filed cases (count) and their loss per fraud type, each with its share of the total
    and its 同比 base and change; reports (filed or not) too. Sorted by count, then loss;
    a type with nothing this period or a year earlier is left out."""
    yoy = period.yoy()
    rows = (
        CaseFact.objects.within(unit)
        .filter(_any_of([period, yoy]))
        .order_by()
        .values("fraud_type_id")
        .annotate(  # named apart from the fact's columns: an aggregate cannot reuse a field's name
            reports_=_sum("n", period, {}),
            cases_=_sum("n", period, {"filed": True}),
            loss_=_sum("loss", period, {"filed": True}),
            yoy_reports=_sum("n", yoy, {}),
            yoy_cases=_sum("n", yoy, {"filed": True}),
            yoy_loss=_sum("loss", yoy, {"filed": True}),
        )
    )
    rows = [{key.removesuffix("_"): value for key, value in row.items()} for row in rows]
    rows = [r for r in rows if r["reports"] or r["yoy_reports"] or r["loss"] or r["yoy_loss"]]
    types = FraudType.objects.in_bulk([r["fraud_type_id"] for r in rows])
    for r in rows:
        r["loss"], r["yoy_loss"] = _money(r["loss"]), _money(r["yoy_loss"])
        fraud_type = types.get(r["fraud_type_id"])
        r["fraud_type"] = (
            {"code": fraud_type.code, "name": fraud_type.name} if fraud_type else {"code": None, "name": "未知类型"}
        )
        r["order"] = (fraud_type.order, fraud_type.code) if fraud_type else (10**6, "")
    rows.sort(key=lambda r: (-r["cases"], -r["loss"], r["order"]))
    sums = {key: sum((r[key] for r in rows), start=0) for key in ("reports", "cases", "loss", "yoy_cases", "yoy_loss")}
    cases_ranks = competition_ranks([r["cases"] for r in rows])
    loss_ranks = competition_ranks([r["loss"] for r in rows])
    out = [
        {
            "fraud_type": r["fraud_type"],
            "reports": r["reports"],
            "cases": r["cases"],
            "cases_share": share_pct(r["cases"], sums["cases"]),
            "cases_rank": cases_rank,
            "cases_yoy_base": r["yoy_cases"],
            "cases_yoy_pct": change_pct(r["cases"], r["yoy_cases"]),
            "loss": _number("loss", r["loss"]),
            "loss_share": share_pct(r["loss"], sums["loss"]),
            "loss_rank": loss_rank,
            "loss_yoy_base": _number("loss", r["yoy_loss"]),
            "loss_yoy_pct": change_pct(r["loss"], r["yoy_loss"]),
        }
        for r, cases_rank, loss_rank in zip(rows, cases_ranks, loss_ranks, strict=True)
    ]
    answer = _envelope("fraud_type", unit, period)
    answer["total"] = {
        "reports": sums["reports"],
        "cases": sums["cases"],
        "cases_yoy_base": sums["yoy_cases"],
        "cases_yoy_pct": change_pct(sums["cases"], sums["yoy_cases"]),
        "loss": _number("loss", sums["loss"]),
        "loss_yoy_base": _number("loss", sums["yoy_loss"]),
        "loss_yoy_pct": change_pct(sums["loss"], sums["yoy_loss"]),
    }
    answer["rows"] = out
    return _stamped(answer)


# ---------------------------------------------------------------------------- victim profile


def by_profile(unit: Unit, period: Period, by: str) -> dict:
    """Filed cases by the victim's age band, gender or residency (``by``), unknown last,
    each with its share of all filed cases and its 同比 base and change."""
    yoy = period.yoy()
    columns = PROFILES[by]
    aggregates = {}
    for column, _label in columns:
        aggregates[f"now_{column}"] = _sum(column, period, {"filed": True})
        aggregates[f"yoy_{column}"] = _sum(column, yoy, {"filed": True})
    row = CaseFact.objects.within(unit).filter(_any_of([period, yoy])).aggregate(**aggregates)
    total = sum(row[f"now_{column}"] for column, _label in columns)
    yoy_total = sum(row[f"yoy_{column}"] for column, _label in columns)
    answer = _envelope(by, unit, period)
    answer["total"] = {"count": total, "yoy_base": yoy_total, "yoy_pct": change_pct(total, yoy_total)}
    answer["rows"] = [
        {
            "key": column,
            "label": label,
            "count": row[f"now_{column}"],
            "share": share_pct(row[f"now_{column}"], total),
            "yoy_base": row[f"yoy_{column}"],
            "yoy_pct": change_pct(row[f"now_{column}"], row[f"yoy_{column}"]),
        }
        for column, label in columns
    ]
    return _stamped(answer)


# ---------------------------------------------------------------------------- by area


def by_area(unit: Unit, period: Period) -> dict:
    """Every area (乡镇/街道, 社区/村) of the subtree's stations with its reports, filed
    cases and their loss this period, the cases a year earlier, and cases and loss per
    10,000 residents (null where the area's population is unknown). A township's or
    subdistrict's row counts the cases located at it directly, not at its communities.
    Cases with no 发案地 form a last row with ``area`` null. Sorted by cases, reports, loss."""
    yoy = period.yoy()
    facts = (
        AreaFact.objects.within(unit)
        .filter(_any_of([period, yoy]))
        .order_by()
        .values("area_id")
        .annotate(
            reports_=_sum("reports", period, {}),
            cases_=_sum("cases", period, {}),
            loss_=_sum("loss", period, {}),
            yoy_cases=_sum("cases", yoy, {}),
        )
    )
    by_id = {row.pop("area_id"): {key.removesuffix("_"): value for key, value in row.items()} for row in facts}
    areas = (
        Area.objects.filter(
            Q(station__in=Unit.objects.subtree(unit).values("pk")) | Q(pk__in=[pk for pk in by_id if pk is not None])
        )
        .select_related("station", "parent")
        .defer("geometry", "parent__geometry")
    )
    zero = {"reports": 0, "cases": 0, "loss": Decimal(0), "yoy_cases": 0}
    rows = []
    for area in areas:
        figures = by_id.get(area.pk, zero)
        rows.append(_area_row(area, figures))
    rows.sort(key=lambda row: (-row["cases"], -row["reports"], -row["loss"], row["area"]["code"]))
    if None in by_id and (by_id[None]["reports"] or by_id[None]["yoy_cases"]):
        rows.append(_area_row(None, by_id[None]))
    answer = _envelope("area", unit, period)
    answer["rows"] = rows
    return _stamped(answer)


def _area_row(area: Area | None, figures: dict) -> dict:
    loss = Decimal(figures["loss"]).quantize(CENT)
    people = area.population if area else None
    return {
        "area": None
        if area is None
        else {
            "code": area.code,
            "name": area.name,
            "kind": area.kind,
            "kind_display": area.get_kind_display(),
            "parent": area.parent.name if area.parent_id else None,
            "station": {"code": area.station.code, "name": area.station.name},
        },
        "label": area.name if area else "发案地不详",
        "population": people,
        "reports": figures["reports"],
        "cases": figures["cases"],
        "loss": _number("loss", loss),
        "cases_yoy_base": figures["yoy_cases"],
        "cases_yoy_pct": change_pct(figures["cases"], figures["yoy_cases"]),
        "cases_per_10k": per_10k(figures["cases"], people),
        "loss_per_10k": per_10k(loss, people),
    }


# ---------------------------------------------------------------------------- by day / week


Bucket = tuple[object, str, dt.date, dt.date]  # key, label, first day, last day


def _days(period: Period) -> list[dt.date]:
    return [period.start + dt.timedelta(days=i) for i in range(period.days)]


def day_buckets(period: Period) -> list[Bucket]:
    """One bucket per day, keyed by its offset from the period's start."""
    return [(i, f"{d.month}月{d.day}日", d, d) for i, d in enumerate(_days(period))]


def week_buckets(period: Period, *, year_shift: int = 0) -> list[Bucket]:
    """One bucket per ISO week (clipped to the period), keyed (ISO year + ``year_shift``,
    week number): last year's weeks, shifted by one, key like this year's."""
    weeks: dict[tuple[int, int], list[dt.date]] = {}
    for day in _days(period):
        iso_year, week, _ = day.isocalendar()
        weeks.setdefault((iso_year + year_shift, week), []).append(day)
    return [((y, w), f"第{w}周", days[0], days[-1]) for (y, w), days in weeks.items()]


def by_time(unit: Unit, period: Period, by: str, *, metric: str = "cases", now: dt.datetime | None = None) -> dict:
    """This period's series of ``metric`` by day or ISO week next to last year's, aligned:
    day i of the period with day i of its 同比 period, a week with the week of the same
    ISO number a year earlier. A point only one side has (29 February, a 53rd week) has
    null on the other. A point that starts after today has a null value."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    yoy = period.yoy()
    if by == "day":
        current, previous = day_buckets(period), day_buckets(yoy)
    else:
        current, previous = week_buckets(period), week_buckets(yoy, year_shift=1)
    values = _bucket_values(unit, metric, current + previous, [period, yoy], now=now)
    now_by_key = {b[0]: (b, v) for b, v in zip(current, values[: len(current)], strict=True)}
    yoy_by_key = {b[0]: (b, v) for b, v in zip(previous, values[len(current) :], strict=True)}
    # Weeks of more than one ISO year (this year's side) are told apart by their year.
    years = {key[0] for key in now_by_key.keys() | yoy_by_key.keys()} if by == "week" else set()
    rows = []
    for key in sorted(now_by_key.keys() | yoy_by_key.keys()):
        this, last = now_by_key.get(key), yoy_by_key.get(key)
        label = (this or last)[0][1]
        if len(years) > 1:
            label = f"{key[0]}年{label}"
        rows.append(
            {
                "label": label,
                "start": this[0][2].isoformat() if this else None,
                "end": this[0][3].isoformat() if this else None,
                "value": _number(metric, this[1]) if this and this[0][2] <= today else None,
                "yoy_start": last[0][2].isoformat() if last else None,
                "yoy_end": last[0][3].isoformat() if last else None,
                "yoy_value": _number(metric, last[1]) if last else None,
            }
        )
    answer = _envelope(by, unit, period)
    m = METRICS[metric]
    answer.update({"metric": metric, "metric_label": m.label, "metric_unit": m.unit, "rows": rows})
    return _stamped(answer)


def _bucket_values(
    unit: Unit, metric: str, buckets: list[Bucket], periods: list[Period], *, now: dt.datetime
) -> list[int | Decimal]:
    """``metric`` over each bucket: sums of the unit's day totals, or for warnings_overdue
    the count at the end of each bucket's last day."""
    if metric == OVERDUE:
        return _overdue_series(unit, [last for _k, _l, _first, last in buckets], now=now)
    daily = dict(DayTotal.objects.filter(_any_of(periods), unit=unit).order_by().values_list("day", metric))
    out = []
    for _key, _label, first, last in buckets:
        days = ((first + dt.timedelta(days=k)) for k in range((last - first).days + 1))
        total = sum((daily.get(day, 0) for day in days), start=Decimal(0) if metric in MONEY_KEYS else 0)
        out.append(Decimal(total).quantize(CENT) if metric in MONEY_KEYS else total)
    return out


def _overdue_series(unit: Unit, ends: list[dt.date], *, now: dt.datetime) -> list[int]:
    """Tasks open past a deadline at the end of each day in ``ends`` — as
    ``stats.metrics.subtree_values``: the running sum of the subtree totals' overdue changes
    for a day before today (whole months, then days), the open tasks now for today or later."""
    today = timezone.localtime(now).date()
    past = sorted({day for day in ends if day < today})
    running: dict[dt.date, int] = {}
    if past:
        first = past[0].replace(day=1)
        total = MonthTotal.objects.filter(unit=unit, month__lt=first).aggregate(n=Sum("overdue_change", default=0))["n"]
        changes = dict(
            DayTotal.objects.filter(unit=unit, day__gte=first, day__lte=past[-1])
            .order_by()
            .values_list("day", "overdue_change")
        )
        day, i = first, 0
        while i < len(past):
            total += changes.get(day, 0)
            if day == past[i]:
                running[day] = total
                i += 1
            day += dt.timedelta(days=1)
    live = None
    if len(past) < len(set(ends)):
        live = overdue_now(unit, now=now)[unit.pk]
    return [running[day] if day < today else live for day in ends]
