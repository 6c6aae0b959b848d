"""The dashboards in the browser: every role lands on a useful home; the city dashboard
draws its charts and its map with no request leaving this machine; a leader drills city →
county → station and changes the period; an officer handles a warning from the queue on
a phone and sees it leave; the big screen draws, cycles and refreshes itself.

Screenshots go to ``artifacts/e2e/`` (git-ignored): look at them after a change.
"""

import datetime as dt
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.utils import timezone

from cases.models import FraudType
from earlywarnings import services
from earlywarnings.models import CheckKind, FourChecksReview, TaskStatus
from orgs.models import Area
from orgs.roles import Role
from stats.periods import period_for, shift_year
from stats.refresh import refresh
from tests.factories import TEST_PASSWORD, AreaFactory, CaseFactory, PublicityFactory, UserFactory, WarningTaskFactory

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
DRAWN = ".js-plotly-plot .main-svg"


def square(west: float, south: float, size: float = 0.03) -> dict:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings):
    settings.DASHBOARD_CACHE_SECONDS = 0  # each test builds its own city on reused primary keys


@pytest.fixture
def city(tree):
    """Three weeks of cases at A, B and D (and fewer a year earlier), areas with map shapes,
    warning tasks (one at A signed and waiting for its officer, one overdue at B), an
    analyst, a publicity activity; the rollups refreshed."""
    today = timezone.localdate()
    UserFactory(username="analyst_c", unit=tree.city, role=Role.ANALYST)
    Area.objects.filter(code="XA1").update(geometry=square(120.00, 30.00), population=20000)
    Area.objects.filter(code="XA1001").update(geometry=square(120.03, 30.00), population=8000)
    Area.objects.filter(code="YD1001").update(geometry=square(120.00, 30.03), population=12000)
    areas = {
        tree.station_a: Area.objects.get(code="XA1001"),
        tree.station_b: AreaFactory(
            code="XB1001", name="解放社区", station=tree.station_b, geometry=square(120.03, 30.03), population=9000
        ),
        tree.station_d: Area.objects.get(code="YD1001"),
    }
    types = list(FraudType.objects.order_by("code")[:4])
    stations = [tree.station_a, tree.station_a, tree.station_b, tree.station_d]
    for n in range(21):
        station, day = stations[n % 4], today - dt.timedelta(days=n)
        for k in range(1 + n * 5 % 3):
            CaseFactory(station=station, area=areas[station], reported_on=day, fraud_type=types[(n + k) % 4],
                        loss=3000 + 500 * n, victim_age=19 + 7 * ((n + k) % 9),
                        victim_gender="female" if (n + k) % 3 else "male")  # fmt: skip
        if n % 3 == 0:
            CaseFactory(station=station, area=areas[station], reported_on=shift_year(day),
                        fraud_type=types[n % 2])  # fmt: skip
    task = WarningTaskFactory(task_no="YJE2E100", station=tree.station_a, subject_phone="13800138000")
    services.warning_acknowledge(task=task, user=tree.officer_a)
    WarningTaskFactory(task_no="YJE2E200", station=tree.station_b, issued_at=timezone.now() - dt.timedelta(days=2))
    waiting = WarningTaskFactory(task_no="YJE2E300", station=tree.station_b, level="low")
    services.warning_acknowledge(task=waiting, user=tree.officer_b)
    services.warning_handle(task=waiting, user=tree.officer_b, outcome="dissuaded", method="visit", note="上门劝阻")
    FourChecksReview.objects.create(kind=CheckKind.LARGE_CASE, county=tree.county_x, trigger_key="e2e",
                                    title="大额警情：滨江派出所", due_on=today - dt.timedelta(days=1))  # fmt: skip
    PublicityFactory(unit=tree.station_a, held_on=today)
    refresh()
    return tree


def host_of(url: str) -> str | None:
    """The host a request goes to; a blob: URL's is its page's, a data: URL goes nowhere."""
    if url.startswith("data:"):
        return "127.0.0.1"
    return urlsplit(url.removeprefix("blob:")).hostname


@pytest.fixture
def outside(page, live_server) -> list[str]:
    """Every request the page makes goes through here: one to another host is recorded
    and refused (the closed network would refuse it too)."""
    assert urlsplit(live_server.url).hostname in LOCAL_HOSTS
    refused: list[str] = []

    def route(route):
        if host_of(route.request.url) in LOCAL_HOSTS:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("request", lambda r: host_of(r.url) in LOCAL_HOSTS or refused.append(r.url))
    return refused


def sign_in(page, live_server, username: str, then: str = "") -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/" + (f"?next={quote(then)}" if then else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("button[type=submit]:has-text('登录')")


