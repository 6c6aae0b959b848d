"""Shared fixtures: a small tree with the people of the scope tests.

江临市 (city)                         leader
├── 临江区 X (county)                 reviewer_x
│   ├── 滨江派出所 A (station)        officer_a   areas: 滨江街道 › 幸福社区
│   └── 解放路派出所 B (station)      officer_b
└── 东湖区 Y (county)                 reviewer_y  (X's sibling: must see nothing of X)
    └── 东湖派出所 D (station)
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache

from orgs.models import AreaKind, Unit, UnitLevel, User
from orgs.roles import Role
from tests.factories import AreaFactory, UnitFactory, UserFactory


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _tasks_in_process():
    """Tasks run in-process in tests, also when REDIS_URL is set (CI's second run):
    only tests/test_celery.py talks to a real worker, and it says so itself."""
    from antifraud.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _empty_cache():
    """Kept answers never outlive their test (tests reuse primary keys)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _taxonomy_survives_flushes(request):
    """Transactional tests (live server, real commits) flush the database after them,
    data migrations' rows included: put the default taxonomy back for whoever is next."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"live_server", "transactional_db"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from cases.models import FraudType
        from cases.taxonomy import fraud_types_seed

        fraud_types_seed(FraudType)


@dataclass
class Tree:
    city: Unit
    county_x: Unit
    county_y: Unit
    station_a: Unit
    station_b: Unit
    station_d: Unit
    leader: User
    reviewer_x: User
    reviewer_y: User
    officer_a: User
    officer_b: User


@pytest.fixture
def tree(db) -> Tree:
    city = UnitFactory(code="C", name="江临市公安局", level=UnitLevel.CITY, population=1_000_000)
    county_x = UnitFactory(code="X", name="临江区公安分局", level=UnitLevel.COUNTY, parent=city)
    county_y = UnitFactory(code="Y", name="东湖区公安分局", level=UnitLevel.COUNTY, parent=city)
    station_a = UnitFactory(code="XA", name="滨江派出所", parent=county_x)
    station_b = UnitFactory(code="XB", name="解放路派出所", parent=county_x)
    station_d = UnitFactory(code="YD", name="东湖派出所", parent=county_y)
    street = AreaFactory(code="XA1", name="滨江街道", kind=AreaKind.SUBDISTRICT, station=station_a)
    AreaFactory(code="XA1001", name="幸福社区", station=station_a, parent=street)
    AreaFactory(code="YD1001", name="翠湖社区", station=station_d)
    return Tree(
        city=city, county_x=county_x, county_y=county_y,
        station_a=station_a, station_b=station_b, station_d=station_d,
        leader=UserFactory(username="leader", unit=city, role=Role.LEADER),
        reviewer_x=UserFactory(username="reviewer_x", unit=county_x, role=Role.REVIEWER),
        reviewer_y=UserFactory(username="reviewer_y", unit=county_y, role=Role.REVIEWER),
        officer_a=UserFactory(username="officer_a", unit=station_a, role=Role.OFFICER),
        officer_b=UserFactory(username="officer_b", unit=station_b, role=Role.OFFICER),
    )  # fmt: skip
