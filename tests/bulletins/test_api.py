"""The bulletins API: the archive of the caller's subtree (drafts for analysts only), its
filters, a detail with the payload, and downloads that are logged and scoped."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bulletins import services
from bulletins.models import Bulletin, BulletinDownload, BulletinStatus
from orgs.roles import Role
from tests.bulletins.conftest import load_payload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MAY = dt.date(2024, 5, 1)
SUMMARY = [{"heading": "总体情况", "text": "共发案3起。"}]
MIMES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def bulletin(unit, *, kind="month", start=MAY, end=None, status=BulletinStatus.ISSUED, number=1, **fields):
    issued = status in (BulletinStatus.ISSUED, BulletinStatus.SUPERSEDED)
    defaults = {
        "period_end": end or dt.date(start.year, start.month, 28),
        "period_label": f"{start.year}年{start.month}月",
        "payload": {"summary": SUMMARY},
        "drafted_at": timezone.now(),
        "issued_at": timezone.now() if issued else None,
        "number": number if issued else None,
    }
    return Bulletin.objects.create(unit=unit, kind=kind, period_start=start, status=status, **defaults | fields)


@pytest.fixture
def archive(tree) -> dict[str, Bulletin]:
    """Issued May 2024 monthly bulletins of C, X, XA and YD, a draft of X's June one, a
    failed June one of Y, and X's day bulletin of 3 May 2024."""
    made = {unit.code: bulletin(unit) for unit in (tree.city, tree.county_x, tree.station_a, tree.station_d)}
    made["X-draft"] = bulletin(tree.county_x, start=dt.date(2024, 6, 1), status=BulletinStatus.DRAFT)
    made["Y-failed"] = bulletin(
        tree.county_y, start=dt.date(2024, 6, 1), status=BulletinStatus.FAILED, payload=None, error="ValueError: 无数据"
    )
    made["X-day"] = bulletin(tree.county_x, kind="day", start=dt.date(2024, 5, 3), end=dt.date(2024, 5, 3))
    return made


@pytest.fixture
def analyst_x(tree):
    return UserFactory(username="analyst_x", unit=tree.county_x, role=Role.ANALYST)


@pytest.fixture
def fake_render(monkeypatch):
    monkeypatch.setattr("bulletins.services.render", lambda doc, fmt: f"{fmt}:{doc['issue']['number_label']}".encode())


def ids(client, **params) -> list[int]:
    response = client.get("/api/v1/bulletins/", params)
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def pks(archive, *keys) -> list[int]:
    return sorted(archive[key].pk for key in keys)


# ---------------------------------------------------------------------------------------
# Scope


def test_station_officer_sees_only_their_stations_bulletins(tree, archive):
    assert ids(client_for(tree.officer_a)) == pks(archive, "XA")
    assert ids(client_for(tree.officer_b)) == []


def test_county_leader_sees_county_and_stations_not_another_county(tree, archive):
    leader_x = UserFactory(username="leader_x", unit=tree.county_x, role=Role.LEADER)
    assert ids(client_for(leader_x)) == pks(archive, "X", "XA", "X-day")
    assert ids(client_for(tree.reviewer_y)) == pks(archive, "YD")


def test_drafts_and_failed_drafts_only_for_analysts(tree, archive, analyst_x):
    assert ids(client_for(tree.leader)) == pks(archive, "C", "X", "XA", "YD", "X-day")
    assert ids(client_for(analyst_x)) == pks(archive, "X", "XA", "X-draft", "X-day")
    analyst_c = UserFactory(username="analyst_c", unit=tree.city, role=Role.ANALYST)
    failed = client_for(analyst_c).get(f"/api/v1/bulletins/{archive['Y-failed'].pk}/").json()
    assert (failed["status"], failed["error"], failed["downloads"]) == ("failed", "ValueError: 无数据", {})
    assert client_for(tree.leader).get(f"/api/v1/bulletins/{archive['X-draft'].pk}/").status_code == 404


def test_anonymous_callers_are_refused(archive):
    assert APIClient().get("/api/v1/bulletins/").status_code in (401, 403)
    url = f"/api/v1/bulletins/{archive['C'].pk}/download/"
    assert APIClient().get(url, {"format": "pdf"}).status_code in (401, 403)


# ---------------------------------------------------------------------------------------
# Filters and shapes


def test_filters(tree, archive, analyst_x):
    client = client_for(tree.leader)
    assert ids(client, unit="X") == pks(archive, "X", "XA", "X-day")
    assert ids(client, unit="XA") == pks(archive, "XA")
    assert ids(client, unit="NOPE") == []
    assert ids(client, kind="day") == pks(archive, "X-day")
    assert ids(client, year=2024, kind="month") == pks(archive, "C", "X", "XA", "YD")
    assert ids(client, year=2023) == []
    assert ids(client, date="2024-05-03", unit="X") == pks(archive, "X", "XA", "X-day")
    assert ids(client, date="2024-05-20", unit="X") == pks(archive, "X", "XA")
    assert ids(client, period_start="2024-05-03") == pks(archive, "X-day")
    assert ids(client_for(analyst_x), status="draft") == pks(archive, "X-draft")
    response = client.get("/api/v1/bulletins/", {"kind": "weekly"})
    assert response.status_code == 400 and "kind" in response.json()


