"""The import side of a broker outage, with the broker's failure stood in for (so it runs
on SQLite too; test_redis_down.py does it for real): an upload that cannot be sent stays
queued and says so, and the sweep sends what was left behind, oldest first, and nothing
that already ran."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from imports.models import ImportJob, ImportStatus
from imports.services import QUEUE_DOWN, REQUEUE_AFTER, import_submit, requeue_waiting
from imports.tasks import run_import_job
from orgs.roles import Role
from tests.factories import UserFactory

CSV = "案件编号,受理日期,办案单位,诈骗类型,损失金额\nQ1,2026-05-03,XA,刷单返利,100\n".encode()


@pytest.fixture
def broker(monkeypatch):
    """The broker as the enqueue sees it: ``down`` refuses every task, else they are kept."""
    state = {"down": False, "sent": []}

    def apply_async(args, **options):
        if state["down"]:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        state["sent"].append(args[0])

    monkeypatch.setattr(run_import_job, "apply_async", apply_async)
    return state


def _submit(user, django_capture_on_commit_callbacks) -> ImportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = import_submit(kind="cases", file_name="q.csv", data=CSV, user=user, source="web")
    job.refresh_from_db()
    return job


def test_an_upload_the_broker_refuses_stays_queued_and_its_page_says_so(
    tree, broker, client, django_capture_on_commit_callbacks
):
    clerk = UserFactory(username="clerk_q", unit=tree.city, role=Role.CLERK)
    broker["down"] = True
    job = _submit(clerk, django_capture_on_commit_callbacks)
    assert (job.status, job.message) == (ImportStatus.QUEUED, QUEUE_DOWN)
    client.force_login(clerk)
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert QUEUE_DOWN in page and 'data-testid="import-delayed"' in page


def test_the_sweep_sends_unsent_and_long_queued_jobs_once_the_broker_answers(
    tree, broker, django_capture_on_commit_callbacks
):
    broker["down"] = True
    unsent = _submit(None, django_capture_on_commit_callbacks)
    broker["down"] = False
    waiting_long = _submit(None, django_capture_on_commit_callbacks)
    just_sent = _submit(None, django_capture_on_commit_callbacks)  # queued a moment ago: not yet
    finished = _submit(None, django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk__in=[waiting_long.pk, finished.pk]).update(
        created_at=timezone.now() - REQUEUE_AFTER - dt.timedelta(minutes=1)
    )
    ImportJob.objects.filter(pk=finished.pk).update(status=ImportStatus.APPLIED)
    broker["sent"].clear()

    broker["down"] = True
    assert requeue_waiting() == 0, "the broker is still down: nothing was sent"
    broker["down"] = False
    assert requeue_waiting() == 2
    assert broker["sent"] == [waiting_long.pk, unsent.pk]  # oldest first; never a finished one
    assert just_sent.pk not in broker["sent"]
    assert ImportJob.objects.get(pk=unsent.pk).message == "", "sent again: the page no longer says delayed"


def test_the_sweep_is_on_the_schedule():
    from celery.schedules import crontab
    from django.conf import settings

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "imports.requeue_waiting")
    assert entry["schedule"] == crontab(minute="*/5")


# ---------------------------------------------------------------------------------------
# A job left running by a worker that was killed: its lease is free, so it is taken over


@pytest.fixture
def postgres_only(transactional_db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the job lease is a PostgreSQL advisory lock; SQLite runs jobs in-process")


def _stuck_job(tree, minutes_ago=30):
    from imports.services import import_submit as submit

    clerk = UserFactory(username="clerk_lease", unit=tree.city, role=Role.CLERK)
    rows = "活动编号,活动日期,开展单位,活动名称,活动形式\nP-LEASE,2026-11-01,XA,讲座,讲座\n"
    job = submit(kind="publicity", file_name="p.csv", data=rows.encode(), user=clerk, source="web", run=False)
    started = timezone.now() - dt.timedelta(minutes=minutes_ago)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=started)
    return job


def _hold_lease(job_id):
    """Another live process running the job: a second connection holding its lease."""
    import psycopg
    from django.db import connection

    from imports.services import LEASE_SPACE

    s = connection.settings_dict
    holder = psycopg.connect(
        f"postgresql://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}",
        autocommit=True,
    )
    holder.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_SPACE, job_id])
    return holder


def test_a_job_left_running_by_a_dead_worker_is_taken_over(tree, postgres_only):
    from imports.services import import_execute

    job = _stuck_job(tree)
    assert import_execute(job.pk).status == ImportStatus.APPLIED
    assert ImportJob.objects.get(pk=job.pk).created == 1
    assert import_execute(job.pk).created == 1  # once: the second call finds it done


def test_a_job_running_in_a_live_process_is_left_alone(tree, postgres_only):
    from imports.services import import_execute

    job = _stuck_job(tree)
    holder = _hold_lease(job.pk)
    try:
        assert import_execute(job.pk).status == ImportStatus.RUNNING
        assert requeue_waiting() == 0
    finally:
        holder.close()
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING


def test_the_sweep_sends_a_stale_running_job_again(tree, postgres_only, monkeypatch):
    sent = []
    monkeypatch.setattr(run_import_job, "apply_async", lambda args, **kwargs: sent.append(args[0]))
    fresh = _stuck_job(tree, minutes_ago=1)
    ImportJob.objects.filter(pk=fresh.pk).update(started_at=timezone.now())
    stale = ImportJob.objects.create(
        kind="publicity", file_name="q.csv", sha256="0" * 64, size=1, status=ImportStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(hours=1), source="web",
    )  # fmt: skip
    assert requeue_waiting() == 1 and sent == [stale.pk]
