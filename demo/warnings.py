"""The demo city's early-warning tasks: three years of history and a live queue today.

- Volume: about thirteen tasks for every case (the platforms warn far more people than
  are defrauded), ~25,000 a year across the city, growing a little each year as the
  platforms cover more; the same seasons as the cases.
- Risk levels about 15% 高, 45% 中, 40% 低; mostly 电话预警, 资金预警 and APP预警.
- Most tasks are signed for within minutes and handled well inside their deadline; a few
  percent are late. Outcomes are mostly 劝阻成功, some 无法联系, a few 非本辖区; 已被骗
  only for the one task behind each demo case marked 预警后被骗, linked to it.
- Today every station has open work: a task or two just in, one or two signed for and
  being worked (with a logged call), and in each county one task past its deadline.

History comes from a generator seeded by (seed, day) and goes through the intake's own
resolve-and-write path, like ``demo.records``; a task whose handling lies after ``now`` is
written as far as it has got, and a later run moves it on. Today's live tasks are derived
from (seed, today): a second run the same day finds them and adds nothing; the next day's
run closes whatever is still open of them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cases.models import FraudCase
from demo.city import GIVEN_NAMES, SURNAMES
from demo.records import MONTH_FACTOR, StationInfo, _poisson, _stations, demo_years
from earlywarnings.models import OPEN_STATUSES, Outcome, TaskStatus, WarningTask
from earlywarnings.policy import DEFAULT_DEADLINES
from earlywarnings.services import warning_acknowledge, warning_attempt_add, warning_handle, warning_review
from earlywarnings.validators import id_check_digit
from imports import bulk
from imports.kinds.base import Context, Row, WriteResult
from imports.kinds.warnings import WarningsKind
from imports.parsers import SHANGHAI
from orgs.models import User
from orgs.roles import Role

# Tasks a day per 100,000 residents in the first year, and the growth each year after.
WARNING_RATE = 3.8
YEARLY_GROWTH = 0.06
LEVELS = {"high": 0.15, "medium": 0.45, "low": 0.40}
KINDS = {"phone": 0.42, "fund": 0.24, "app": 0.20, "sms": 0.07, "url": 0.05, "other": 0.02}
SOURCES = {"national": 0.55, "province": 0.30, "city": 0.15}
# Fraud type code: weight among warnings (the MPS mix, 刷单返利 first).
FRAUD_TYPES = {"01": 0.30, "02": 0.14, "03": 0.10, "04": 0.11, "05": 0.05, "06": 0.07, "07": 0.07, "08": 0.06,
               "09": 0.04, "10": 0.04, "99": 0.02}  # fmt: skip
# 已被骗 comes only from the tasks linked to the demo cases of people defrauded after a
# warning (预后被骗), so every such task has its case.
OUTCOMES = {"dissuaded": 0.825, "unreachable": 0.145, "not_ours": 0.03}
METHODS = {"phone": 0.68, "visit": 0.22, "sms": 0.10}
# Minutes from signing to handling, as a log-normal (median, spread) per level.
HANDLING_MINUTES = {"high": (35, 0.6), "medium": (240, 0.9), "low": (900, 0.9)}
LATE_SHARE = 0.03
NAME_STYLES = ("某", "先生", "女士", "given", "given")
# Today's live queue, per station: (minutes ago issued, level, state) is drawn from these.
LIVE_PENDING = (1, 3)  # how many just in, not yet signed for
LIVE_HANDLING = (1, 2)  # how many signed for, with a call logged
ATTEMPT_NOTES = ("电话未接通，稍后再拨", "已电话联系，对象情绪稳定，正在核实转账情况", "已发送预警短信，等待回复",
                 "对象称正在操作“刷单”，已劝其停止，民警正赶往现场")  # fmt: skip


@dataclass
class WarningsReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0  # tasks linked to the demo case of a person defrauded after the warning
    live_created: int = 0  # today's open tasks added by this run
    open_today: int = 0  # tasks open now, across the city


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys, cumulative = _CUMULATIVE.get(id(weights)) or _CUMULATIVE.setdefault(
        id(weights), (list(weights), list(itertools.accumulate(weights.values())))
    )
    return rng.choices(keys, cum_weights=cumulative)[0]


_CUMULATIVE: dict[int, tuple[list[str], list[float]]] = {}


def _person(rng: random.Random, county_code6: str, day: dt.date) -> dict:
    surname = rng.choice(SURNAMES)
    style = rng.choice(NAME_STYLES)
    name = surname + (rng.choice(GIVEN_NAMES) if style == "given" else style)
    born = day - dt.timedelta(days=rng.randint(16 * 365, 80 * 365))
    first17 = f"{county_code6}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    phone = f"1{rng.choice('358')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"
    return {"subject_name": name, "subject_phone": phone, "subject_id_no": first17 + id_check_digit(first17)}


def _at(day: dt.date, minute_of_day: float) -> dt.datetime:
    midnight = dt.datetime.combine(day, dt.time(), SHANGHAI)
    return midnight + dt.timedelta(minutes=round(minute_of_day))


def _whole_second(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=0)


def _issue_minute(rng: random.Random) -> float:
    """Warnings follow people's day: few at night, most from 9:00 to 22:00."""
    if rng.random() < 0.08:
        return rng.uniform(0, 8 * 60)
    return rng.uniform(8 * 60, 23 * 60)


