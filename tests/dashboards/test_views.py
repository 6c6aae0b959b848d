"""The dashboard pages: city, county and station render real figures that agree with the
engine, stay inside the user's scope, drill down to children keeping the period, download
each panel's data, and read the database a fixed number of times however big the tree."""

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from openpyxl import load_workbook

from dashboards.panels import dashboard_panels, period_params
from orgs.models import Area, AreaKind
from stats.breakdowns import by_children
from stats.metrics import metrics
from stats.models import Target
from stats.periods import period_for
from stats.refresh import refresh
from tests.factories import AreaFactory, CaseFactory, PublicityFactory, UnitFactory, WarningTaskFactory
from tests.stats.test_api import seed_may_2024

MAY = {"period": "month", "date": "2024-05-31"}
MAY_2024 = period_for("month", dt.date(2024, 5, 1))
CITY_PANELS = ["trend", "children", "map", "fraud_type", "profile", "warnings", "backlog", "publicity", "targets"]
STATION_PANELS = ["trend", "queue", "warnings", "map", "fraud_type", "publicity"]
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[106.7, 31.5], [106.8, 31.5], [106.8, 31.6], [106.7, 31.6], [106.7, 31.5]]],
}


@pytest.fixture(autouse=True)
def _no_cache(settings):
    """Every request reads the engine (the page caches its answers for a minute)."""
    settings.DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture
def may(tree):
    seed_may_2024(tree)
    Area.objects.filter(code="XA1001").update(geometry=SQUARE)
    return tree


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def figure(response, key: str) -> dict:
    """The figure a panel embeds, as the browser reads it."""
    match = re.search(rf'<script id="fig-{key}" type="application/json">(.*?)</script>', response.content.decode())
    assert match, f"no figure for {key}"
    return json.loads(match.group(1))


def panel_keys(response) -> list[str]:
    return re.findall(r'data-panel="([a-z_]+)"', response.content.decode())


def table_rows(response, key: str) -> list[list[str]]:
    """A panel's table as the page shows it: each cell's raw value (``data-sort``)."""
    table = re.search(rf'data-testid="table-{key}">(.*?)</table>', response.content.decode(), re.S).group(1)
    body = table.split("<tbody>", 1)[1]
    return [re.findall(r'data-sort="([^"]*)"', row) for row in body.split("</tr>") if "<td" in row]


def card(response, key: str):
    return next(c for c in response.context["cards"] if c.key == key)


# ---------------------------------------------------------------------------- pages


def test_city_dashboard_shows_every_panel_with_the_engines_figures(may):
    response = client_for(may.leader).get("/dashboard/C/", MAY)
    assert response.status_code == 200
    assert panel_keys(response) == CITY_PANELS
    answer = metrics(may.city, MAY_2024)
    cases = next(k for k in response.context["kpis"] if k.key == "cases")
    assert cases.value == str(answer["metrics"]["cases"]["value"]) == "5"
    bars = figure(response, "children")["data"][0]
    children = {row["unit"]["code"]: row for row in by_children(may.city, MAY_2024)["rows"]}
    assert bars["x"] == ["临江区", "东湖区"]
    assert bars["y"] == [children["X"]["metrics"]["cases"]["value"], children["Y"]["metrics"]["cases"]["value"]]
    assert bars["y"] == [metrics(may.county_x, MAY_2024)["metrics"]["cases"]["value"], 1]
    trend = figure(response, "trend")["data"][0]
    assert sum(trend["y"]) == answer["metrics"]["cases"]["value"]  # the month's days, without the lead-in
    assert trend["x"][0] == "5月1日" and trend["x"][-1] == "5月31日"
    types = figure(response, "fraud_type")
    assert sum(types["data"][0]["x"]) == answer["metrics"]["cases"]["value"]
    assert round(sum(types["data"][1]["x"]), 2) == round(answer["metrics"]["loss"]["value"] / 10000, 2)


