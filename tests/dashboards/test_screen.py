"""The big screen (大屏): scoped like the dashboard (a unit outside the user's subtree is a
404), today's and this month's figures with 同比, and the dashboard's key panels as slides
whose figures are embedded for the browser to draw — nothing loaded from elsewhere."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.panels import Panel, Table
from dashboards.screen import SLIDES, screen_slides
from orgs.models import Area
from stats.metrics import metrics
from stats.periods import period_for
from stats.refresh import refresh
from tests.factories import AreaFactory, CaseFactory, UnitFactory, WarningTaskFactory

TODAY = timezone.localdate


def square(west: float, south: float, size: float = 0.02) -> dict:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings):
    settings.DASHBOARD_CACHE_SECONDS = 0  # tests reuse primary keys: a cached answer would leak


@pytest.fixture
def city(tree):
    """Cases today and earlier this month at A and B (临江) and at D (东湖), one a year ago
    today; an open task at A; areas with map shapes; the rollups refreshed."""
    today = TODAY()
    community = Area.objects.get(code="XA1001")
    Area.objects.filter(code="XA1").update(geometry=square(120.0, 30.0))
    Area.objects.filter(code="XA1001").update(geometry=square(120.02, 30.0))
    Area.objects.filter(code="YD1001").update(geometry=square(120.04, 30.0))
    for _n in range(3):
        CaseFactory(station=tree.station_a, area=community, reported_on=today)
    if today.day > 1:  # earlier this month
        CaseFactory(station=tree.station_b, reported_on=today - dt.timedelta(days=1))
    CaseFactory(station=tree.station_d, reported_on=today)
    CaseFactory(station=tree.station_a, reported_on=today.replace(year=today.year - 1, day=min(today.day, 28)))
    WarningTaskFactory(task_no="YJS001", station=tree.station_a)
    refresh()
    return tree


def screen_of(client, user, code: str, **params):
    client.force_login(user)
    return client.get(reverse("screen", args=[code]), params)


# ---------------------------------------------------------------------------- scope


def test_each_user_sees_their_subtree_and_a_sibling_is_not_found(tree, client):
    assert screen_of(client, tree.leader, "C").status_code == 200
    assert screen_of(client, tree.leader, "YD").status_code == 200
    assert screen_of(client, tree.reviewer_x, "X").status_code == 200
    assert screen_of(client, tree.reviewer_x, "XA").status_code == 200
    assert screen_of(client, tree.reviewer_x, "Y").status_code == 404
    assert screen_of(client, tree.reviewer_x, "C").status_code == 404
    assert screen_of(client, tree.officer_b, "XA").status_code == 404
    assert screen_of(client, tree.leader, "NOPE").status_code == 404


def test_own_screen_is_the_users_unit_and_keeps_the_query(tree, client):
    client.force_login(tree.reviewer_x)

    response = client.get(reverse("screen_home"), {"period": "ytd", "cycle": "20"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('screen', args=['X'])}?period=ytd&cycle=20"


def test_signed_out_is_sent_to_sign_in(tree, client):
    response = client.get(reverse("screen", args=["C"]))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# ---------------------------------------------------------------------------- content


def test_shows_today_and_this_month_with_yoy(city, client):
    response = screen_of(client, city.leader, "C")
    groups = {group.key: group for group in response.context["kpi_groups"]}
    today = TODAY()

    cards = {kpi.key: (kpi, yoy) for kpi, yoy in groups["today"].cards}
    assert cards["cases"][0].value == "4" and cards["cases"][1].label == "同比"
    month = metrics(city.city, period_for("month", today).to_date(today))["metrics"]["cases"]["value"]
    assert {kpi.key: kpi.value for kpi, _ in groups["month"].cards}["cases"] == str(month)
    page = response.content.decode()
    assert 'data-group="today"' in page and 'data-group="month"' in page and "数据更新于" in page


def test_slides_hold_the_key_panels_with_their_figures(city, client):
    response = screen_of(client, city.leader, "C")

    slides = response.context["slides"]
    keys = [slide.key for slide in slides]
    assert keys[:2] == ["trend", "children"] and "map" in keys and "warnings" in keys
    page = response.content.decode()
    for slide in slides:
        assert f'data-panel="{slide.key}"' in page
    figures = re.findall(r'<script type="application/json">(.*?)</script>', page, re.S)
    assert len(figures) == sum(1 for slide in slides for panel in slide.panels if panel.figure)
    drawn = [json.loads(f) for f in figures]
    assert any(trace["type"] == "choroplethmap" for figure in drawn for trace in figure["data"])


def test_a_station_screen_has_its_own_slides(city, client):
    response = screen_of(client, city.officer_a, "XA")

    keys = [slide.key for slide in response.context["slides"]]
    assert "children" not in keys and keys[0] == "trend"


def test_loads_nothing_from_elsewhere(city, client):
    page = screen_of(client, city.leader, "C").content.decode()

    assert '/static/vendor/plotly.min.js"' in page and '/static/js/screen.js"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_cycle_and_refresh_are_clamped(tree, client):
    response = screen_of(client, tree.leader, "C", cycle="1", refresh="abc")

    assert (response.context["cycle"], response.context["refresh"]) == (3, 60)
    assert 'data-cycle="3"' in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_queries_do_not_grow_with_the_tree(city, client):
    """No N+1: another station with its cases, areas and tasks costs no extra query."""
    client.force_login(city.leader)
    url = reverse("screen", args=["C"])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    station = UnitFactory(code="XC", name="新港派出所", parent=city.county_x)
    area = AreaFactory(code="XC1", station=station, geometry=square(120.06, 30.0))
    CaseFactory(station=station, area=area, reported_on=TODAY())
    WarningTaskFactory(task_no="YJS002", station=station)
    refresh()

    with CaptureQueriesContext(connection) as after:
        client.get(url)

    assert len(after) == len(before) <= 60


# ---------------------------------------------------------------------------- slides


def panel(key: str, *, figure: bool = True) -> Panel:
    return Panel(
        key, key.upper(), {"data": [], "layout": {}} if figure else None, Table(["a"], [[1]]) if not figure else None
    )


def test_slides_follow_the_walls_order_and_pair_the_warning_work():
    panels = [panel(k) for k in ("publicity", "warnings", "map", "trend", "backlog", "fraud_type", "children")]

    slides = screen_slides(panels)

    assert [s.key for s in slides] == ["trend", "children", "fraud_type", "map", "warnings"]
    assert [p.key for p in slides[-1].panels] == ["warnings", "backlog"]
    assert slides[-1].title == "WARNINGS"


def test_a_panel_with_nothing_to_show_is_left_out_and_tables_stay():
    empty = Panel("map", "发案地图", None, None, "尚未录入地图范围")

    slides = screen_slides([panel("trend"), empty, panel("children", figure=False)])

    assert [s.key for s in slides] == ["trend", "children"]


def test_unknown_panels_each_get_a_slide():
    slides = screen_slides([panel("alpha"), panel("beta")])

    assert [s.key for s in slides] == ["alpha", "beta"] and all(len(s.panels) == 1 for s in slides)
    assert {key for keys in SLIDES for key in keys} >= {"trend", "children", "fraud_type", "map", "warnings"}


def test_yesterday_does_not_count_as_today(city, client):
    CaseFactory(station=city.station_a, reported_on=TODAY() - dt.timedelta(days=1))
    refresh()

    groups = {g.key: g for g in screen_of(client, city.leader, "XA").context["kpi_groups"]}

    assert {kpi.key: kpi.value for kpi, _ in groups["today"].cards}["cases"] == "3"
