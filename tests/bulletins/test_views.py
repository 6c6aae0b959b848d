"""The bulletin pages: the archive and its scope, downloads and their log, issuing and
correcting from the page, drafting by hand, a failed draft on the archive, and the latest
monthly bulletin on a leader's home."""

import datetime as dt
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from bulletins import services
from bulletins.models import Bulletin, BulletinDownload, BulletinStatus
from orgs.roles import Role
from tests.factories import CaseFactory, UserFactory

TODAY = timezone.localdate()
LAST_MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture(autouse=True)
def _fake_render(monkeypatch):
    """Pages are tested here; the documents themselves in test_render_*."""
    monkeypatch.setattr(services, "render", lambda doc, fmt: f"{fmt}:{doc['issue']['number_label']}".encode())


@pytest.fixture
def city(tree):
    CaseFactory(station=tree.station_a, reported_on=LAST_MONTH + dt.timedelta(days=2), loss=Decimal("20000.00"))
    tree.analyst = UserFactory(username="analyst", unit=tree.city, role=Role.ANALYST)
    tree.city_month = services.issue(services.draft(tree.city, "month", LAST_MONTH)[0], user=tree.analyst)
    tree.county_month = services.issue(services.draft(tree.county_y, "month", LAST_MONTH)[0], user=tree.analyst)
    tree.station_draft = services.draft(tree.station_a, "month", LAST_MONTH)[0]
    return tree


def test_the_archive_lists_what_the_user_may_see(client, city):
    client.force_login(city.reviewer_x)  # county X: neither the city's nor county Y's
    page = client.get(reverse("bulletin_list")).content.decode()
    assert "还没有通报" in page and "bulletin-table" not in page

    client.force_login(city.leader)
    page = client.get(reverse("bulletin_list")).content.decode()
    assert page.count('data-status="issued"') == 2 and "草稿" not in page.split("bulletin-table")[1]

    client.force_login(city.analyst)
    page = client.get(reverse("bulletin_list"), {"status": "draft"}).content.decode()
    assert page.count('data-status="draft"') == 1 and "滨江派出所" in page
    page = client.get(reverse("bulletin_list"), {"unit": "Y"}).content.decode()
    assert page.count("<tr data-status") == 1 and "东湖区公安分局" in page


def test_out_of_scope_is_not_found(client, city):
    client.force_login(city.reviewer_x)
    for name, args in (("bulletin_detail", [city.county_month.pk]),
                       ("bulletin_download", [city.county_month.pk, "docx"])):  # fmt: skip
        assert client.get(reverse(name, args=args)).status_code == 404
    client.force_login(city.leader)  # a draft is not for readers
    assert client.get(reverse("bulletin_detail", args=[city.station_draft.pk])).status_code == 404
    assert not BulletinDownload.objects.exists()


def test_a_download_is_the_file_and_is_logged(client, city):
    client.force_login(city.leader)
    response = client.get(reverse("bulletin_download", args=[city.city_month.pk, "docx"]))

    assert response.status_code == 200 and response.content == b"docx:" + city.city_month.number_label.encode()
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == f"江临市公安局{city.city_month.period_label}月通报（{city.city_month.number_label}）.docx"
    logged = BulletinDownload.objects.get()
    assert (logged.user, logged.bulletin, logged.format, logged.via) == (city.leader, city.city_month, "docx", "web")
    assert client.get(reverse("bulletin_download", args=[city.city_month.pk, "odt"])).status_code == 404

    page = client.get(reverse("bulletin_download_log")).content.decode()
    assert "leader" in page and "Word" in page
    client.force_login(city.reviewer_y)
    assert client.get(reverse("bulletin_download_log")).status_code == 403


def test_an_analyst_issues_a_draft_from_its_page(client, city):
    client.force_login(city.leader)
    assert client.post(reverse("bulletin_issue", args=[city.city_month.pk])).status_code == 403

    client.force_login(city.analyst)
    page = client.get(reverse("bulletin_detail", args=[city.station_draft.pk])).content.decode()
    assert 'data-testid="issue"' in page and "草稿·未签发" in page  # the preview says it is a draft
    response = client.post(reverse("bulletin_issue", args=[city.station_draft.pk]), follow=True)
    city.station_draft.refresh_from_db()
    assert city.station_draft.status == BulletinStatus.ISSUED and city.station_draft.number == 1
    assert f"已签发：{city.station_draft.number_label}" in response.content.decode()