def test_county_dashboard_drills_down_to_its_stations_keeping_the_period(may):
    response = client_for(may.reviewer_x).get("/dashboard/X/", MAY)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/dashboard/XA/?period=month&amp;date=2024-05-31"' in html
    assert 'href="/dashboard/XB/?period=month&amp;date=2024-05-31"' in html
    assert "/dashboard/YD/" not in html  # not a child, and outside the reviewer's scope
    ranking = table_rows(response, "children")
    assert [row[1] for row in ranking] == ["滨江派出所", "解放路派出所"]
    assert ranking[0][4] == "3"  # station A: three filed cases in May
    crumbs = re.search(r'data-testid="dash-breadcrumb">(.*?)</nav>', html, re.S).group(1)
    assert "江临市公安局" in crumbs and 'href="/dashboard/C/' not in crumbs  # above the reviewer: no link


def test_station_dashboard_shows_its_work_its_areas_and_its_queue(may):
    response = client_for(may.officer_a).get("/dashboard/XA/", MAY)
    assert response.status_code == 200
    assert panel_keys(response) == STATION_PANELS
    map_figure = figure(response, "map")
    assert map_figure["data"][0]["locations"] == ["XA1001"]
    assert map_figure["data"][0]["z"] == [1.0]  # 2 cases at 幸福社区, 20,000 residents
    queue = figure(response, "queue")
    assert [t["value"] for t in queue["data"]] == [1, 1]  # the task of 4 May 2024: open, long overdue
    assert 'href="/warnings/"' in response.content.decode()


def test_a_station_dashboard_opened_from_above_links_to_that_stations_queue(may):
    response = client_for(may.leader).get("/dashboard/XA/", MAY)
    assert 'href="/warnings/?station=XA"' in response.content.decode()


def test_home_opens_your_own_units_dashboard_with_the_period(may):
    response = client_for(may.officer_a).get("/dashboard/", MAY)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/XA/?period=month&date=2024-05-31"


def test_a_custom_period_and_an_invalid_one(may):
    client = client_for(may.leader)
    response = client.get("/dashboard/C/", {"period": "custom", "start": "2024-05-01", "end": "2024-05-10"})
    assert response.context["period"].label == "2024年5月1日—5月10日"
    bad = client.get("/dashboard/C/", {"period": "custom", "start": "2024-05-10", "end": "2024-05-01"})
    assert bad.status_code == 200
    assert "结束日期不能早于开始日期" in bad.content.decode()


def test_an_empty_unit_says_what_to_do_instead_of_drawing_empty_frames(tree):
    response = client_for(tree.leader).get("/dashboard/C/", MAY)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="fig-trend"' not in html and 'id="fig-fraud_type"' not in html
    assert "本期及去年同期都没有立案记录" in html
    assert "尚未下达压降目标" in html and 'id="fig-targets"' not in html
    assert "尚未录入地图范围" in html  # the tree's areas have no shapes


def test_targets_show_cards_for_the_units_that_missed_them(may):
    Target.objects.create(unit=may.county_x, month=dt.date(2024, 5, 1), metric="cases", drop_pct=Decimal("10"))
    response = client_for(may.leader).get("/dashboard/C/", MAY)
    assert table_rows(response, "targets")[0][:2] == ["临江区公安分局", "发案数"]
    (bars,) = [t for t in figure(response, "targets")["data"] if t["type"] == "bar"]
    # X: 4 filed in May 2024 against 3 in May 2023: +33.3%, a rise past the red line.
    assert bars["y"] == [33.3] and bars["text"] == ["红牌 ↑33.3%"]
    assert "红牌：临江区公安分局" in card(response, "targets").note


# ---------------------------------------------------------------------------- scope


@pytest.mark.parametrize(
    ("user", "code"), [("officer_a", "XB"), ("officer_a", "X"), ("reviewer_y", "X"), ("reviewer_x", "C")]
)
def test_nobody_sees_a_dashboard_outside_their_subtree(tree, user, code):
    client = client_for(getattr(tree, user))
    assert client.get(f"/dashboard/{code}/").status_code == 404
    assert client.get(f"/dashboard/{code}/panels/trend/", {"format": "csv"}).status_code == 404


