"""Overdue warning tasks climb the tree (超期升级).

When a task misses its sign deadline (still 待签收) or its handling deadline (still open),
each step of ``settings.ESCALATION_MINUTES`` fires once its delay after the deadline has
passed: the station's officers at the deadline, the county's reviewers after 30 minutes,
the city's leaders and analysts after two hours (the defaults). A task sitting at a
county (taken back to re-dispatch) has no officers: its station step goes to the
county's reviewers, who hold it.

Each (task, deadline, step) fires once: ``Escalation`` is unique on it, and the notified
people get one notification per key. A task that misses its sign deadline and later its
handling deadline escalates for both; a task returned by the county after its handling
deadline escalates on that deadline, still once per step; a task handled in time never
appears. A transferred task keeps its deadlines, so steps that fired before the
transfer do not fire again at the new station.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from earlywarnings.models import DeadlineKind, Escalation, EscalationStep, RiskLevel, TaskStatus, WarningTask
from orgs.models import PATH_SEPARATOR, Unit, UnitLevel, User
from orgs.notifications import Message, notify_many
from orgs.roles import Role

# Who hears at each step, by role, in the unit of that step.
STEP_ROLES = {
    EscalationStep.STATION: (Role.OFFICER,),
    EscalationStep.COUNTY: (Role.REVIEWER,),
    EscalationStep.CITY: (Role.LEADER, Role.ANALYST),
}

# Only tasks whose handling deadline passed less than (the last step's delay + this)
# ago are looked at: with beat running every two minutes every step of an older task has
# fired long ago. This keeps the scan on a short range of the handle_deadline index
# instead of years of closed tasks, and still catches up after a weekend without beat.
CATCH_UP = dt.timedelta(days=3)

ACTION = {DeadlineKind.SIGN: "签收", DeadlineKind.HANDLE: "处置"}


def task_url(task_id: int) -> str:
    try:
        return reverse("warning_detail", args=[task_id])
    except NoReverseMatch:  # the task pages are not installed
        return f"/warnings/{task_id}/"


def step_delays() -> list[tuple[str, dt.timedelta]]:
    return [(step, dt.timedelta(minutes=settings.ESCALATION_MINUTES[step])) for step in EscalationStep.values]


@transaction.atomic
def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Fire every escalation step that is due and has not fired; returns how many fired.

    A handful of queries whatever the number of tasks: the overdue tasks (locked, so a
    second worker running at the same moment skips them instead of notifying twice —
    on SQLite the whole transaction is serialized instead), the steps already fired,
    the counties and cities above them, their people, and two bulk inserts."""
    now = now or timezone.now()
    delays = step_delays()
    horizon = now - max(delay for _, delay in delays) - CATCH_UP
    tasks = list(
        WarningTask.objects.live()
        .overdue(now)
        .filter(handle_deadline__gte=horizon)
        .select_related("station")
        .select_for_update(skip_locked=True, of=("self",))
    )
    if not tasks:
        return 0
    fired = set(Escalation.objects.filter(task__in=tasks).values_list("task_id", "deadline", "step"))
    due = []  # (task, deadline kind, deadline, step)
    for task in tasks:
        for kind, deadline in _missed_deadlines(task, now):
            due.extend(
                (task, kind, deadline, step)
                for step, delay in delays
                if deadline + delay <= now and (task.pk, kind, step) not in fired
            )
    if not due:
        return 0

    above = _units_above({task for task, *_ in due})
    people = _people({unit.pk for units in above.values() for unit in units.values()})
    escalations, messages = [], []
    for task, kind, deadline, step in due:
        unit = above[task.pk].get(step)
        if unit is None:
            continue  # a tree without a county or city: nobody to climb to
        roles = (Role.REVIEWER,) if step == EscalationStep.STATION and not unit.is_station else STEP_ROLES[step]
        users = tuple(user for role in roles for user in people[unit.pk, role])
        escalations.append(Escalation(task=task, deadline=kind, step=step, unit=unit, notified=len(users)))
        messages.append(_message(task, kind, deadline, step, users, now))
    Escalation.objects.bulk_create(escalations, ignore_conflicts=True)
    notify_many(messages)
    return len(escalations)


def _missed_deadlines(task: WarningTask, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    missed = []
    if task.status == TaskStatus.PENDING and task.sign_deadline < now:
        missed.append((DeadlineKind.SIGN, task.sign_deadline))
    if task.handle_deadline < now:
        missed.append((DeadlineKind.HANDLE, task.handle_deadline))
    return missed


def _units_above(tasks: set[WarningTask]) -> dict[int, dict[str, Unit]]:
    """For each task: the unit of each step — where it sits, its county, its city —
    read from the units' materialized paths in one query."""
    codes = {code for task in tasks for code in task.station.path.rstrip(PATH_SEPARATOR).split(PATH_SEPARATOR)}
    by_code = {u.code: u for u in Unit.objects.filter(code__in=codes, level__in=(UnitLevel.COUNTY, UnitLevel.CITY))}
    above = {}
    for task in tasks:
        chain = [by_code[c] for c in task.station.path.rstrip(PATH_SEPARATOR).split(PATH_SEPARATOR) if c in by_code]
        units = {EscalationStep.STATION: task.station}
        for level, step in ((UnitLevel.COUNTY, EscalationStep.COUNTY), (UnitLevel.CITY, EscalationStep.CITY)):
            nearest = [u for u in chain if u.level == level]
            if nearest:
                units[step] = nearest[-1]
        above[task.pk] = units
    return above


def _people(unit_ids: set[int]) -> dict[tuple[int, str], list[User]]:
    roles = {role for step_roles in STEP_ROLES.values() for role in step_roles}
    people = defaultdict(list)
    for user in User.objects.filter(is_active=True, unit_id__in=unit_ids, role__in=roles).order_by("pk"):
        people[user.unit_id, user.role].append(user)
    return people


def _message(task: WarningTask, kind: str, deadline: dt.datetime, step: str, users: tuple[User, ...],
             now: dt.datetime) -> Message:  # fmt: skip
    """Task number, level and station only: never the person at risk."""
    action = ACTION[kind]
    late = int((now - deadline).total_seconds() // 60)
    body = f"{action}时限 {timezone.localtime(deadline):%Y-%m-%d %H:%M}，已超期 {late} 分钟。"
    if step == EscalationStep.STATION:
        body += f"请立即{action}。"
    else:
        body += f"已升级至{EscalationStep(step).label}，请督促{task.station.name}{action}。"
    return Message(
        users=users,
        key=f"escalation:{task.pk}:{kind}:{step}",
        title=f"预警任务超期未{action}：{task.task_no}（{RiskLevel(task.level).label}风险，{task.station.name}）",
        body=body,
        url=task_url(task.pk),
    )
