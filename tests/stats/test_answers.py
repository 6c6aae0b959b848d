"""Kept answers: the stats API answers the same question again from the cache until the
rollups change; nothing is kept before the first refresh or when keeping is off."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from stats.refresh import refresh
from tests.factories import CaseFactory

URL = "/api/v1/stats/?unit=C&period=month"


def test_an_answer_is_kept_until_the_rollups_change(tree, client, settings, django_assert_max_num_queries):
    settings.STATS_CACHE_SECONDS = 60
    today = timezone.localdate()
    CaseFactory(station=tree.station_a, reported_on=today, loss=Decimal("1000.00"))
    refresh()
    client.force_login(tree.leader)
    assert client.get(URL).json()["metrics"]["cases"]["value"] == 1

    with django_assert_max_num_queries(6):  # session, user, unit, refresh time: no rollup read
        assert client.get(URL).json()["metrics"]["cases"]["value"] == 1

    CaseFactory(station=tree.station_b, reported_on=today, loss=Decimal("2000.00"))
    refresh()
    assert client.get(URL).json()["metrics"]["cases"]["value"] == 2


def test_nothing_is_kept_before_the_first_refresh_or_when_off(tree, client, settings):
    client.force_login(tree.leader)
    settings.STATS_CACHE_SECONDS = 60
    CaseFactory(station=tree.station_a, reported_on=timezone.localdate() - dt.timedelta(days=1))
    assert client.get(URL).json()["metrics"]["cases"]["value"] == 0  # no rollups yet
    refresh()
    assert client.get(URL).json()["metrics"]["cases"]["value"] == 1

    settings.STATS_CACHE_SECONDS = 0
    CaseFactory(station=tree.station_a, reported_on=timezone.localdate())
    refresh()
    assert client.get(URL).json()["metrics"]["cases"]["value"] == 2
