"""Redis stopped under a running site: the pages still serve (the cache misses, sessions and
logins live in PostgreSQL), an upload is accepted at once and its page says the background
work is delayed, and once Redis is back the schedule's sweep sends the job and it runs.

The site (gunicorn, the product's own settings) uses a redis-server of the test's own, so
stopping it touches nothing else."""

import datetime as dt
import time

import pytest
from django.utils import timezone
from kombu import Connection

from bulletins.services import draft, issue
from cases.models import FraudCase
from imports.models import ImportJob, ImportStatus
from imports.services import QUEUE_DOWN, requeue_waiting
from orgs.roles import Role
from stats.periods import period_for
from stats.refresh import refresh
from tests.factories import UserFactory
from tests.faults.stack import (
    csrf_post,
    gunicorn,
    needs_stack,
    redis_server,
    session_for,
    set_server_password,
    sign_in,
    site_env,
    wait_for,
    worker,
)

pytestmark = [needs_stack, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PASSWORD = "Fault-pass-2026"
CSV = "案件编号,受理日期,办案单位,诈骗类型,损失金额\nR1,2026-05-03,XA,刷单返利,100\n".encode("gbk")


@pytest.fixture
def issued_bulletin(tree):
    analyst = UserFactory(username="analyst_c", unit=tree.city, role=Role.ANALYST)
    refresh()
    last_month = period_for("month", timezone.localdate()).start - dt.timedelta(days=1)
    return issue(draft(tree.city, "month", last_month)[0], user=analyst)


def test_with_redis_stopped_pages_serve_and_an_upload_waits_for_the_queue(tree, issued_bulletin, broker):
    clerk = UserFactory(username="clerk_c", unit=tree.city, role=Role.CLERK)
    set_server_password(tree.leader, PASSWORD)
    with redis_server() as redis, gunicorn(site_env(REDIS_URL=redis.url)) as site:
        redis.stop()

        leader = sign_in(site, "leader", PASSWORD)
        for path in ("/", "/dashboard/", f"/bulletins/{issued_bulletin.pk}/"):
            response = leader.get(site + path, timeout=30)
            assert response.status_code == 200, f"{path} answered {response.status_code} with Redis down"
        download = leader.get(f"{site}/bulletins/{issued_bulletin.pk}/download/docx/", timeout=60)
        assert download.status_code == 200 and download.content[:2] == b"PK"
        assert session_for(tree.officer_a).get(f"{site}/warnings/", timeout=30).status_code == 200

        uploader = session_for(clerk)
        started = time.monotonic()
        response = csrf_post(uploader, f"{site}/imports/", data={"kind": "cases"},
                             files={"file": ("cases.csv", CSV, "text/csv")})  # fmt: skip
        answered_in = time.monotonic() - started
        assert response.status_code == 302, f"the upload answered {response.status_code}"
        assert answered_in < 3, f"the upload took {answered_in:.1f} s with the broker down"
        job = ImportJob.objects.get()
        assert (job.status, job.message) == (ImportStatus.QUEUED, QUEUE_DOWN)
        page = uploader.get(site + response.headers["Location"], timeout=30)
        assert page.status_code == 200 and QUEUE_DOWN in page.text

        # Redis is back: the sweep (on the schedule every few minutes; sent by hand here)
        # sends the job, a worker runs it, once.
        redis.start()
        with worker(env={"REDIS_URL": redis.url}):
            wait_for(lambda: redis.client().exists("_kombu.binding.celery"), timeout=60, what="the worker listening")
            with Connection(redis.url) as broker_connection:
                from antifraud.celery import app

                app.send_task("imports.requeue_waiting", connection=broker_connection, ignore_result=True)
            wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_finished, timeout=60, what="the job running")
        job.refresh_from_db()
        assert (job.status, job.created) == (ImportStatus.APPLIED, 1), job.message
        assert FraudCase.objects.filter(case_no="R1").count() == 1
        assert requeue_waiting() == 0, "a finished job must never be sent again"
        page = uploader.get(f"{site}/imports/{job.pk}/", timeout=30)
        assert page.status_code == 200 and QUEUE_DOWN not in page.text
