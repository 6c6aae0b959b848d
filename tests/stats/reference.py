"""The reference computation: every base metric of DATA.md, straight from the raw records.

Deliberately naive and slow. ``Records.read()`` fetches every row with the ORM; ``values``
then walks them in plain Python loops that follow DATA.md's 口径 table line by line. It
shares no code with ``stats`` — not the fact tables, not ``stats.facts``, not the periods,
not ``change_pct`` — so when the engine and this agree, they agree for a reason.

The rules, as DATA.md and DOMAIN.md state them:
- every figure is over the unit's whole subtree (the unit and everything below it);
- a voided record counts nowhere, and a voided case takes its ledger events with it;
- cases count on their 受理日期, ledger events on their own date (a negative count or
  amount is a correction and counts as it is), publicity on its 活动日期, and a warning
  task on the local (Asia/Shanghai) day of the moment in question;
- 超期未处置 is a point-in-time count: open (not handled) and past a deadline — the
  handling deadline, or the signing deadline while not yet signed for — at the end of the
  period's last day, or at ``now`` when the period has not ended yet;
- a percentage is (value − base) / base × 100, half away from zero to one decimal, None
  on a zero base; a derived rate (catalogue 口径) is the exact ratio, shown half away from
  zero to two decimals, and its change is that of the exact ratios.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from cases.models import CaseEvent, FraudCase
from earlywarnings.models import WarningTask
from orgs.models import Unit
from publicity.models import PublicityActivity

LOCAL = ZoneInfo("Asia/Shanghai")  # DATA.md: "Times are Asia/Shanghai"
ONE_DAY = dt.timedelta(days=1)

MONEY_KEYS = ("loss", "frozen", "recovered", "returned")
# DATA.md's table, in its order.
BASE_KEYS = (
    "reports", "cases", "loss", "solved", "arrests", "frozen", "recovered", "returned", "warned_victims",
    "warnings_received", "warnings_handled", "warnings_on_time", "warnings_overdue", "dissuaded",
    "publicity_activities", "publicity_reach",
)  # fmt: skip
EXTRA_KEYS = ("signed", "signed_on_time", "sign_seconds", "handle_seconds")
ALL_KEYS = BASE_KEYS + EXTRA_KEYS
TASK_FIELDS = ("station_id", "issued_at", "acknowledged_at", "handled_at", "sign_deadline", "handle_deadline",
               "outcome", "voided_at")  # fmt: skip
MONEY_EVENT_KEYS = {"freeze": "frozen", "recover": "recovered", "return": "returned"}


def local_day(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else moment.astimezone(LOCAL).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant a local day ends: midnight at the start of the next one."""
    return dt.datetime.combine(day + ONE_DAY, dt.time.min, tzinfo=LOCAL)


def whole_seconds(delta: dt.timedelta) -> int:
    return delta // dt.timedelta(seconds=1)


def _with_local_days(task: dict) -> dict:
    return {**task, "issued_day": local_day(task["issued_at"]), "signed_day": local_day(task["acknowledged_at"]),
            "handled_day": local_day(task["handled_at"])}  # fmt: skip