def _task(rng: random.Random, *, task_no: str, station: StationInfo, issued_at: dt.datetime, now: dt.datetime,
          outcome: str | None = None) -> dict:  # fmt: skip
    """One task with its whole history, cut off at ``now`` (what has not happened yet is left out)."""
    level = _pick(rng, LEVELS)
    kind = _pick(rng, KINDS)
    source = "bank" if kind == "fund" and rng.random() < 0.6 else _pick(rng, SOURCES)
    sign_limit, handle_limit = DEFAULT_DEADLINES[level]
    late = rng.random() < LATE_SHARE
    sign_minutes = min(rng.expovariate(1 / 3) + 0.5, sign_limit * 0.9)
    if late and rng.random() < 0.5:
        sign_minutes = sign_limit * rng.uniform(1.1, 2.0)
    signed = _whole_second(issued_at + dt.timedelta(minutes=sign_minutes))
    median, spread = HANDLING_MINUTES[level]
    minutes = min(rng.lognormvariate(math.log(median), spread), handle_limit * 0.95)
    if late:
        minutes = handle_limit * rng.uniform(1.05, 1.6)
    handled = _whole_second(max(signed + dt.timedelta(minutes=2), issued_at + dt.timedelta(minutes=minutes)))
    outcome = outcome or _pick(rng, OUTCOMES)
    method = "phone" if outcome == "unreachable" and rng.random() < 0.8 else _pick(rng, METHODS)
    saved = None
    if outcome == "dissuaded" and kind == "fund" and rng.random() < 0.5:
        saved = Decimal(f"{min(rng.lognormvariate(math.log(20000), 1.1), 2_000_000):.2f}")
    values = {
        "task_no": task_no, "issued_at": issued_at, "level": level, "kind": kind, "source": source,
        "station": station.code, **_person(rng, station.code[:6], issued_at.date()),
        "fraud_type": _pick(rng, FRAUD_TYPES) if rng.random() < 0.7 else None,
        "acknowledged_at": None, "handled_at": None, "method": None, "outcome": None, "loss_prevented": None,
    }  # fmt: skip
    if signed <= now:
        values["acknowledged_at"] = signed
    if handled <= now:
        values.update(handled_at=handled, method=method, outcome=outcome, loss_prevented=saved)
    return values


def _day_rows(seed: int, day: dt.date, stations: list[StationInfo], start_year: int, now: dt.datetime):
    rng = random.Random(f"{seed}:warnings:{day.isoformat()}")
    years = day.year - start_year + day.timetuple().tm_yday / 366
    festival = 0.6 if day.month == 2 and day.day <= 10 else 1.0
    for station in stations:
        mean = WARNING_RATE * station.population / 100_000 * MONTH_FACTOR[day.month] * festival
        mean *= (1 + YEARLY_GROWTH) ** years
        for seq in range(1, _poisson(rng, mean) + 1):
            issued_at = _at(day, _issue_minute(rng))
            if issued_at > now:
                continue
            yield _task(rng, task_no=f"YJ{station.code}{day:%Y%m%d}{seq:03d}", station=station,
                        issued_at=issued_at, now=now)  # fmt: skip


