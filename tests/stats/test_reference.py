"""The statistics engine equals a naive reference computation over the raw records.

``tests/stats/reference.py`` recomputes every base metric of DATA.md from the raw rows
with plain loops. Here hypothesis writes random sequences of inserts, updates and voids —
cases, ledger events, warning tasks, publicity — with incremental refreshes in between,
on a clock that moves on two minutes a step (so a refresh does not simply re-read
everything through its overlap window). After every refresh the rollups equal a full
rebuild's and the reference over a period (of another kind each time); at the end, every
metric of every unit level over every period kind equals the reference, a parent equals
its children plus what sits at the parent itself, and the stats JSON's values, bases and
percentages are the reference's.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cases.models import CaseEvent, FraudCase, FraudType
from earlywarnings.models import TaskStatus, WarningTask
from earlywarnings.policy import deadlines_for
from earlywarnings.services import warning_acknowledge, warning_handle, warning_review, warning_transfer
from orgs.models import Unit
from publicity.models import PublicityActivity
from stats import compare
from stats.catalogue import derive
from stats.metrics import base_values, metrics
from stats.models import AreaFact, CaseFact, DayTotal, EventFact, Footprint, MonthTotal, PublicityFact, WarningFact
from stats.periods import Period, custom_period, period_for
from stats.refresh import rebuild, refresh
from tests.factories import WarningTaskFactory
from tests.stats import reference as ref
from tests.stats.reference import LOCAL, Records

# A moment after every period below: 超期未处置 then comes from the rollups (past periods).
AFTER_ALL = dt.datetime(2031, 1, 1, tzinfo=LOCAL)
KINDS = ("day", "week", "xun", "month", "quarter", "year", "ytd")
# Data falls in three windows: around 29 February 2024, New Year 2025 (a year, a quarter
# and an ISO week turn over), and the same late February a year after the first.
WINDOWS = (
    (dt.date(2024, 2, 20), dt.date(2024, 3, 5)),
    (dt.date(2024, 12, 27), dt.date(2025, 1, 5)),
    (dt.date(2025, 2, 20), dt.date(2025, 3, 5)),
)
# Where a period falls: on the day of a record (its 受理日期, an event's date, a moment of a
# task, a deadline…) picked by index when the check runs, or on these when there are none.
ANCHORS = (dt.date(2024, 2, 29), dt.date(2024, 12, 31), dt.date(2025, 1, 1), dt.date(2025, 3, 1))


@dataclass(frozen=True)
class PeriodSpec:
    """A period of ``kind`` on the ``at``-th day that holds a record (a custom range runs
    from that day to the ``to``-th)."""

    kind: str
    at: int
    to: int = 0

    def resolve(self, days: list[dt.date]) -> Period:
        day = days[self.at % len(days)]
        if self.kind == "custom":
            other = days[self.to % len(days)]
            return custom_period(min(day, other), max(day, other))
        return period_for(self.kind, day)


FOOTPRINT_DAYS = ("d1", "d2", "d3", "d4", "d5")
UNIT_CODES = ("C", "X", "Y", "XA", "XB", "YD")


# ---------------------------------------------------------------------------- comparing


def assert_engine_matches(records: Records, units: list[Unit], periods: list[Period], *, now: dt.datetime) -> None:
    """base_values of every unit over every period equals the reference; a parent equals the
    sum of its children plus the records that sit at the parent itself."""
    engine = {unit.pk: base_values(unit, periods, now=now) for unit in units}
    for unit in units:
        for period, got in zip(periods, engine[unit.pk], strict=True):
            want = records.values(unit, period.start, period.end, now=now)
            diff = {key: {"engine": got[key], "reference": want[key]} for key in ref.ALL_KEYS if got[key] != want[key]}
            assert not diff, f"{unit.code} {period.kind} {period.start}..{period.end}: {diff}"
    for parent in units:
        children = [u for u in units if u.parent_id == parent.pk]
        if not children:
            continue
        assert {c.pk for c in children} == set(parent.children.values_list("pk", flat=True))
        for i, period in enumerate(periods):
            own = records.values(parent, period.start, period.end, now=now, own_only=True)
            for key in ref.ALL_KEYS:
                total = sum((engine[c.pk][i][key] for c in children), own[key])
                assert engine[parent.pk][i][key] == total, f"{parent.code} {period} {key}: ≠ children + own"


def _json_number(key: str, value):
    return float(value) if key in ref.MONEY_KEYS else value


def assert_stats_json(records: Records, unit: Unit, period: Period, *, now: dt.datetime) -> None:
    """metrics(unit, period) is DATA.md's JSON with the reference's values, 同比 / 环比 bases
    and percentages (half away from zero, one decimal, null on a zero base)."""
    data = metrics(unit, period, now=now)
    assert json.loads(json.dumps(data)) == data
    kind, start, end = str(period.kind), period.start, period.end
    if kind == "ytd":
        assert start == dt.date(end.year, 1, 1)
    elif kind != "custom":
        assert ref.bounds(kind, start) == (start, end)
    yoy, mom = ref.yoy_bounds(kind, start, end), ref.mom_bounds(kind, start, end)
    assert data["unit"] == {"code": unit.code, "name": unit.name, "level": unit.level}
    assert {k: data["period"][k] for k in ("kind", "start", "end")} == {
        "kind": kind, "start": start.isoformat(), "end": end.isoformat()}  # fmt: skip
    assert data["yoy_period"] == {"start": yoy[0].isoformat(), "end": yoy[1].isoformat()}
    assert data["mom_period"] == {"start": mom[0].isoformat(), "end": mom[1].isoformat()}

    now_v, yoy_v, mom_v = (records.values(unit, a, b, now=now) for a, b in ((start, end), yoy, mom))
    for key in ref.BASE_KEYS:
        value, yoy_base, mom_base = now_v[key], yoy_v[key], mom_v[key]
        want = {
            "value": _json_number(key, value),
            "yoy_base": _json_number(key, yoy_base), "yoy_pct": ref.change_pct(value, yoy_base),
            "mom_base": _json_number(key, mom_base), "mom_pct": ref.change_pct(value, mom_base),
        }  # fmt: skip
        entry = data["metrics"][key]
        assert {k: entry[k] for k in want} == want, f"{unit.code} {kind} {start}..{end} {key}"
        assert isinstance(entry["value"], float if key in ref.MONEY_KEYS else int)
        if key in ref.MONEY_KEYS:
            assert round(entry["value"], 2) == entry["value"]

    # Derived rates: the exact reference ratio, shown half away from zero to two decimals;
    # their changes are those of the exact ratios.
    people = records.population(unit.pk)
    exact = [ref.derived(v, people) for v in (now_v, yoy_v, mom_v)]
    for key, rate in exact[0].items():
        yoy_rate, mom_rate = exact[1][key], exact[2][key]
        want = {
            "value": ref.shown(rate), "yoy_base": ref.shown(yoy_rate), "mom_base": ref.shown(mom_rate),
            "yoy_pct": None if rate is None or yoy_rate is None else ref.change_pct(rate, yoy_rate),
            "mom_pct": None if rate is None or mom_rate is None else ref.change_pct(rate, mom_rate),
        }  # fmt: skip
        entry = data["metrics"][key]
        assert {k: entry[k] for k in want} == want, f"{unit.code} {kind} {start}..{end} {key}"


def rollup_rows() -> dict[str, Counter]:
    """Every fact, subtree total and footprint row, without ids, as a multiset per table."""
    rows = {}
    for model in (CaseFact, AreaFact, EventFact, WarningFact, PublicityFact, DayTotal, MonthTotal):
        fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        rows[model.__name__] = Counter(model.objects.values_list(*fields))
    # Where each record counted (not the refresh's own bookkeeping).
    rows["Footprint"] = Counter(Footprint.objects.values_list("source", "record_id", "unit_id", *FOOTPRINT_DAYS))
    return rows


def assert_same_rows(incremental: dict[str, Counter], rebuilt: dict[str, Counter]) -> None:
    diff = {
        table: {"incremental only": list(incremental[table] - rows), "rebuild only": list(rows - incremental[table])}
        for table, rows in rebuilt.items()
        if rows != incremental[table]
    }
    assert not diff, f"a full rebuild differs from the incremental rollups: {diff}"


# ---------------------------------------------------------------------------- random edits


class World:
    """The records one example has written, the unit tree, and the clock it runs on."""

    STEP = dt.timedelta(minutes=2)

    def __init__(self, tree, periods: list[PeriodSpec]):
        self.periods = periods
        self.units = {u.code: u for u in (tree.city, tree.county_x, tree.county_y, tree.station_a, tree.station_b,
                                           tree.station_d)}  # fmt: skip
        assert tuple(self.units) == UNIT_CODES
        self.fraud_type = FraudType.objects.get(code="01")
        self.cases: list[int] = []
        self.events: list[int] = []
        self.tasks: list[int] = []
        self.activities: list[int] = []
        self.clock = dt.datetime(2025, 3, 10, 9, 0, tzinfo=LOCAL)
        self.serial = 0
        self.refreshes = 0

    def number(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial:06d}"

    def pick(self, model, ids: list[int], index: int):
        """The record at ``index`` (wrapping round) as stored now, or None: a live one only."""
        if not ids:
            return None
        record = model.objects.get(pk=ids[index % len(ids)])
        return None if record.voided_at is not None else record

    def void(self, record) -> None:
        record.voided_at = self.clock
        record.void_reason = "测试作废"
        record.save()

    def days(self, records: Records) -> list[dt.date]:
        """Every day a record counts on or could count on, in order."""
        days = set(ANCHORS)
        days |= {c["reported_on"] for c in records.cases.values()} | {e["occurred_on"] for e in records.events}
        days |= {a["held_on"] for a in records.activities}
        for task in records.tasks:
            days |= {task["issued_day"], task["signed_day"], task["handled_day"]}
            days |= {ref.local_day(task["sign_deadline"]), ref.local_day(task["handle_deadline"])}
        return sorted(days - {None})

    def check(self, specs: list[PeriodSpec]) -> None:
        """The engine equals the reference at every unit over these periods, and a full
        rebuild (tried in a savepoint, then undone) leaves every rollup row as it is."""
        records = Records.read()
        days = self.days(records)
        assert_engine_matches(records, list(self.units.values()), [s.resolve(days) for s in specs], now=AFTER_ALL)
        incremental = rollup_rows()
        with transaction.atomic():
            rebuild()
            assert_same_rows(incremental, rollup_rows())
            transaction.set_rollback(True)


def _at(day: dt.date, second: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL) + dt.timedelta(seconds=second)


def _opt(strategy):
    return st.none() | strategy


@dataclass(frozen=True)
class AddCase:
    station: str
    day: dt.date
    filed: bool
    loss: Decimal
    warned: bool

    def apply(self, world: World) -> None:
        case = FraudCase.objects.create(
            case_no=world.number("J"), reported_on=self.day, station=world.units[self.station],
            fraud_type=world.fraud_type, loss=self.loss, filed=self.filed, warned_before=self.warned,
        )  # fmt: skip
        world.cases.append(case.pk)


@dataclass(frozen=True)
class EditCase:
    case: int
    station: str | None = None
    day: dt.date | None = None
    filed: bool | None = None
    loss: Decimal | None = None
    warned: bool | None = None

    def apply(self, world: World) -> None:
        case = world.pick(FraudCase, world.cases, self.case)
        if case is None:
            return
        if self.station is not None:
            case.station = world.units[self.station]
        for name, value in (("reported_on", self.day), ("filed", self.filed), ("loss", self.loss),
                            ("warned_before", self.warned)):  # fmt: skip
            if value is not None:
                setattr(case, name, value)
        case.save()


@dataclass(frozen=True)
class VoidCase:
    case: int

    def apply(self, world: World) -> None:
        if (case := world.pick(FraudCase, world.cases, self.case)) is not None:
            world.void(case)


@dataclass(frozen=True)
class AddEvent:
    """A ledger event; a negative count or amount is a correction. 破案 once per case."""

    case: int
    kind: str
    day: dt.date
    count: int
    amount: Decimal

    def apply(self, world: World) -> None:
        case = world.pick(FraudCase, world.cases, self.case)
        if case is None or (self.kind == "solved" and case.solved_on is not None):
            return
        event = CaseEvent.objects.create(
            case=case, kind=self.kind, occurred_on=self.day,
            count=self.count if self.kind == "arrest" else None,
            amount=self.amount if self.kind in ("freeze", "recover", "return") else None,
        )  # fmt: skip
        if self.kind == "solved":
            case.solved_on = self.day
            case.save(update_fields=["solved_on", "updated_at"])
        world.events.append(event.pk)


@dataclass(frozen=True)
class RedateEvent:
    event: int
    day: dt.date

    def apply(self, world: World) -> None:
        event = world.pick(CaseEvent, world.events, self.event)
        if event is None or event.case.voided_at is not None:
            return
        event.occurred_on = self.day
        event.save()
        if event.kind == "solved":
            event.case.solved_on = self.day
            event.case.save(update_fields=["solved_on", "updated_at"])


@dataclass(frozen=True)
class VoidEvent:
    event: int

    def apply(self, world: World) -> None:
        event = world.pick(CaseEvent, world.events, self.event)
        if event is None or event.case.voided_at is not None:
            return
        world.void(event)
        if event.kind == "solved":
            event.case.solved_on = None
            event.case.save(update_fields=["solved_on", "updated_at"])


@dataclass(frozen=True)
class AddTask:
    station: str
    level: str
    day: dt.date
    second: int  # of the local day

    def apply(self, world: World) -> None:
        issued = _at(self.day, self.second)
        sign_deadline, handle_deadline = deadlines_for(self.level, issued)
        task = WarningTask.objects.create(
            task_no=world.number("YJ"), issued_at=issued, level=self.level, station=world.units[self.station],
            sign_deadline=sign_deadline, handle_deadline=handle_deadline,
        )  # fmt: skip
        world.tasks.append(task.pk)


@dataclass(frozen=True)
class Acknowledge:
    """签收 ``after`` seconds after issue (a pending task at a station)."""

    task: int
    after: int

    def apply(self, world: World) -> None:
        task = world.pick(WarningTask, world.tasks, self.task)
        if task is None or task.status != TaskStatus.PENDING or not task.station.is_station:
            return
        task.acknowledged_at = task.issued_at + dt.timedelta(seconds=self.after)
        task.status = TaskStatus.HANDLING
        task.save()


@dataclass(frozen=True)
class Handle:
    """处置 ``after`` seconds after issue (not before it was signed for)."""

    task: int
    after: int
    outcome: str

    def apply(self, world: World) -> None:
        task = world.pick(WarningTask, world.tasks, self.task)
        if task is None or task.status != TaskStatus.HANDLING:
            return
        task.handled_at = max(task.acknowledged_at, task.issued_at + dt.timedelta(seconds=self.after))
        task.outcome, task.method, task.status = self.outcome, "phone", TaskStatus.FEEDBACK
        task.save()


@dataclass(frozen=True)
class ReturnTask:
    """The county returns the feedback: handled_at cleared, back to 处置中 (the outcome stays)."""

    task: int

    def apply(self, world: World) -> None:
        task = world.pick(WarningTask, world.tasks, self.task)
        if task is None or task.status != TaskStatus.FEEDBACK:
            return
        task.handled_at, task.status = None, TaskStatus.HANDLING
        task.save()


@dataclass(frozen=True)
class MoveTask:
    """An open task is transferred (signed for again there); a handled one is corrected."""

    task: int
    unit: str

    def apply(self, world: World) -> None:
        task = world.pick(WarningTask, world.tasks, self.task)
        if task is None or task.station_id == world.units[self.unit].pk:
            return
        task.station = world.units[self.unit]
        if task.is_open:
            task.acknowledged_at, task.status = None, TaskStatus.PENDING
        task.save()


@dataclass(frozen=True)
class VoidTask:
    task: int

    def apply(self, world: World) -> None:
        if (task := world.pick(WarningTask, world.tasks, self.task)) is not None:
            world.void(task)


@dataclass(frozen=True)
class AddActivity:
    unit: str
    day: dt.date
    reach: int

    def apply(self, world: World) -> None:
        activity = PublicityActivity.objects.create(
            activity_no=world.number("P"), held_on=self.day, unit=world.units[self.unit], title="反诈宣传",
            form="community", reach=self.reach,
        )  # fmt: skip
        world.activities.append(activity.pk)


@dataclass(frozen=True)
class EditActivity:
    activity: int
    unit: str | None = None
    day: dt.date | None = None
    reach: int | None = None

    def apply(self, world: World) -> None:
        activity = world.pick(PublicityActivity, world.activities, self.activity)
        if activity is None:
            return
        if self.unit is not None:
            activity.unit = world.units[self.unit]
        if self.day is not None:
            activity.held_on = self.day
        if self.reach is not None:
            activity.reach = self.reach
        activity.save()


@dataclass(frozen=True)
class VoidActivity:
    activity: int

    def apply(self, world: World) -> None:
        if (activity := world.pick(PublicityActivity, world.activities, self.activity)) is not None:
            world.void(activity)


@dataclass(frozen=True)
class Refresh:
    """An incremental refresh; then the rollups must equal a full rebuild's, and the
    reference over one of the example's periods (of another kind each time)."""

    def apply(self, world: World) -> None:
        assert refresh().kind == "refresh"
        world.refreshes += 1
        world.check([world.periods[world.refreshes % len(world.periods)]])