def test_anonymous_users_are_sent_to_log_in(tree):
    response = Client().get("/dashboard/C/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ---------------------------------------------------------------------------- downloads


def test_a_panel_downloads_as_csv_with_its_numbers(may):
    response = client_for(may.reviewer_x).get("/dashboard/X/panels/children/", {**MAY, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel and WPS read the Chinese
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:5] == ["排名", "单位", "常住人口", "警情数（起）", "发案数（起）"]
    assert rows[1][1] == "滨江派出所" and rows[1][4] == "3"
    assert rows[1][7] == "0.6"  # 6000.75 yuan: 0.60 万元


def test_a_panel_downloads_as_excel_with_numbers_as_numbers(may):
    response = client_for(may.leader).get("/dashboard/C/panels/fraud_type/", {**MAY, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "诈骗类型结构" in sheet["A1"].value
    assert [c.value for c in sheet[2]][:2] == ["诈骗类型", "发案数（起）"]
    counts = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value for r in range(3, 6)}
    assert counts["刷单返利"] == 4 and isinstance(counts["刷单返利"], int)


def test_text_that_looks_like_a_formula_is_not_run_by_the_spreadsheet(may):
    Area.objects.filter(code="XA1001").update(name="=HYPERLINK(1)")
    response = client_for(may.leader).get("/dashboard/XA/panels/map/", {**MAY, "format": "csv"})
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_an_unknown_panel_is_not_found(may):
    assert client_for(may.leader).get("/dashboard/C/panels/nothing/", MAY).status_code == 404


# ---------------------------------------------------------------------------- queries


def grow(tree, n: int) -> None:
    """``n`` more counties under the city, each with two stations, an area with a shape,
    a case, an activity, an open task and a target: everything a dashboard lists per child."""
    for i in range(n):
        county = UnitFactory(code=f"Z{i}", name=f"新区{i}公安分局", level="county", parent=tree.city)
        Target.objects.create(unit=county, month=dt.date(2024, 5, 1), metric="cases", drop_pct=Decimal("5"))
        for j in range(2):
            station = UnitFactory(code=f"Z{i}S{j}", name=f"新区{i}派出所{j}", parent=county)
            AreaFactory(code=f"Z{i}S{j}A", station=station, kind=AreaKind.VILLAGE, geometry=SQUARE, population=5000)
            CaseFactory(station=station, reported_on=dt.date(2024, 5, 2 + j))
            CaseFactory(station=station, reported_on=dt.date(2023, 5, 2 + j))
            PublicityFactory(unit=station, held_on=dt.date(2024, 5, 9))
            WarningTaskFactory(station=station)
    refresh()


# Session, user, unit and breadcrumb; about two per engine answer (the rollup sums and
# the rows that name things, and each answer's refreshed_at); the page's own few (areas'
# shapes, the queue by station, publicity by form, targets, card rule); the base template's;
# on one's own unit, the latest monthly bulletin.
CITY_QUERIES = 45
STATION_QUERIES = 30


def test_the_city_dashboard_reads_a_fixed_number_of_queries_however_many_children(may, django_assert_max_num_queries):
    client = client_for(may.leader)
    Target.objects.create(unit=may.county_x, month=dt.date(2024, 5, 1), metric="cases", drop_pct=Decimal("10"))
    with django_assert_max_num_queries(CITY_QUERIES) as before:
        assert client.get("/dashboard/C/", MAY).status_code == 200
    grow(may, 4)  # six counties, ten stations, targets for five of them
    with django_assert_max_num_queries(CITY_QUERIES) as after:
        response = client.get("/dashboard/C/", MAY)
    assert len(figure(response, "children")["data"][0]["x"]) == 6
    assert len(figure(response, "map")["data"][0]["locations"]) == 9
    assert len(next(t for t in figure(response, "targets")["data"] if t["type"] == "bar")["x"]) == 5
    assert len(after) <= len(before)


def test_the_station_dashboard_reads_a_fixed_number_of_queries(may, django_assert_max_num_queries):
    client = client_for(may.officer_a)
    with django_assert_max_num_queries(STATION_QUERIES):
        assert client.get("/dashboard/XA/", MAY).status_code == 200


def test_panels_are_shared_with_the_big_screen_as_plain_json(may):
    panels = dashboard_panels(may.city, MAY_2024, user=may.leader)
    for panel in panels:
        json.dumps(panel.figure, allow_nan=False)
        if panel.table:
            assert all(len(row) == len(panel.table.columns) for row in panel.table.rows)
    assert period_params(MAY_2024) == {"period": "month", "date": "2024-05-31"}


def test_answers_are_kept_until_the_next_refresh_and_shapes_until_an_area_changes(
    may, settings, django_assert_max_num_queries
):
    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    client = client_for(may.officer_a)
    client.get("/dashboard/XA/", MAY)
    with django_assert_max_num_queries(12):  # the session, the user, the unit and the base page: no engine
        assert client.get("/dashboard/XA/", MAY).status_code == 200
    area = Area.objects.get(code="XA1001")
    area.geometry = {"type": "Polygon", "coordinates": [[[107, 31], [107.1, 31], [107.1, 31.1], [107, 31]]]}
    area.save()
    refresh()  # a new refreshed_at: the answers are read again, and the changed area's shape with them
    assert figure(client.get("/dashboard/XA/", MAY), "map")["layout"]["meta"]["bounds"] == [107, 31, 107.1, 31.1]


# ---------------------------------------------------------------------------- kept pages


@pytest.fixture
def kept(settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()


def statsstate_reads(queries) -> int:
    return sum('"stats_statsstate"' in q["sql"] for q in queries)


def test_the_dashboard_reads_the_refresh_time_once(may, kept, monkeypatch, django_assert_max_num_queries):
    import dashboards.panels

    reads = []
    read = dashboards.panels.refreshed_at
    monkeypatch.setattr(dashboards.panels, "refreshed_at", lambda: reads.append(1) or read())
    client = client_for(may.leader)

    assert client.get("/dashboard/C/", MAY).status_code == 200  # built: the engine reads its own
    assert len(reads) == 1
    with django_assert_max_num_queries(12) as queries:  # kept: nothing of the engine's
        response = client.get("/dashboard/C/", MAY)
    assert len(reads) == 2 and statsstate_reads(queries) == 1
    assert response.context["refreshed_at"] is not None


def test_a_kept_page_is_not_built_again_until_the_rollups_change(may, kept, monkeypatch):
    import dashboards.panels

    def cases_by_station(response) -> dict[str, str]:
        return {row[1]: row[4] for row in table_rows(response, "children")}

    client = client_for(may.leader)
    first = cases_by_station(client.get("/dashboard/X/", MAY))
    with monkeypatch.context() as patched:
        patched.setattr(dashboards.panels, "dashboard_panels", lambda *a, **k: pytest.fail("built again"))
        assert cases_by_station(client.get("/dashboard/X/", MAY)) == first

    CaseFactory(station=may.station_b, reported_on=dt.date(2024, 5, 20))
    refresh()  # a new refresh time: the page is built again, with the new case
    after = cases_by_station(client.get("/dashboard/X/", MAY))
    assert after == {**first, "解放路派出所": str(int(first["解放路派出所"]) + 1)}


def test_a_kept_page_never_crosses_scopes(may, kept):
    own, other = 'class="tool link" href="/warnings/"', 'class="tool link" href="/warnings/?station=XA"'
    officer = client_for(may.officer_a)
    assert own in officer.get("/dashboard/XA/", MAY).content.decode()  # their own queue

    html = client_for(may.leader).get("/dashboard/XA/", MAY).content.decode()
    assert other in html and own not in html
    assert own in officer.get("/dashboard/XA/", MAY).content.decode()

    assert client_for(may.officer_b).get("/dashboard/XA/", MAY).status_code == 404  # kept, still not theirs
    assert client_for(may.reviewer_y).get("/dashboard/X/", MAY).status_code == 404