@dataclass
class Records:
    """Every unit and every raw record, voided or not, as plain dicts."""

    units: dict[int, dict]
    cases: dict[int, dict]
    events: list[dict]
    tasks: list[dict]
    activities: list[dict]
    _at: dict = field(default_factory=dict, repr=False)  # unit set → its rows (a cache)

    @classmethod
    def read(cls) -> Records:
        return cls(
            units={u["id"]: u for u in Unit.objects.values("id", "parent_id", "code", "population", "level")},
            cases={
                c["id"]: c
                for c in FraudCase.objects.values(
                    "id", "station_id", "reported_on", "filed", "loss", "warned_before", "voided_at"
                )
            },
            events=list(CaseEvent.objects.values("case_id", "kind", "occurred_on", "count", "amount", "voided_at")),
            tasks=[_with_local_days(task) for task in WarningTask.objects.values(*TASK_FIELDS)],
            activities=list(PublicityActivity.objects.values("unit_id", "held_on", "reach", "voided_at")),
        )

    def subtree(self, unit_id: int) -> set[int]:
        """The unit and all units below it, found by following parent links (not paths)."""
        found = {unit_id}
        grew = True
        while grew:
            below = {u["id"] for u in self.units.values() if u["parent_id"] in found}
            grew = not below <= found
            found |= below
        return found

    def population(self, unit_id: int) -> int | None:
        """The unit's own resident figure, else the sum of its stations' (catalogue 口径)."""
        own = self.units[unit_id]["population"]
        if own:
            return own
        total = sum(
            self.units[u]["population"] or 0 for u in self.subtree(unit_id) if self.units[u]["level"] == "station"
        )
        return total or None

    def rows_at(self, units: frozenset[int]) -> tuple[list, list, list, list]:
        """The live records that sit at one of ``units``: cases, ledger events (at their
        case's station; a voided case takes its events with it), tasks, activities."""
        if units not in self._at:
            cases = [c for c in self.cases.values() if c["voided_at"] is None and c["station_id"] in units]
            events = [
                e for e in self.events
                if e["voided_at"] is None and self.cases[e["case_id"]]["voided_at"] is None
                and self.cases[e["case_id"]]["station_id"] in units
            ]  # fmt: skip
            tasks = [t for t in self.tasks if t["voided_at"] is None and t["station_id"] in units]
            activities = [a for a in self.activities if a["voided_at"] is None and a["unit_id"] in units]
            self._at[units] = (cases, events, tasks, activities)
        return self._at[units]

    def values(
        self, unit: Unit | int, start: dt.date, end: dt.date, *, now: dt.datetime, own_only: bool = False
    ) -> dict:
        """Every base metric (and the sums behind the mean times) of ``unit``'s subtree over
        the days ``start``..``end`` (both included). ``own_only``: only the records that sit
        at the unit itself, not those of the units below it."""
        unit_id = unit if isinstance(unit, int) else unit.pk
        cases, events, tasks, activities = self.rows_at(frozenset({unit_id} if own_only else self.subtree(unit_id)))
        v: dict = dict.fromkeys(ALL_KEYS, 0)
        for key in MONEY_KEYS:
            v[key] = Decimal("0.00")

        def inside(day: dt.date | None) -> bool:
            return day is not None and start <= day <= end

        # 警情数, 发案数, 损失金额, 预后被骗数: case rows by 受理日期.
        for case in cases:
            if inside(case["reported_on"]):
                v["reports"] += 1
                if case["filed"]:
                    v["cases"] += 1
                    v["loss"] += case["loss"]
                    v["warned_victims"] += case["warned_before"]

        # 破案数, 抓获人数, 冻结 / 追赃 / 返还金额: ledger events by their own date.
        for event in events:
            if not inside(event["occurred_on"]):
                continue
            if event["kind"] == "solved":
                v["solved"] += 1
            elif event["kind"] == "arrest":
                v["arrests"] += event["count"] or 0
            else:
                v[MONEY_EVENT_KEYS[event["kind"]]] += event["amount"] or 0

        # Warning tasks: received by 下发时间, signed by 签收时间, handled by 处置时间 (local days).
        instant = end_of_day(end) if end < local_day(now) else now
        for task in tasks:
            issued, signed, handled = task["issued_at"], task["acknowledged_at"], task["handled_at"]
            if inside(task["issued_day"]):
                v["warnings_received"] += 1
            if inside(task["signed_day"]):
                v["signed"] += 1
                v["signed_on_time"] += signed <= task["sign_deadline"]
                v["sign_seconds"] += whole_seconds(signed - issued)
            if inside(task["handled_day"]):
                v["warnings_handled"] += 1
                v["warnings_on_time"] += handled <= task["handle_deadline"]
                v["dissuaded"] += task["outcome"] == "dissuaded"
                v["handle_seconds"] += whole_seconds(handled - issued)
            v["warnings_overdue"] += is_overdue_at(task, instant)

        # 宣传活动数, 覆盖人数: activities by 活动日期, at the unit that held them.
        for activity in activities:
            if inside(activity["held_on"]):
                v["publicity_activities"] += 1
                v["publicity_reach"] += activity["reach"]
        return v


def is_overdue_at(task: dict, instant: dt.datetime) -> bool:
    """Open at ``instant`` and past a deadline: not yet handled, and either the handling
    deadline has passed, or it is not yet signed for and the signing deadline has passed."""
    handled, signed = task["handled_at"], task["acknowledged_at"]
    still_open = handled is None or handled >= instant
    unsigned = signed is None or signed >= instant
    return still_open and (task["handle_deadline"] < instant or (unsigned and task["sign_deadline"] < instant))