def _warned_victim_rows(seed: int, start: dt.date, stations: list[StationInfo], now: dt.datetime):
    """A task for each demo case of a person defrauded after a warning (预后被骗): issued
    the day before the report or that morning, handled as 已被骗."""
    by_code = {s.code: s for s in stations}
    cases = FraudCase.objects.filter(
        warned_before=True, reported_on__gte=start, station__code__in=by_code, case_no__startswith="A"
    )  # the demo's own cases (demo.records numbers them A…)
    for case_no, station_code, reported_on in cases.values_list("case_no", "station__code", "reported_on"):
        rng = random.Random(f"{seed}:warned:{case_no}")
        day = reported_on - dt.timedelta(days=rng.choice((0, 1, 1, 2)))
        issued_at = _at(day, rng.uniform(8 * 60, 11 * 60))
        if issued_at > now:
            continue
        yield _task(rng, task_no=f"YJ{case_no}", station=by_code[station_code], issued_at=issued_at, now=now,
                    outcome=Outcome.DEFRAUDED)  # fmt: skip


def _live_rows(seed: int, today: dt.date, stations: list[StationInfo], now: dt.datetime):
    """Today's open queue: (values, officer action) per task; the action is None (pending),
    or the minutes after issue at which the station signed for it and logged a call."""
    rng = random.Random(f"{seed}:live:{today.isoformat()}")
    by_county: dict[str, list[StationInfo]] = {}
    for station in stations:
        by_county.setdefault(station.code[:6], []).append(station)
    late_station = {rng.choice(members).code for members in by_county.values()}
    for station in stations:
        plan = [("pending", rng.uniform(1, 8)) for _ in range(rng.randint(*LIVE_PENDING))]
        plan += [("handling", rng.uniform(20, 200)) for _ in range(rng.randint(*LIVE_HANDLING))]
        if station.code in late_station:
            plan.append(rng.choice((("late_pending", rng.uniform(15, 45)), ("late_handling", rng.uniform(150, 300)))))
        for seq, (state, minutes_ago) in enumerate(plan, start=1):
            issued_at = (now - dt.timedelta(minutes=minutes_ago)).replace(microsecond=0)
            values = _task(rng, task_no=f"YJL{today:%Y%m%d}{station.code}{seq:02d}", station=station,
                           issued_at=issued_at, now=issued_at)  # fmt: skip
            if state == "late_pending":
                values["level"] = "high"  # ten minutes to sign: long gone
            elif state == "late_handling":
                values["level"] = "high"  # two hours to handle: gone too
            else:  # not overdue yet
                values["level"] = rng.choice(("medium", "low", "low"))
            signed_after = None if state.endswith("pending") else rng.uniform(1, 6)
            yield values, signed_after, rng.choice(ATTEMPT_NOTES)


def _stale_live_rows(seed: int, today: dt.date, now: dt.datetime):
    """Live tasks of earlier days still open: the station finished them since."""
    stale = (
        WarningTask.objects.live()
        .filter(task_no__startswith="YJL", status__in=OPEN_STATUSES)
        .exclude(task_no__startswith=f"YJL{today:%Y%m%d}")
        .select_related("station", "fraud_type")
    )
    for task in stale:
        rng = random.Random(f"{seed}:close:{task.task_no}")
        signed = task.acknowledged_at or min(
            _whole_second(task.issued_at + dt.timedelta(minutes=rng.uniform(1, 8))), now
        )
        handled = max(signed, min(_whole_second(signed + dt.timedelta(minutes=rng.uniform(10, 240))), now))
        yield {
            "task_no": task.task_no, "issued_at": task.issued_at, "level": task.level, "kind": task.kind,
            "source": task.source, "station": task.station.code, "subject_name": task.subject_name,
            "subject_phone": task.subject_phone, "subject_id_no": task.subject_id_no,
            "fraud_type": task.fraud_type.code if task.fraud_type else None, "acknowledged_at": signed,
            "handled_at": handled, "method": _pick(rng, METHODS), "outcome": _pick(rng, OUTCOMES),
            "loss_prevented": None,
        }  # fmt: skip


def demo_warnings_seed(*, seed: int, now: dt.datetime, start: dt.date | None = None) -> WarningsReport:
    """Write the demo city's warning tasks from ``start`` (default: three years back, as the
    cases) up to ``now``, and today's live queue. Run after ``demo_records_seed``."""
    today = timezone.localdate(now)
    first, yesterday = demo_years(today)
    start = start or first
    stations = _stations()
    report = WarningsReport()
    with transaction.atomic():
        # A year at a time through the intake: the same writes, a quarter of the memory.
        for year in range(start.year, yesterday.year + 1):
            rows, day = [], max(start, dt.date(year, 1, 1))
            while day <= min(yesterday, dt.date(year, 12, 31)):
                rows.extend(_day_rows(seed, day, stations, first.year, now))
                day += dt.timedelta(days=1)
            _count(report, _through_intake(rows))
        _count(report, _through_intake([*_warned_victim_rows(seed, start, stations, now),
                                        *_stale_live_rows(seed, today, now)]))  # fmt: skip
        _accept_stale_feedback(today, now)
        report.linked = _link_warned_victims()
        report.live_created = _live_queue_seed(seed, today, stations, now)
    report.open_today = WarningTask.objects.live().open().count()
    return report