PICK = st.integers(0, 40)
DAYS = st.one_of(*(st.dates(first, last) for first, last in WINDOWS))
STATIONS = st.sampled_from(("XA", "XB", "YD"))
CENTS = st.integers(0, 300_000_000).map(lambda cents: Decimal(cents).scaleb(-2))
# Seconds of a local day, with the edges: midnight, and 08:00 (midnight UTC).
SECOND_OF_DAY = st.integers(0, 86399) | st.sampled_from((0, 1, 28799, 28800, 85800, 86399))
# Seconds after issue, with the deadlines themselves (10 min to 3 days) hit exactly.
AFTER = st.integers(0, 4 * 86400) | st.sampled_from((600, 601, 3600, 7200, 7201, 14400, 86400, 259200, 259201))

SIGNED_CENTS = st.integers(-500_000, 5_000_000).filter(bool).map(lambda cents: Decimal(cents).scaleb(-2))

ADD_CASE = st.builds(AddCase, STATIONS, DAYS, st.booleans(), CENTS, st.booleans())
EVENT_KINDS = st.sampled_from(("solved", "arrest", "freeze", "recover", "return"))
ADD_EVENT = st.builds(AddEvent, PICK, EVENT_KINDS, DAYS, st.integers(-2, 5).filter(bool), SIGNED_CENTS)
ADD_TASK = st.builds(AddTask, STATIONS, st.sampled_from(("high", "medium", "low")), DAYS, SECOND_OF_DAY)
ADD_ACTIVITY = st.builds(AddActivity, st.sampled_from(UNIT_CODES), DAYS, st.integers(0, 50_000))
ADDS = st.one_of(ADD_CASE, ADD_EVENT, ADD_TASK, ADD_TASK, ADD_ACTIVITY)
STEPS = st.one_of(
    ADDS,
    st.builds(EditCase, PICK, _opt(STATIONS), _opt(DAYS), _opt(st.booleans()), _opt(CENTS), _opt(st.booleans())),
    st.builds(VoidCase, PICK),
    st.builds(RedateEvent, PICK, DAYS),
    st.builds(VoidEvent, PICK),
    st.builds(Acknowledge, PICK, AFTER),
    st.builds(Acknowledge, PICK, AFTER),
    st.builds(Handle, PICK, AFTER, st.sampled_from(("dissuaded", "defrauded", "unreachable"))),
    st.builds(Handle, PICK, AFTER, st.sampled_from(("dissuaded", "defrauded", "unreachable"))),
    st.builds(ReturnTask, PICK),
    st.builds(MoveTask, PICK, st.sampled_from(("X", "Y", "XA", "XB", "YD"))),
    st.builds(VoidTask, PICK),
    st.builds(EditActivity, PICK, _opt(st.sampled_from(UNIT_CODES)), _opt(DAYS), _opt(st.integers(0, 50_000))),
    st.builds(VoidActivity, PICK),
    st.just(Refresh()),
)
# Some records first (the first refresh ever, a full rebuild, has already run on none), then
# edits, voids and more records, with incremental refreshes in between.
SCENARIOS = st.tuples(st.lists(ADDS, min_size=4, max_size=12), st.lists(STEPS, min_size=5, max_size=35)).map(
    lambda parts: parts[0] + parts[1]
)
INDEX = st.integers(0, 200)
# One period of every kind; the first is also the one whose stats JSON is checked.
PERIOD_SPECS = (
    st.tuples(*(st.builds(PeriodSpec, st.just(kind), INDEX, INDEX) for kind in (*KINDS, "custom")))
    .map(list)
    .flatmap(st.permutations)
)