def derived(values: dict, population: int | None) -> dict[str, Fraction | None]:
    """The derived rates, exact (the engine shows them rounded to two decimals)."""

    def ratio(numerator, denominator, scale) -> Fraction | None:
        return None if not denominator else Fraction(numerator) * Fraction(scale) / Fraction(denominator)

    return {
        "on_time_rate": ratio(values["warnings_on_time"], values["warnings_handled"], 100),
        "dissuasion_rate": ratio(values["dissuaded"], values["warnings_handled"], 100),
        "warned_victim_rate": ratio(values["warned_victims"], values["warnings_received"], 100),
        "solve_rate": ratio(values["solved"], values["cases"], 100),
        "recovery_rate": ratio(values["recovered"], values["loss"], 100),
        "mean_sign_minutes": ratio(values["sign_seconds"], values["signed"], Fraction(1, 60)),
        "mean_handle_minutes": ratio(values["handle_seconds"], values["warnings_handled"], Fraction(1, 60)),
        "cases_per_10k": ratio(values["cases"], population, 10000),
        "loss_per_10k": ratio(values["loss"], population, 10000),
    }


def _exact(number) -> Fraction:
    # A float is read as the decimal it prints as (what a person sees), not its binary value.
    return Fraction(repr(number)) if isinstance(number, float) else Fraction(number)


def half_away_from_zero(number: Fraction, places: int) -> Fraction:
    scaled = abs(number) * 10**places
    rounded = math.floor(scaled + Fraction(1, 2))
    return Fraction(rounded if number >= 0 else -rounded, 10**places)


def change_pct(value, base) -> float | None:
    """DATA.md: (value − base) / base × 100, rounded half away from zero to one decimal;
    None when the base is 0."""
    value, base = _exact(value), _exact(base)
    if base == 0:
        return None
    return float(half_away_from_zero((value - base) * 100 / base, 1))


def shown(rate: Fraction | None) -> float | None:
    """A derived rate as the stats JSON shows it: half away from zero to two decimals."""
    return None if rate is None else float(half_away_from_zero(rate, 2))


# Periods (DOMAIN.md "Periods and comparisons"), restated without stats.periods.
CALENDAR_KINDS = {"xun", "month", "quarter", "year"}


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - ONE_DAY


def bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the period of ``kind`` that holds ``day``."""
    if kind == "day":
        return day, day
    if kind == "week":  # ISO: Monday to Sunday
        monday = day - dt.timedelta(days=day.isoweekday() - 1)
        return monday, monday + dt.timedelta(days=6)
    if kind == "xun":  # 1–10, 11–20, 21–end of month
        if day.day <= 10:
            return day.replace(day=1), day.replace(day=10)
        if day.day <= 20:
            return day.replace(day=11), day.replace(day=20)
        return day.replace(day=21), _month_end(day.year, day.month)
    if kind == "month":
        return day.replace(day=1), _month_end(day.year, day.month)
    if kind == "quarter":
        first = (day.month - 1) // 3 * 3 + 1
        return dt.date(day.year, first, 1), _month_end(day.year, first + 2)
    if kind == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if kind == "ytd":
        return dt.date(day.year, 1, 1), day
    raise ValueError(kind)


def year_earlier(day: dt.date) -> dt.date:
    """The same date a year earlier; 29 February becomes 28 February."""
    if day.month == 2 and day.day == 29:
        return dt.date(day.year - 1, 2, 28)
    return dt.date(day.year - 1, day.month, day.day)


def yoy_bounds(kind: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """同比: a whole 旬 / month / quarter / year compares with the same whole unit a year
    earlier; anything else with the same dates a year earlier."""
    if kind in CALENDAR_KINDS:
        return bounds(kind, year_earlier(start))
    return year_earlier(start), year_earlier(end)


def mom_bounds(kind: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """环比: the period just before; for year to date and a custom range, the equally long
    range just before."""
    if kind in ("ytd", "custom"):
        return start - (end - start) - ONE_DAY, start - ONE_DAY
    return bounds(kind, start - ONE_DAY)