def test_a_correction_from_the_page(client, city):
    client.force_login(city.analyst)
    url = reverse("bulletin_correct", args=[city.city_month.pk])
    response = client.post(url, {"note": ""}, follow=True)
    assert "没有需要更正的数字" in response.content.decode()

    CaseFactory(station=city.station_b, reported_on=LAST_MONTH + dt.timedelta(days=5), loss=Decimal("1000.00"))
    response = client.post(url, {"note": "解放路派出所补录案件1起。"}, follow=True)
    revision = Bulletin.objects.get(corrects=city.city_month)
    assert response.redirect_chain[-1][0] == reverse("bulletin_detail", args=[revision.pk])
    page = response.content.decode()
    assert "已生成更正版草稿（第2版）" in page and "解放路派出所补录案件1起。" in page and "全市·发案数" in page

    client.post(reverse("bulletin_issue", args=[revision.pk]))
    city.city_month.refresh_from_db()
    assert city.city_month.status == BulletinStatus.SUPERSEDED
    page = client.get(reverse("bulletin_detail", args=[city.city_month.pk])).content.decode()
    assert "已被更正版替代" in page and 'data-testid="download-docx"' in page


def test_drafting_by_hand(client, city):
    client.force_login(city.analyst)
    url = reverse("bulletin_new")
    response = client.post(url, {"kind": "day", "date": TODAY.isoformat(), "unit": "C"})
    assert "尚未结束" in response.content.decode() and not Bulletin.objects.filter(kind="day").exists()

    yesterday = TODAY - dt.timedelta(days=1)
    response = client.post(url, {"kind": "day", "date": yesterday.isoformat(), "unit": "X"})
    made = Bulletin.objects.get(kind="day")
    assert response.status_code == 302 and made.unit == city.county_x and made.drafted_by == city.analyst

    client.force_login(city.leader)
    assert client.get(url).status_code == 403


def test_a_failed_draft_shows_on_the_archive_with_its_error(client, city, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("统计数据不可用")

    monkeypatch.setattr(services, "build_payload", broken)
    services.draft(city.city, "xun", LAST_MONTH)
    client.force_login(city.analyst)
    page = client.get(reverse("bulletin_list")).content.decode()
    assert 'data-testid="failed-drafts"' in page and "RuntimeError: 统计数据不可用" in page


def test_the_leaders_home_offers_the_latest_monthly_bulletin(client, city):
    client.force_login(city.leader)
    page = client.get(reverse("dashboard", args=["C"])).content.decode()
    assert 'data-testid="latest-bulletin"' in page and city.city_month.number_label in page
    assert reverse("bulletin_download", args=[city.city_month.pk, "docx"]) in page
    assert reverse("bulletin_download", args=[city.city_month.pk, "pdf"]) in page
    # Not on a child's dashboard: the card is about the user's own unit.
    assert 'data-testid="latest-bulletin"' not in client.get(reverse("dashboard", args=["Y"])).content.decode()


def test_an_analyst_issues_the_ticked_drafts_at_once(client, city):
    other = services.draft(city.station_b, "month", LAST_MONTH)[0]
    client.force_login(city.analyst)
    page = client.get(reverse("bulletin_list"), {"status": "draft"}).content.decode()
    assert page.count('name="ids"') == 2 and 'data-testid="issue-many"' in page

    ids = [city.station_draft.pk, other.pk, city.city_month.pk]  # an issued one is left alone
    response = client.post(reverse("bulletin_issue_many"), {"ids": ids, "next": "/bulletins/?kind=month"}, follow=True)
    assert response.redirect_chain[-1][0] == "/bulletins/?kind=month"
    assert "已签发 2 份通报。" in response.content.decode()
    numbers = dict(Bulletin.objects.filter(pk__in=ids).values_list("unit__code", "number"))
    assert numbers == {"XA": 1, "XB": 1, "C": 1}

    client.force_login(city.leader)
    assert client.post(reverse("bulletin_issue_many"), {"ids": ids}).status_code == 403
    assert 'name="ids"' not in client.get(reverse("bulletin_list")).content.decode()