# REFERENCE_EXAMPLES=500 (say) runs a longer, non-deterministic hunt.
HUNT = int(os.getenv("REFERENCE_EXAMPLES", "0"))


def run(tree, steps: list, periods: list[PeriodSpec]) -> None:
    """Apply the steps on a clock of their own, in a savepoint that is rolled back after."""
    with transaction.atomic():
        world = World(tree, periods)
        with mock.patch("django.utils.timezone.now", lambda: world.clock):
            assert refresh().kind == "rebuild"  # the first refresh ever: every later one is incremental
            for step in steps:
                world.clock += World.STEP
                step.apply(world)
            world.clock += World.STEP
            assert refresh().kind == "refresh"
            world.check(periods)  # every period kind, at every unit
            records = Records.read()
            for unit in (world.units["C"], world.units["X"], world.units["XA"]):  # each level
                assert_stats_json(records, unit, periods[0].resolve(world.days(records)), now=AFTER_ALL)
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(
    max_examples=HUNT or 20, deadline=None, derandomize=not HUNT, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
@given(steps=SCENARIOS, periods=PERIOD_SPECS)
@example(  # a task's whole life across two stations and the county, refreshed at each turn
    steps=[
        AddTask("XA", "high", dt.date(2024, 2, 28), 85800), Refresh(),
        Acknowledge(0, 600), Handle(0, 7201, "dissuaded"), Refresh(),
        ReturnTask(0), Refresh(), MoveTask(0, "X"), Refresh(), MoveTask(0, "XB"), Acknowledge(0, 86400), Refresh(),
        Handle(0, 259200, "unreachable"), MoveTask(0, "YD"), Refresh(), VoidTask(0), Refresh(),
    ],
    periods=[PeriodSpec("day", 2), *(PeriodSpec(kind, 3, 1) for kind in (*KINDS[1:], "custom"))],
)  # fmt: skip
@example(  # a case with its ledger moves station and date, loses its 破案, then is voided
    steps=[
        AddCase("XA", dt.date(2024, 12, 31), True, Decimal("1000.50"), True),
        AddEvent(0, "solved", dt.date(2025, 1, 2), 1, Decimal("1")),
        AddEvent(0, "recover", dt.date(2025, 1, 3), 1, Decimal("300.25")),
        AddEvent(0, "recover", dt.date(2025, 1, 4), 1, Decimal("-100.25")), Refresh(),
        EditCase(0, station="YD", day=dt.date(2025, 1, 1)), Refresh(), VoidEvent(0), Refresh(),
        RedateEvent(1, dt.date(2025, 2, 28)), Refresh(), VoidCase(0), Refresh(),
    ],
    periods=[PeriodSpec("year", 0), *(PeriodSpec(kind, 4, 0) for kind in (*KINDS[:5], KINDS[6], "custom"))],
)  # fmt: skip
def test_rollups_equal_the_reference_through_random_edits_and_refreshes(tree, steps, periods):
    run(tree, steps, periods)


# ---------------------------------------------------------------------------- live overdue


@pytest.mark.django_db
def test_overdue_now_counts_the_open_tasks_past_a_deadline_at_this_moment(tree):
    """A period that has not ended counts 超期未处置 at ``now`` from the raw tasks; one that
    ended yesterday counts them at the end of yesterday."""
    now = dt.datetime(2026, 5, 20, 15, 0, tzinfo=LOCAL)

    def issue(station, level, minutes_ago):
        return WarningTaskFactory(station=station, level=level, issued_at=now - dt.timedelta(minutes=minutes_ago))

    a, b = tree.station_a, tree.station_b
    issue(a, "high", 180)  # never signed: past both deadlines — overdue
    issue(a, "medium", 30)  # within its hour to sign — not overdue
    issue(a, "medium", 120)  # not signed within the hour — overdue
    signed = issue(a, "low", 300)
    warning_acknowledge(task=signed, user=tree.officer_a, at=now - dt.timedelta(minutes=290))  # in time — not overdue
    done = issue(a, "high", 180)
    warning_acknowledge(task=done, user=tree.officer_a, at=now - dt.timedelta(minutes=175))
    warning_handle(task=done, user=tree.officer_a, outcome="dissuaded", method="phone", note="已劝阻",
                   at=now - dt.timedelta(minutes=100))  # handled — not overdue  # fmt: skip
    returned = issue(a, "high", 240)
    warning_acknowledge(task=returned, user=tree.officer_a, at=now - dt.timedelta(minutes=235))
    warning_handle(task=returned, user=tree.officer_a, outcome="dissuaded", method="phone", note="已劝阻",
                   at=now - dt.timedelta(minutes=200))  # fmt: skip
    warning_review(task=returned, user=tree.reviewer_x, accept=False, reason="反馈不实",
                   at=now - dt.timedelta(minutes=150))  # returned, past its two hours — overdue  # fmt: skip
    moved = issue(b, "high", 200)
    warning_transfer(task=moved, user=tree.reviewer_x, to_unit=tree.county_x, reason="非本辖区",
                     at=now - dt.timedelta(minutes=190))  # at the county now — overdue there  # fmt: skip
    late = issue(tree.station_d, "low", 3 * 24 * 60 + 60)
    late = warning_acknowledge(task=late, user=tree.leader, at=late.issued_at + dt.timedelta(minutes=10))
    # ↑ signed in time, three days to handle, an hour past that now — overdue now, not yesterday
    late_day = issue(tree.station_d, "high", 15 * 60 + 30)  # yesterday 23:30, unsigned at 23:40 — overdue since
    voided = issue(a, "high", 300)
    voided.voided_at = now - dt.timedelta(minutes=10)
    voided.save()
    refresh()

    today, yesterday = now.date(), now.date() - dt.timedelta(days=1)
    periods = [period_for("day", today), period_for("month", today), period_for("ytd", today),
               period_for("day", yesterday)]  # fmt: skip
    expected = {  # today's periods (at now), then yesterday's (at its end)
        tree.station_a: (3, 0), tree.station_b: (0, 0), tree.county_x: (4, 0), tree.station_d: (2, 1),
        tree.county_y: (2, 1), tree.city: (6, 1),
    }  # fmt: skip
    assert late_day.issued_at.astimezone(LOCAL).date() == yesterday and late.is_overdue(now)
    records = Records.read()
    for unit, (at_now, at_yesterday_end) in expected.items():
        got = [v["warnings_overdue"] for v in base_values(unit, periods, now=now)]
        assert got == [at_now, at_now, at_now, at_yesterday_end], unit.code
        assert got == [records.values(unit, p.start, p.end, now=now)["warnings_overdue"] for p in periods]


# ---------------------------------------------------------------------------- percentages


@given(
    value=st.integers(-10**6, 10**6) | st.decimals(-10**9, 10**9, places=2),
    base=st.integers(-10**6, 10**6) | st.decimals(-10**9, 10**9, places=2),
)  # fmt: skip
def test_change_pct_is_datas_rounding_half_away_from_zero_to_one_decimal(value, base):
    assert compare.change_pct(value, base) == ref.change_pct(value, base)


@pytest.mark.parametrize(
    ("value", "base", "pct"),
    [(59, 65, -9.2), (18, 12, 50.0), (401, 400, 0.3), (399, 400, -0.3), (1, 8, -87.5), (7, 0, None), (0, 0, None),
     (0, 5, -100.0), (Decimal("100.05"), Decimal("100.00"), 0.1), (Decimal("99.95"), Decimal("100.00"), -0.1),
     (1201, 800, 50.1), (-3, 2, -250.0)],
)  # fmt: skip
def test_change_pct_examples(value, base, pct):
    assert compare.change_pct(value, base) == ref.change_pct(value, base) == pct


def test_a_rate_per_resident_changes_exactly_as_its_count_does():
    """Over one population, 万人发案率 moves by exactly the 发案数 change: 17 cases against 16
    is +6.25%, shown +6.3% (found on the demo data: the city's week of 23 February 2026)."""
    rate, base = (derive({"cases": n}, population=1_604_825)["cases_per_10k"] for n in (17, 16))
    assert compare.change_pct(17, 16) == ref.change_pct(17, 16) == 6.3
    assert compare.change_pct(rate, base) == 6.3
