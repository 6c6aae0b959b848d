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
