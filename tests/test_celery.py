"""Celery: in-process (eager) without Redis; a real worker process through Redis with it."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

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
    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "antifraud", "worker", "--pool=solo", "--concurrency=1",
         "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=BASE_DIR, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield queue
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        if process.returncode not in (0, -15):
            print(output)


@pytest.mark.worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI's second run sets it)")
def test_a_real_worker_answers_through_redis(worker_queue):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    result = ping.apply_async(args=["往返"], queue=worker_queue)
    answer = result.get(timeout=90)
    assert answer["echo"] == "往返"
    assert answer["worker"].startswith(worker_queue)