def _accept_stale_feedback(today: dt.date, now: dt.datetime) -> None:
    """Feedback left waiting by an earlier day's live queue: its county accepted it since."""
    stale = (
        WarningTask.objects.live()
        .filter(task_no__startswith="YJL", status=TaskStatus.FEEDBACK)
        .exclude(task_no__startswith=f"YJL{today:%Y%m%d}")
        .select_related("station")
    )
    reviewers = {}
    for user in User.objects.filter(role=Role.REVIEWER).order_by("pk"):
        reviewers.setdefault(user.unit_id, user)
    for task in stale:
        county = task.station.parent_id if task.station.is_station else task.station_id
        warning_review(task=task, user=reviewers.get(county), accept=True,
                       at=min(task.handled_at + dt.timedelta(hours=1), now))  # fmt: skip


def _count(report: WarningsReport, result) -> None:
    report.created += result.created
    report.updated += result.updated
    report.unchanged += result.unchanged


def _through_intake(values: list[dict]):
    """Resolve and write rows as the import engine does after parsing a file."""
    if not values:
        return WriteResult()
    kind = WarningsKind()
    rows = [Row(number=i, values=dict(v), raw={}) for i, v in enumerate(values, start=2)]
    ctx = Context(user=None, progress=lambda *args: None, present={c.key for c in kind.columns})
    kind.resolve(rows, ctx)
    bad = [row for row in rows if row.errors]
    if bad:
        raise ValueError(f"demo data refused by the intake: row {bad[0].number}: {bad[0].errors}")
    return kind.write(rows, ctx)


def _link_warned_victims() -> int:
    """Link each 预后被骗 task to its case (the intake's format has no case column)."""
    tasks = list(WarningTask.objects.filter(task_no__startswith="YJA", outcome=Outcome.DEFRAUDED, case__isnull=True))
    cases = {c.case_no: c for c in FraudCase.objects.filter(case_no__in=[t.task_no[2:] for t in tasks])}
    linked = []
    for task in tasks:
        case = cases.get(task.task_no[2:])
        if case is not None:
            task.case_id, task.loss = case.pk, case.loss
            linked.append(task)
    bulk.update(WarningTask, linked, ["case", "loss"], user=None)
    return len(linked)


def _live_queue_seed(seed: int, today: dt.date, stations: list[StationInfo], now: dt.datetime) -> int:
    """Today's open tasks in every station, once a day: existing ones are left as they are."""
    planned = list(_live_rows(seed, today, stations, now))
    stored = set(WarningTask.objects.filter(task_no__in=[v["task_no"] for v, _, _ in planned])
                 .values_list("task_no", flat=True))  # fmt: skip
    new = [(values, signed_after, note) for values, signed_after, note in planned if values["task_no"] not in stored]
    if not new:
        return 0
    _through_intake([values for values, _, _ in new])
    officers = {}
    users = User.objects.filter(role=Role.OFFICER, unit__code__in=[s.code for s in stations]).select_related("unit")
    for user in users.order_by("pk"):
        officers.setdefault(user.unit.code, user)
    tasks = WarningTask.objects.select_related("station").in_bulk([v["task_no"] for v, _, _ in new],
                                                                   field_name="task_no")  # fmt: skip
    fed_back: set[str] = set()  # counties with a feedback waiting for their reviewer
    for values, signed_after, note in new:
        if signed_after is None:
            continue
        task, officer = tasks[values["task_no"]], officers.get(values["station"])
        signed = _whole_second(task.issued_at + dt.timedelta(minutes=signed_after))
        task = warning_acknowledge(task=task, user=officer, at=signed)
        called = signed + dt.timedelta(minutes=2)
        warning_attempt_add(task=task, user=officer, method="phone", note=note, at=called)
        county = task.station.parent_id
        if county not in fed_back and called + dt.timedelta(minutes=10) < now:
            # One handled task per county waits for review, so a reviewer's desk is not empty.
            fed_back.add(county)
            warning_handle(task=task, user=officer, outcome=Outcome.DISSUADED, method="phone",
                           note="已电话劝阻，对方表示不再转账。", at=called + dt.timedelta(minutes=10))  # fmt: skip
    return len(new)
