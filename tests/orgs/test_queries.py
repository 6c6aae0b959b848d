"""Query counts stay flat as the tree grows (no N+1 behind the pages and the API)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from orgs.models import UnitLevel
from tests.factories import AreaFactory, UnitFactory


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def grow(tree, n: int) -> None:
    for i in range(n):
        county = UnitFactory(code=f"G{i}", level=UnitLevel.COUNTY, parent=tree.city)
        station = UnitFactory(code=f"G{i}S", parent=county)
        AreaFactory(code=f"G{i}A", station=station)


def test_home_page_queries_do_not_grow_with_the_tree(tree, client):
    client.force_login(tree.leader)
    small = count_queries(lambda: client.get(reverse("home") + "?overview=1"))
    grow(tree, 5)
    assert count_queries(lambda: client.get(reverse("home") + "?overview=1")) == small


def test_unit_api_queries_do_not_grow_with_the_tree(tree):
    api = APIClient()
    api.force_authenticate(tree.leader)
    small = count_queries(lambda: api.get("/api/v1/units/"))
    grow(tree, 5)
    assert count_queries(lambda: api.get("/api/v1/units/")) == small
