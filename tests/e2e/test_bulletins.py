"""Bulletins in the browser: an analyst issues last month's drafted bulletin from its page;
the leader finds it on their home and downloads the Word file, which opens with the
bulletin's title, number and figures."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from docx import Document

from bulletins import services
from bulletins.models import BulletinDownload
from orgs.roles import Role
from tests.e2e.test_dashboards import shot, sign_in
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.e2e

LAST_MONTH = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def drafted(tree):
    for day, station, loss in ((2, tree.station_a, "1500000.00"), (9, tree.station_b, "32000.00"),
                               (15, tree.station_d, "8000.00")):  # fmt: skip
        CaseFactory(station=station, reported_on=LAST_MONTH + dt.timedelta(days=day), loss=Decimal(loss))
    UserFactory(username="analyst_c", unit=tree.city, role=Role.ANALYST)
    run = services.draft_due(["month"])  # what the schedule does on the 1st
    assert run.failed == 0 and run.drafted >= 1
    return tree


def test_leader_downloads_the_latest_monthly_bulletin_from_home(drafted, live_server, page):
    sign_in(page, live_server, "analyst_c", then="/bulletins/?kind=month&unit=C")
    page.click("[data-testid=bulletin-table] a:has-text('月通报')")
    page.wait_for_selector("[data-testid=preview] .bulletin-doc")
    assert "草稿" in page.inner_text("[data-testid=bulletin-state]")
    with page.expect_navigation():
        page.click("[data-testid=issue]")
    state = page.inner_text("[data-testid=bulletin-state]")
    number = f"{LAST_MONTH.year}年第1期"
    assert "已签发" in state and number in state
    shot(page, "bulletin-issued", full_page=True)

    sign_in(page, live_server, "leader")
    card = page.locator("[data-testid=latest-bulletin]")
    assert number in card.inner_text()
    shot(page, "leader-home-bulletin")
    with page.expect_download() as caught:
        card.locator("[data-testid=latest-docx]").click()
    download = caught.value
    assert download.suggested_filename.endswith(f"（{number}）.docx")

    document = Document(download.path())
    text = "\n".join(p.text for p in document.paragraphs)
    assert "江临市公安局打击治理电信网络诈骗工作通报" in text and number in text
    assert "全市共接报电信网络诈骗警情3起" in text
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "滨江派出所" in cells and "154.00" in cells  # the large case and the month's loss in 万元
    assert BulletinDownload.objects.filter(user=drafted.leader, format="docx").count() == 1
