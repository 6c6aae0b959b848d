import pytest

from cases.models import FraudType
from orgs.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


def test_clerk_registers_a_case_and_finds_it_in_the_list(tree, live_server, page):
    # Browser tests flush the database between tests, seeded fraud types included.
    FraudType.objects.get_or_create(code="02", defaults={"name": "虚假网络投资理财"})
    UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    requests_elsewhere = []
    page.on("request", lambda r: r.url.startswith(live_server.url) or requests_elsewhere.append(r.url))

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/cases/")
    page.click("text=登记案件 >> nth=0")
    page.fill("#id_case_no", "J2026E2E01")
    page.select_option("#id_fraud_type", label="虚假网络投资理财")
    page.fill("#id_reported_on", "2026-05-03")
    page.select_option("#id_station", label="滨江派出所")
    page.select_option("#id_area", label="滨江街道 · 幸福社区")
    page.fill("#id_loss", "86000")
    page.click("button[type=submit]:has-text('登记')")

    page.wait_for_selector("[data-testid=case-no]")
    assert page.text_content("[data-testid=case-no]") == "J2026E2E01"
    assert "滨江街道 · 幸福社区" in page.text_content("[data-testid=case-facts]")

    page.click("nav.breadcrumb >> text=电诈案件")
    row = page.locator("[data-testid=case-table] tbody tr", has_text="J2026E2E01")
    assert row.count() == 1
    assert "86,000.00" in row.text_content() and "2026年5月3日" in row.text_content()
    assert "8.60" in page.text_content("[data-testid=totals]")
    assert requests_elsewhere == [], "the page loaded something from outside the site"