def shot(page, name: str, *, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def drawn_charts(page, minimum: int) -> int:
    """Wait until at least ``minimum`` Plotly containers hold drawn SVG; how many do."""
    page.wait_for_function("n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n", arg=minimum)
    return page.locator(DRAWN).count()


def settled(page) -> None:
    """Wait until the big screen's cross-fade is over: only the active slide shows."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.sc-panel:not(.active)')].every(p => getComputedStyle(p).opacity === '0')"
    )


# ---------------------------------------------------------------------------------------


def test_each_role_lands_on_a_useful_home(city, live_server, page, outside):
    homes = [
        ("leader", "/dashboard/C/", "[data-testid=dashboard]"),
        ("analyst_c", "/dashboard/C/", "[data-testid=dashboard]"),
        ("reviewer_x", "/reviewer/", "[data-testid=reviewer-home]"),
        ("officer_a", "/warnings/", "[data-task=YJE2E100]"),
    ]
    for username, path, landmark in homes:
        sign_in(page, live_server, username)
        assert urlsplit(page.url).path == path, username
        assert page.locator(landmark).count() == 1, username
        if not landmark.endswith("dashboard]"):  # the dashboard's own test shoots the dashboard
            shot(page, f"home-{username}", full_page=True)

    sign_in(page, live_server, "reviewer_x")
    assert page.text_content("[data-testid=feedback-count]") == "1"
    assert page.text_content("[data-testid=reviews-overdue]") == "1"
    assert page.text_content("[data-testid=overdue-tasks]") == "1"
    with page.expect_navigation():
        page.get_by_role("link", name="YJE2E300").click()  # the oldest feedback opens the task
    assert "YJE2E300" in page.text_content("h1")
    assert outside == [], "a page loaded something from outside the site"


def test_dashboard_draws_offline_and_drills_down(city, live_server, page, outside):
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_server, "leader")
    assert urlsplit(page.url).path == "/dashboard/C/"

    assert drawn_charts(page, 5) >= 5
    map_panel = page.locator("[data-testid=panel-map]")
    map_panel.locator(".chart[data-drawn] .maplibregl-canvas").wait_for()  # drawn, not fallen back to a table
    page.wait_for_timeout(300)  # let the map paint its areas before the screenshot
    shot(page, "dashboard-city", full_page=True)

    children = page.locator("[data-testid=panel-children]")
    children.locator("[data-toggle-table]").click()
    with page.expect_navigation():
        children.get_by_role("link", name="临江区公安分局").click()
    assert page.text_content("[data-testid=dash-title]") == "临江区公安分局"

    children = page.locator("[data-testid=panel-children]")
    children.locator("[data-toggle-table]").click()
    with page.expect_navigation():
        children.get_by_role("link", name="滨江派出所").click()
    assert page.text_content("[data-testid=dash-title]") == "滨江派出所"
    assert "临江区公安分局" in page.text_content("[data-testid=dash-breadcrumb]")
    drawn_charts(page, 3)
    page.locator("[data-testid=panel-map] .chart[data-drawn]").wait_for()

    with page.expect_navigation():
        page.click(".period-picker label.kind:has(input[value=year])")  # a kind submits at once
    assert "period=year" in page.url and page.text_content("[data-testid=dash-title]") == "滨江派出所"
    this_year = period_for("year", timezone.localdate()).to_date(timezone.localdate())
    assert page.text_content("[data-testid=dash-period]") == this_year.label
    drawn_charts(page, 3)
    page.wait_for_timeout(300)
    shot(page, "dashboard-station-year", full_page=True)
    assert outside == [], f"requests left the machine: {outside}"


def test_officer_handles_a_warning_on_a_phone_and_it_leaves(city, live_server, page, outside):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "officer_a")
    card = page.locator("[data-task=YJE2E100]")
    assert card.is_visible()
    shot(page, "queue-phone-before", full_page=True)

    card.locator("summary[data-action=open-handle]").click()
    handle = card.locator("form[data-outcome-form]")
    handle.locator("select[name=outcome]").select_option("dissuaded")
    handle.locator("input[name=method][value=phone]").check()
    handle.locator("textarea[name=note]").fill("电话劝阻，对象已停止转账")
    with page.expect_navigation():
        handle.locator("button[data-action=handle]").click()

    assert page.locator("[data-task=YJE2E100]").count() == 0
    assert "YJE2E100" in page.text_content("[data-testid=handled-today]")
    shot(page, "queue-phone-after", full_page=True)
    assert city.station_a.warning_tasks.get(task_no="YJE2E100").status == TaskStatus.FEEDBACK
    assert outside == []


def test_big_screen_draws_cycles_and_refreshes(city, live_server, page, outside):
    page.set_viewport_size({"width": 1920, "height": 1080})
    sign_in(page, live_server, "leader", then="/screen/?cycle=3&refresh=5")
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/screen/C/"
    assert page.text_content("[data-testid=screen-unit]") == "江临市公安局"
    stage = page.locator("[data-testid=screen-stage]")
    assert stage.get_attribute("data-shown") == "trend"
    page.locator(f".sc-panel.active {DRAWN}").first.wait_for()
    settled(page)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(6, 19, 38)"  # dark
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080, "the wall must not scroll"
    shot(page, "screen-1920-trend")

    page.wait_for_function("() => document.querySelector('[data-testid=screen-stage]').dataset.shown === 'children'",
                           timeout=6000)  # fmt: skip
    page.locator(f".sc-panel.active {DRAWN}").first.wait_for()
    clock = page.text_content("[data-testid=screen-clock]")
    page.wait_for_function("() => document.body.dataset.refreshes === '1'", timeout=8000)
    assert page.text_content("[data-testid=screen-clock]") != clock, "the clock stands still"
    assert page.text_content("[data-testid=screen-refreshed]").startswith("数据更新于")
    page.locator("[data-go]", has_text="发案地图").click()
    page.locator(".sc-panel.active .maplibregl-canvas").wait_for()
    settled(page)
    shot(page, "screen-1920-map")

    page.set_viewport_size({"width": 1024, "height": 768})  # a smaller screen: stacked, and it scrolls
    page.wait_for_timeout(500)  # the figures refit a moment after a resize
    shot(page, "screen-1024", full_page=True)
    assert outside == [], f"requests left the machine: {outside}"