def test_list_row_has_no_payload(tree, archive):
    issued_by = UserFactory(username="analyst_c", unit=tree.city, role=Role.ANALYST)
    Bulletin.objects.filter(pk=archive["C"].pk).update(issued_by=issued_by)
    rows = client_for(tree.leader).get("/api/v1/bulletins/", {"unit": "C", "kind": "month", "date": "2024-05-01"})
    row = next(r for r in rows.json()["results"] if r["id"] == archive["C"].pk)
    assert "payload" not in row and "changes" not in row
    assert row["unit"] == {"code": "C", "name": "江临市公安局", "level": "city"}
    assert row["period"] == {"start": "2024-05-01", "end": "2024-05-28", "label": "2024年5月"}
    assert (row["kind"], row["kind_label"], row["number"], row["number_label"]) == ("month", "月通报", 1, "2024年第1期")
    assert (row["status"], row["status_label"], row["revision"]) == ("issued", "已签发", 1)
    assert (row["issued_by"], row["corrects"], row["error"]) == ("analyst_c", None, "")
    base = f"http://testserver/api/v1/bulletins/{archive['C'].pk}/download/"
    assert row["downloads"] == {fmt: f"{base}?format={fmt}" for fmt in ("docx", "pdf", "xlsx")}


def test_detail_has_payload_and_changes(tree, archive):
    correction = bulletin(
        tree.city, revision=2, corrects=archive["C"], correction_note="补录案件1起。",
        changes=[{"key": "overall.cases", "label": "全市·发案数", "old": 3, "new": 4, "measure": "起"}],
    )  # fmt: skip
    row = client_for(tree.leader).get(f"/api/v1/bulletins/{correction.pk}/").json()
    assert row["payload"] == {"summary": SUMMARY}
    assert row["changes"][0]["new"] == 4
    assert (row["corrects"], row["revision"], row["correction_note"]) == (archive["C"].pk, 2, "补录案件1起。")


def test_detail_outside_the_subtree_is_not_found(tree, archive):
    response = client_for(tree.reviewer_y).get(f"/api/v1/bulletins/{archive['X'].pk}/")
    assert response.status_code == 404 and response.json() == {"detail": "未找到。"}


# ---------------------------------------------------------------------------------------
# Downloads


@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx"])
def test_download_returns_the_file_and_logs_it(tree, archive, fake_render, fmt):
    response = client_for(tree.officer_a).get(f"/api/v1/bulletins/{archive['XA'].pk}/download/", {"format": fmt})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == MIMES[fmt]
    assert response.content == f"{fmt}:2024年第1期".encode()
    name = f"滨江派出所2024年5月月通报（2024年第1期）.{fmt}"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    logged = BulletinDownload.objects.get()
    assert (logged.bulletin, logged.format, logged.user, logged.via) == (archive["XA"], fmt, tree.officer_a, "api")


def test_download_ignores_the_accept_header(tree, archive, fake_render):
    url = f"/api/v1/bulletins/{archive['XA'].pk}/download/?format=pdf"
    response = client_for(tree.officer_a).get(url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_download_outside_the_subtree_is_not_found(tree, archive, fake_render):
    response = client_for(tree.officer_a).get(f"/api/v1/bulletins/{archive['X'].pk}/download/", {"format": "pdf"})
    assert response.status_code == 404 and response.json() == {"detail": "未找到。"}
    assert not BulletinDownload.objects.exists()


@pytest.mark.parametrize("params", [{"format": "doc"}, {"format": "json"}, {}])
def test_download_in_an_unknown_format_is_refused_in_chinese(tree, archive, fake_render, params):
    response = client_for(tree.officer_a).get(f"/api/v1/bulletins/{archive['XA'].pk}/download/", params)
    assert response.status_code == 400
    assert response.json() == {"detail": "不支持的格式：可用 docx、pdf、xlsx，例如 ?format=docx。", "field": "format"}
    assert not BulletinDownload.objects.exists()


def test_download_of_a_failed_draft_answers_409(tree, archive, fake_render):
    analyst_y = UserFactory(username="analyst_y", unit=tree.county_y, role=Role.ANALYST)
    url = f"/api/v1/bulletins/{archive['Y-failed'].pk}/download/"
    response = client_for(analyst_y).get(url, {"format": "docx"})
    assert response.status_code == 409
    assert response.json() == {"detail": "这份通报生成失败，没有可下载的文件。", "field": None}
    assert not BulletinDownload.objects.exists()


def test_issued_file_is_rendered_once(tree, archive, monkeypatch):
    calls = []
    monkeypatch.setattr("bulletins.services.render", lambda doc, fmt: calls.append(fmt) or b"%PDF-1")
    client = client_for(tree.officer_a)
    for _ in range(2):
        assert client.get(f"/api/v1/bulletins/{archive['XA'].pk}/download/", {"format": "pdf"}).content == b"%PDF-1"
    assert calls == ["pdf"] and BulletinDownload.objects.count() == 2


MAGIC = {"docx": b"PK", "xlsx": b"PK", "pdf": b"%PDF"}


@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx"])
def test_download_renders_the_real_file(tree, fmt):
    pytest.importorskip(f"bulletins.render.{fmt}")
    issued = bulletin(tree.city, number=10, payload=load_payload("city_month"), period_label="2026年10月")
    response = client_for(tree.leader).get(f"/api/v1/bulletins/{issued.pk}/download/", {"format": fmt})
    assert response.status_code == 200
    assert response.content.startswith(MAGIC[fmt])
    assert response.content == services.file_bytes(issued, fmt)
