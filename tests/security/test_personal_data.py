"""Personal data (the warned person's name, phone and ID number) stays out of everything
but the deliberate reveal: masked on pages, in the API and the admin, never in logs,
error messages, import reports or Celery task arguments."""

import logging

import pytest
from celery.app.task import Task
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from earlywarnings.models import WarningTask
from imports.services import import_submit
from orgs.roles import Role
from tests.factories import UserFactory, WarningTaskFactory

NAME, PHONE, ID_NO = "欧阳娜娜", "13912345678", "11010519491231002X"
BAD_PHONE, BAD_ID = "1391234567X", "110105194912310021"  # a wrong check digit
SECRETS = (NAME, PHONE, ID_NO, BAD_PHONE, BAD_ID, "1391234", "49123100")


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


@pytest.fixture
def spied_tasks(monkeypatch):
    """Every Celery task sent, with its arguments (tasks still run in-process)."""
    sent = []
    real = Task.apply_async

    def spy(self, args=None, kwargs=None, **options):
        sent.append((self.name, repr(args), repr(kwargs)))
        return real(self, args, kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", spy)
    return sent


def test_a_warnings_import_keeps_personal_data_out_of_logs_reports_and_task_arguments(
    tree, caplog, spied_tasks, django_capture_on_commit_callbacks
):
    clerk = UserFactory(username="clerk_p", unit=tree.city, role=Role.CLERK)
    rows = (
        "预警编号,下发时间,风险等级,处置单位,预警对象,对象手机号,对象身份证号\n"
        f"YJ-P1,2026-11-20 09:00:00,高,XA,{NAME},{PHONE},{ID_NO}\n"
        f"YJ-P2,2026-11-20 09:05:00,高,XA,{NAME},{BAD_PHONE},{BAD_ID}\n"
    )
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_submit(kind="warnings", file_name="w.csv", data=rows.encode(), user=clerk, source="web")
    job.refresh_from_db()
    assert job.refused == 1 and spied_tasks, "the bad row was refused and the job went through Celery"
    report = job.error_report.open("rb").read().decode("utf-8-sig")
    assert "YJ-P2" in report or "3" in report
    places = {
        "logs": "\n".join(record.getMessage() for record in caplog.records),
        "task arguments": repr(spied_tasks),
        "job message and errors": f"{job.message}{job.errors}",
        "error report": report,
    }
    assert {where: _leaks(text) for where, text in places.items() if _leaks(text)} == {}


def test_the_platform_push_refuses_bad_personal_data_without_echoing_it(tree, caplog):
    clerk = UserFactory(username="clerk_q", unit=tree.city, role=Role.CLERK)
    api = APIClient()
    api.force_authenticate(clerk)
    caplog.set_level(logging.DEBUG)
    push = {"task_no": "GJ-P3", "issued_at": "2026-11-20 10:00:00", "level": "高", "station": "XA",
            "subject_name": NAME, "subject_phone": BAD_PHONE, "subject_id_no": BAD_ID}  # fmt: skip
    answer = api.post("/api/v1/warnings/", push, format="json")
    assert answer.status_code == 400
    assert _leaks(answer.content.decode()) == [] and _leaks(caplog.text) == []
    assert not WarningTask.objects.filter(task_no="GJ-P3").exists()


def test_the_api_the_pages_and_the_admin_show_personal_data_masked(tree):
    task = WarningTaskFactory(station=tree.station_a, subject_name=NAME, subject_phone=PHONE, subject_id_no=ID_NO)
    api = APIClient()
    api.force_authenticate(tree.officer_a)
    bodies = {
        "api list": api.get("/api/v1/warnings/").content.decode(),
        "api detail": api.get(f"/api/v1/warnings/{task.pk}/").content.decode(),
    }
    client = Client()
    client.force_login(tree.officer_a)
    bodies["queue"] = client.get(reverse("warning_queue")).content.decode()
    bodies["detail"] = client.get(reverse("warning_detail", args=[task.pk])).content.decode()
    admin = UserFactory(username="root_p", unit=tree.city, is_superuser=True, is_staff=True)
    client.force_login(admin)
    bodies["admin list"] = client.get("/admin/earlywarnings/warningtask/").content.decode()
    bodies["admin record"] = client.get(f"/admin/earlywarnings/warningtask/{task.pk}/change/").content.decode()
    for where, body in bodies.items():
        assert _leaks(body) == [], where
        assert "139****5678" in body or where == "admin list", where
