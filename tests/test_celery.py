"""Celery: in-process (eager) without Redis; a real worker process through Redis with it."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from antifraud.tasks import ping

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(bool(os.environ.get("REDIS_URL")), reason="REDIS_URL is set: tasks go to a real worker")
def test_without_redis_tasks_run_in_process():
    assert settings.CELERY_TASK_ALWAYS_EAGER
    result = ping.delay("你好")
    assert result.get(timeout=5)["echo"] == "你好"
    assert result.get()["worker"] == "eager"


@pytest.fixture
def worker_queue():
    """A Celery worker in its own process, consuming a queue of its own (so a worker
    of a running dev stack cannot take the test's task)."""
    from antifraud.celery import app

    app.conf.task_always_eager = False  # this test wants the broker
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _test_database_url()}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "antifraud", "worker", "--pool=solo", "--concurrency=1",
         "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield queue
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        if process.returncode not in (0, -15):
            print(output)


def _test_database_url() -> str:
    """The worker process must read the test database, not the one the settings name."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return os.environ.get("DATABASE_URL", "")
    # Inside the test run the connection already names the test database.
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI's second run sets it)")
def test_a_real_worker_answers_through_redis(worker_queue):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    result = ping.apply_async(args=["往返"], queue=worker_queue)
    answer = result.get(timeout=90)
    assert answer["echo"] == "往返"
    assert answer["worker"].startswith(worker_queue)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres")),
    reason="needs REDIS_URL and PostgreSQL (CI's second run), so a worker process can share the test database",
)
def test_a_real_worker_runs_an_import_job(tree, worker_queue):
    from cases.models import FraudCase
    from imports.models import ImportStatus
    from imports.services import import_submit
    from imports.tasks import run_import_job

    data = "案件编号,受理日期,办案单位,诈骗类型,损失金额\nW1,2026-05-03,XA,刷单返利,100\n".encode("gbk")
    job = import_submit(kind="cases", file_name="w.csv", data=data, user=None, source="api", run=False)
    assert run_import_job.apply_async(args=[job.pk], queue=worker_queue).get(timeout=90) == ImportStatus.APPLIED
    job.refresh_from_db()
    assert (job.status, job.created, job.encoding) == (ImportStatus.APPLIED, 1, "GBK/GB18030")
    assert FraudCase.objects.get().station == tree.station_a
