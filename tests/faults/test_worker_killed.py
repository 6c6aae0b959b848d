"""A Celery worker killed in the middle of drafting bulletins: once the task runs again,
every bulletin exists exactly once — none lost, none twice, those written before the kill
untouched.

The kill lands at the same point every time: before the task starts, the test holds a
lock the run's fourth bulletin needs. The worker drafts three bulletins (each committed on
its own), builds the fourth and waits on the lock; the test sees the wait in
pg_stat_activity and kills the worker there. Two places to be killed, two outcomes:

- in the INSERT (another transaction holds the same unit, kind and period, uncommitted):
  the insert dies with the worker's connection and the next run drafts the bulletin;
- in the COMMIT (the unit's row is locked; Django's foreign keys are checked at commit):
  the commit was already sent, so it lands after the worker is dead, and the next run
  finds the bulletin and leaves it alone.
"""

import os
import signal

import pytest
from django.conf import settings
from django.utils import timezone

from bulletins.models import Bulletin, BulletinKind, BulletinStatus
from bulletins.services import KIND_LEVELS, due_periods
from bulletins.tasks import draft_due_task
from orgs.models import Unit
from stats.refresh import refresh
from tests.faults.stack import blocked_by, children, needs_stack, row_locked, uncommitted, wait_for, worker

pytestmark = [needs_stack, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DONE = 3  # bulletins the run commits before it waits on the fourth


@pytest.fixture
def month_run(tree):
    """What a monthly run drafts, in its order: (unit, period start). The rollups are built
    first, so the worker's own refresh finds nothing to write."""
    refresh()
    units = list(Unit.objects.filter(level__in=KIND_LEVELS[BulletinKind.MONTH]).order_by("path"))
    periods = due_periods(BulletinKind.MONTH, timezone.localdate(), settings.BULLETIN_CATCH_UP["month"])
    return [(unit, period) for period in periods for unit in units]


def _drafted() -> dict[tuple[int, object], int]:
    rows = Bulletin.objects.values_list("pk", "unit_id", "period_start")
    return {(unit_id, start): pk for pk, unit_id, start in rows}


def _assert_each_once(month_run, before: dict) -> None:
    rows = list(Bulletin.objects.values_list("unit_id", "period_start", "kind", "revision", "status"))
    assert len(rows) == len(month_run), "a bulletin is missing or was drafted twice"
    assert {row[:2] for row in rows} == {(unit.pk, period.start) for unit, period in month_run}
    assert {row[2:] for row in rows} == {(BulletinKind.MONTH, 1, BulletinStatus.DRAFT)}
    after = _drafted()
    assert {key: after[key] for key in before} == before, "a bulletin written before the kill was replaced"


def _summary(drafted: int, existing: int) -> str:
    return f"起草 {drafted} 份，已有 {existing} 份"


def test_a_worker_killed_mid_drafting_leaves_each_bulletin_once_after_restart(broker, month_run):
    unit, period = month_run[DONE]
    rival = {"unit": unit, "kind": BulletinKind.MONTH, "period_start": period.start, "period_end": period.end,
             "period_label": period.label, "drafted_at": timezone.now()}  # fmt: skip
    with uncommitted(lambda: Bulletin.objects.create(**rival)) as holder, worker(broker) as first:
        result = draft_due_task.apply_async(kwargs={"kinds": ["month"]}, queue=broker)
        wait_for(lambda: blocked_by(holder), timeout=60, what="the worker inserting the fourth bulletin")
        before = _drafted()
        assert set(before) == {(u.pk, p.start) for u, p in month_run[:DONE]}
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    # Never acknowledged, the task goes to the next worker (after the visibility timeout:
    # 2 s here, an hour in production), which drafts what is missing and nothing else.
    with worker(broker, visibility_timeout=2):
        assert result.get(timeout=60) == _summary(len(month_run) - DONE, DONE)
    _assert_each_once(month_run, before)


def test_a_pool_process_killed_as_it_commits_is_run_again_at_once_without_a_duplicate(broker, month_run):
    """The other way a worker dies: the kernel kills the pool process running the task (out
    of memory). With acks_late and reject_on_worker_lost the worker puts the task back at
    once and a new pool process runs it."""
    unit, _ = month_run[DONE]
    with worker(broker, pool="prefork") as parent:
        with row_locked(Unit._meta.db_table, unit.pk) as holder:
            result = draft_due_task.apply_async(kwargs={"kinds": ["month"]}, queue=broker)
            wait_for(lambda: blocked_by(holder), timeout=60, what="the pool process committing the fourth bulletin")
            before = _drafted()
            assert len(before) == DONE
            (pool_process,) = children(parent.pid)
            os.kill(pool_process, signal.SIGKILL)
        # The lock is released: the dead process's COMMIT goes through — the fourth exists.
        assert result.get(timeout=60) == _summary(len(month_run) - DONE - 1, DONE + 1)
        assert parent.poll() is None, "the worker itself should have outlived its pool process"
    _assert_each_once(month_run, before)
