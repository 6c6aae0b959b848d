"""The same intake through the command line, the web page and the API."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import FraudCase
from imports.models import ImportJob, ImportStatus
from orgs.roles import Role
from tests.factories import UserFactory
from tests.imports.conftest import csv_bytes

GOOD = csv_bytes(
    [
        ["案件编号", "受理日期", "办案单位", "诈骗类型", "损失金额"],
        ["J1", "2026-05-03", "XA", "刷单返利", "100"],
        ["J2", "2026-05-04", "XB", "刷单返利", "200"],
    ]
)
BAD = csv_bytes(
    [
        ["案件编号", "受理日期", "办案单位", "诈骗类型", "损失金额"],
        ["J1", "2026-05-03", "XA", "刷单返利", "100"],
        ["J2", "2026-05-04", "无此所", "刷单返利", "200"],
    ]
)


@pytest.fixture
def clerk(tree):
    return UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)


def cli(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("import_data", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_cli_applies_a_good_file_and_says_how_fast(tree, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(GOOD)
    code, output = cli("cases", str(path))
    assert code == 0
    assert "读取 2 行：新增 2，更新 0，未变 0，错误 0" in output and "每秒" in output
    assert FraudCase.objects.count() == 2


def test_cli_refuses_a_bad_file_with_a_nonzero_exit_and_the_first_errors(tree, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(BAD)
    code, output = cli("cases", str(path))
    assert code == 1
    assert "第 3 行 [办案单位] “无此所”：找不到这个派出所" in output
    assert not FraudCase.objects.exists()


def test_cli_dry_run_and_partial(tree, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(BAD)
    assert cli("cases", str(path), "--dry-run", "--partial")[0] == 0
    assert not FraudCase.objects.exists()
    assert cli("cases", str(path), "--partial")[0] == 0
    assert list(FraudCase.objects.values_list("case_no", flat=True)) == ["J1"]


def test_cli_as_a_user_applies_their_scope(tree, tmp_path, clerk):
    path = tmp_path / "cases.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["案件编号", "受理日期", "办案单位", "诈骗类型", "损失金额"],
                ["J1", "2026-05-03", "YD", "刷单返利", "100"],
            ]
        )
    )
    code, output = cli("cases", str(path), "--user", "clerk")
    assert code == 1 and "不在您的管辖范围内" in output


def test_cli_refuses_a_missing_file(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_data", "cases", "/no/such/file.csv")


def test_web_upload_runs_the_job_and_shows_the_result(client, clerk, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import_list"), {"kind": "cases", "file": SimpleUploadedFile("导出.csv", GOOD)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import_detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "已新增 2 条" in page
    assert job.user == clerk and job.source == "web"


def test_web_upload_answers_json_for_the_progress_script(client, clerk, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("import_list"),
            {"kind": "cases", "file": SimpleUploadedFile("a.csv", BAD), "progress_token": "tok-1"},
            HTTP_ACCEPT="application/json",
        )
    job = ImportJob.objects.get()
    assert response.json() == {"id": job.pk, "url": reverse("import_detail", args=[job.pk])}
    progress = client.get(reverse("import_progress", args=["tok-1"])).json()
    assert progress["finished"] and progress["status"] == ImportStatus.REFUSED
    assert client.get(reverse("import_status", args=[job.pk])).json()["phase"] == "done"


def test_web_shows_the_errors_and_offers_the_report(client, clerk, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_list"), {"kind": "cases", "file": SimpleUploadedFile("a.csv", BAD)})
    job = ImportJob.objects.get()
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "找不到这个派出所" in page and "下载完整错误报告" in page
    report = client.get(reverse("import_error_report", args=[job.pk]))
    assert b"".join(report.streaming_content).decode("utf-8-sig").startswith("行号,列,值,原因")
    assert "filename*=UTF-8''" in report["Content-Disposition"]


def test_web_refuses_a_wrong_file_type_in_the_form(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("import_list"), {"kind": "cases", "file": SimpleUploadedFile("a.exe", b"MZ")})
    assert response.status_code == 200
    assert "只能导入 CSV" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_template_has_the_chinese_headers(client, clerk):
    client.force_login(clerk)
    body = client.get(reverse("import_template", args=["cases"])).content.decode("utf-8-sig")
    assert body.startswith("案件编号,受理日期,发案日期,办案单位")


def test_officers_cannot_open_the_import_page(client, tree):
    client.force_login(tree.officer_a)
    assert client.get(reverse("import_list")).status_code == 403


def test_analysts_see_the_history_but_cannot_upload(client, tree):
    analyst = UserFactory(username="analyst", unit=tree.city, role=Role.ANALYST)
    client.force_login(analyst)
    page = client.get(reverse("import_list"))
    assert page.status_code == 200 and not page.context["can_upload"]
    response = client.post(reverse("import_list"), {"kind": "cases", "file": SimpleUploadedFile("a.csv", GOOD)})
    assert response.status_code == 403


def test_jobs_of_another_county_are_not_found(client, tree, clerk, run_import):
    other = UserFactory(username="clerk_y", unit=tree.county_y, role=Role.CLERK)
    job = run_import("cases", GOOD, user=clerk)
    client.force_login(other)
    for name in ("import_detail", "import_status", "import_error_report"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert list(client.get(reverse("import_list")).context["page"].object_list) == []


@pytest.mark.django_db(transaction=True)  # committed for real, as in production: the task runs at once
def test_api_import_returns_the_finished_job(clerk):
    api = APIClient()
    api.force_authenticate(clerk)
    response = api.post(
        "/api/v1/imports/", {"kind": "cases", "file": SimpleUploadedFile("a.csv", GOOD)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["created"], body["finished"]) == ("applied", 2, True)
    assert api.get(f"/api/v1/imports/{body['id']}/").json()["rows_read"] == 2


@pytest.mark.django_db(transaction=True)
def test_api_refusal_carries_the_row_errors(clerk):
    api = APIClient()
    api.force_authenticate(clerk)
    body = api.post(
        "/api/v1/imports/", {"kind": "cases", "file": SimpleUploadedFile("a.csv", BAD)}, format="multipart"
    ).json()
    assert body["status"] == "refused"
    assert body["errors"][0] == {
        "row": 3,
        "column": "办案单位",
        "value": "无此所",
        "reason": "找不到这个派出所（请使用单位编码或完整名称）",
    }
    assert body["error_report_url"].endswith(f"/imports/{body['id']}/errors.csv")


def test_api_scope_and_permissions(tree, clerk, run_import):
    job = run_import("cases", GOOD, user=clerk)
    outsider = APIClient()
    outsider.force_authenticate(UserFactory(username="clerk_y", unit=tree.county_y, role=Role.CLERK))
    assert outsider.get(f"/api/v1/imports/{job.pk}/").status_code == 404
    assert outsider.get("/api/v1/imports/").json()["results"] == []
    officer = APIClient()
    officer.force_authenticate(tree.officer_a)
    assert officer.get("/api/v1/imports/").status_code == 403
    response = officer.post(
        "/api/v1/imports/", {"kind": "cases", "file": SimpleUploadedFile("a.csv", GOOD)}, format="multipart"
    )
    assert response.status_code == 403


def test_api_refuses_an_unknown_kind(clerk):
    api = APIClient()
    api.force_authenticate(clerk)
    response = api.post(
        "/api/v1/imports/", {"kind": "weather", "file": SimpleUploadedFile("a.csv", GOOD)}, format="multipart"
    )
    assert response.status_code == 400 and "kind" in response.json()


def test_running_a_job_twice_does_the_work_once(tree, run_import):
    from imports.services import import_execute

    job = run_import("cases", GOOD)
    assert import_execute(job.pk).status == ImportStatus.APPLIED
    assert FraudCase.objects.count() == 2 and ImportJob.objects.get().created == 2
