"""Web security: the headers every page carries, no inline script anywhere, production
settings clean under ``check --deploy``, the idle sign-out, a Redis that is down, and
formulas neutralised in every CSV and XLSX the site writes."""

import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from orgs.spreadsheets import FORMULA_STARTS, PLAIN_NUMBER

BASE_DIR = Path(__file__).resolve().parent.parent.parent
FORMULA = '=HYPERLINK("http://127.0.0.1/x","点我")'


def test_pages_carry_a_same_origin_content_security_policy(tree):
    client = Client()
    client.force_login(tree.leader)
    answer = client.get(reverse("home"))
    policy = {
        part.split()[0]: part.split()[1:] for part in answer["Content-Security-Policy"].split(";") if part.strip()
    }
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    for sources in policy.values():  # our own origin, inline styles and data/blob images only: no other host
        assert set(sources) <= {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert answer["X-Frame-Options"] == "DENY" and answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "same-origin"


def test_no_template_runs_inline_script():
    """script-src 'self' refuses inline scripts and handlers: every <script> has a src (or
    only carries JSON data), and no element has an on… attribute or a javascript: link."""
    offenders = []
    for path in (BASE_DIR / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{path.name}: {tag}")
        offenders += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
        offenders += [f"{path.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert offenders == []


def test_production_settings_pass_check_deploy(tmp_path):
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (Playwright runs an event loop), never production's.
    unset = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DEBUG="0", HTTPS="1", SECURE_COOKIES="1", VAR_DIR=str(tmp_path), ALLOWED_HOSTS="antifraud.police.local",
        SECRET_KEY="k3y-" + "Zq8#v!Lm2@Rt9$Wx5%Yp7^Bn4&Cd6*Fg1(Hj3)Kl0_Mn8+Pq2=Rs5" * 2,
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/antifraud",
    )  # fmt: skip
    answer = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "no issues" in answer.stdout


def test_an_idle_session_is_signed_out(tree, settings):
    client = Client()
    client.force_login(tree.leader)
    assert client.get(reverse("unit_list")).status_code == 200
    session = client.session
    session["_last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    answer = client.get(reverse("unit_list"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(answer["Location"]).content.decode()
    assert "没有操作，已自动退出" in page


def test_a_redis_that_is_down_costs_the_cache_not_the_page():
    from antifraud.cache import ForgivingRedisCache

    with socket_nobody_listens_on() as port:
        cache = ForgivingRedisCache(f"redis://127.0.0.1:{port}/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
        started = time.monotonic()
        assert cache.get("k", "default") == "default"
        cache.set("k", 1)
        assert cache.get_or_set("k", lambda: "computed") == "computed"
        assert cache.get_many(["a", "b"]) == {} and cache.delete("k") is False
        assert time.monotonic() - started < 5


class socket_nobody_listens_on:
    def __enter__(self):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def __exit__(self, *exc):
        return False


# ---------------------------------------------------------------------------------------
# Formula injection: every CSV and XLSX the site writes


def _cells_of_xlsx(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_xlsx_inert(data: bytes, where: str):
    seen = 0
    for cell in _cells_of_xlsx(data):
        assert cell.data_type != "f", f"{where}: formula in {cell.coordinate}: {cell.value!r}"
        seen += isinstance(cell.value, str) and "HYPERLINK" in cell.value
    return seen


def _assert_csv_inert(text: str, where: str):
    seen = 0
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for field in row:
            if field.startswith(FORMULA_STARTS):
                assert PLAIN_NUMBER.match(field), f"{where}: {field!r} would run as a formula"
            seen += "HYPERLINK" in field
    return seen


@pytest.fixture
def formulas(tree):
    """A station, a place and an activity whose names are formulas, with a case."""
    from tests.factories import CaseFactory

    tree.station_a.name = FORMULA
    tree.station_a.save()
    CaseFactory(station=tree.station_a, place=FORMULA, reported_on=dt.date(2026, 10, 3), loss=1200)
    return tree


def test_case_export_neutralises_formulas(formulas):
    client = Client()
    client.force_login(formulas.leader)
    answer = client.get(reverse("case_export"))
    assert _assert_xlsx_inert(answer.content, "cases export") >= 2  # the station and the place


def test_dashboard_downloads_neutralise_formulas(formulas):
    from stats.refresh import rebuild

    rebuild()
    client = Client()
    client.force_login(formulas.leader)
    page = client.get(reverse("dashboard", args=[formulas.county_x.code]), {"period": "month", "day": "2026-10-20"})
    keys = sorted(set(re.findall(r"/panels/([\w-]+)/", page.content.decode())))
    assert keys, "the dashboard offers panel downloads"
    seen = 0
    for key in keys:
        url = reverse("dashboard_panel_download", args=[formulas.county_x.code, key])
        csv_answer = client.get(url, {"period": "month", "day": "2026-10-20"})
        seen += _assert_csv_inert(csv_answer.content.decode("utf-8"), f"{key}.csv")
        xlsx_answer = client.get(url, {"period": "month", "day": "2026-10-20", "format": "xlsx"})
        seen += _assert_xlsx_inert(xlsx_answer.content, f"{key}.xlsx")
    assert seen >= 2  # the station's name is in the county's tables, kept as text


def test_bulletin_workbook_neutralises_formulas(formulas):
    from bulletins.services import draft, file_bytes
    from tests.factories import UserFactory

    analyst = UserFactory(username="analyst_f", unit=formulas.city, role="analyst")
    bulletin, _ = draft(formulas.county_x, "month", dt.date(2026, 10, 20), user=analyst)
    assert _assert_xlsx_inert(file_bytes(bulletin, "xlsx"), "bulletin xlsx") >= 1


def test_import_error_report_neutralises_formulas(tree):
    from imports.services import import_execute, import_submit

    rows = "活动编号,活动日期,开展单位,活动名称,活动形式\nP1,2026-11-01,XA,讲座,=1+2\nP2,=SUM(A1),XA,讲座,讲座\n"
    job = import_submit(kind="publicity", file_name="p.csv", data=rows.encode(), user=None, source="cli", run=False)
    job = import_execute(job.pk)
    assert job.refused == 2
    text = job.error_report.open("rb").read().decode("utf-8-sig")
    assert "=1+2" in text and "=SUM(A1)" in text
    _assert_csv_inert(text, "import error report")


# ---------------------------------------------------------------------------------------
# CSRF and passwords


def _patterns(resolver=None, prefix=""):
    from django.urls import URLPattern, URLResolver, get_resolver

    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_no_page_is_exempt_from_csrf():
    """Only API views are csrf_exempt, as DRF marks them: its session authentication checks
    the token itself, and token-authenticated calls carry no cookie to forge. (And the API's
    catch-all 404, which changes nothing.)"""
    from rest_framework.authentication import SessionAuthentication

    from antifraud.api_urls import not_found

    exempt = []
    for route, callback in _patterns():
        if not getattr(callback, "csrf_exempt", False) or callback is not_found:
            continue
        view_class = getattr(callback, "cls", None)
        classes = getattr(view_class, "authentication_classes", None) if view_class else None
        if not route.startswith("api/") or classes is None or SessionAuthentication not in classes:
            exempt.append(route)
    assert exempt == []


def test_a_post_without_its_csrf_token_is_refused(tree):
    from tests.factories import WarningTaskFactory

    task = WarningTaskFactory(station=tree.station_a)
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.officer_a)
    for url, data in [
        (reverse("warning_sign", args=[task.pk]), {}),
        (reverse("warning_reveal", args=[task.pk]), {"reason": "电话劝阻联系"}),
        (reverse("logout"), {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    session_api = client.post("/api/v1/warnings/", {"task_no": "X"}, content_type="application/json")
    assert session_api.status_code == 403
    task.refresh_from_db()
    assert task.status == "pending"


@pytest.mark.parametrize("password", ["12345678", "password", "Pw1", "leader2026"])
def test_weak_passwords_are_refused(tree, password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password(password, user=tree.leader)
