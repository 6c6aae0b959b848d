"""On demo data, the engine equals the reference: every period kind, every unit level.

A slice of the demo city made by the demo's own generators, through the intake as
``seed_demo`` writes it: two of the five counties (an urban district and the rural county
that grows), their cases, ledgers and publicity from January 2025, their warning tasks
from late January 2026 with today's live queue. Then the next day's run — new records,
ledgers growing, yesterday's live tasks closed, a new live queue — and an incremental
refresh. The whole demo takes half a minute to seed; this slice, a few seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from unittest import mock

import pytest

from demo import records as demo_records
from demo import warnings as demo_warnings
from demo.city import COUNTIES, demo_city_seed
from imports.kinds.cases import CasesKind
from imports.kinds.publicity import PublicityKind
from orgs.models import Unit, UnitLevel
from stats.periods import custom_period, period_for
from stats.refresh import rebuild, refresh
from tests.stats.reference import LOCAL, Records
from tests.stats.test_reference import assert_engine_matches, assert_same_rows, assert_stats_json, rollup_rows

SEED = 2026
NOW = dt.datetime(2026, 3, 5, 10, 30, tzinfo=LOCAL)
SLUGS = ("donghu", "beiling")
CASES_FROM = dt.date(2025, 1, 1)
TASKS_FROM = dt.date(2026, 1, 20)
KINDS = ("day", "week", "xun", "month", "quarter", "year", "ytd")


def _days(first: dt.date, last: dt.date):
    while first <= last:
        yield first
        first += dt.timedelta(days=1)


def seed_slice(now: dt.datetime) -> None:
    """What ``seed_demo`` writes at ``now`` for the stations of SLUGS (the whole city's random
    draws are made, so each record is exactly the demo's own)."""
    today = now.date()
    yesterday, start_year = today - dt.timedelta(days=1), today.year - 3  # as demo.records.demo_years
    everywhere = demo_records._stations()
    stations = [s for s in everywhere if s.slug in SLUGS]
    codes = {s.code for s in stations}
    counties = [f"{c.code6}000000" for c in COUNTIES]
    units = codes | {f"{c.code6}000000" for c in COUNTIES if c.slug in SLUGS}

    cases, activities = [], []
    for day in _days(CASES_FROM, yesterday):
        rng = random.Random(f"{SEED}:{day.isoformat()}")
        for station in everywhere:
            rows = list(demo_records._case_rows(rng, day, station, yesterday, start_year))
            cases += rows if station.code in codes else []
        activities += [
            row for row in demo_records._publicity_rows(rng, day, everywhere, counties) if row["unit"] in units
        ]
    demo_records._through_intake(CasesKind(), cases)
    demo_records._through_intake(PublicityKind(), activities)

    tasks = []
    for day in _days(TASKS_FROM, yesterday):
        tasks += [
            row for row in demo_warnings._day_rows(SEED, day, everywhere, start_year, now) if row["station"] in codes
        ]
    demo_warnings._through_intake(tasks)
    demo_warnings._through_intake([*demo_warnings._warned_victim_rows(SEED, TASKS_FROM, stations, now),
                                   *demo_warnings._stale_live_rows(SEED, today, now)])  # fmt: skip
    demo_warnings._link_warned_victims()
    demo_warnings._live_queue_seed(SEED, today, stations, now)


def check(now: dt.datetime) -> None:
    """Every kind of period — ending today (超期未处置 at ``now``), or before — at the city,
    every county and every station of the slice; the stats JSON at each level."""
    today = now.date()
    anchors = (today, dt.date(2026, 2, 27), dt.date(2025, 12, 31))
    periods = [period_for(kind, day) for kind in KINDS for day in anchors]
    periods += [custom_period(dt.date(2026, 1, 25), today), custom_period(dt.date(2025, 12, 28), dt.date(2026, 1, 3))]
    counties = [f"{c.code6}000000" for c in COUNTIES]
    units = list(
        Unit.objects.filter(level=UnitLevel.CITY)
        | Unit.objects.filter(code__in=counties)
        | Unit.objects.filter(level=UnitLevel.STATION, parent__code__in=[f"{c.code6}000000" for c in COUNTIES
                                                                          if c.slug in SLUGS])
    )  # fmt: skip
    records = Records.read()
    assert len(records.cases) > 300 and len(records.tasks) > 500 and records.events and records.activities
    assert_engine_matches(records, units, periods, now=now)

    city = next(u for u in units if u.level == UnitLevel.CITY)
    county = next(u for u in units if u.code.startswith(next(c.code6 for c in COUNTIES if c.slug == "beiling")))
    station = next(u for u in units if u.parent_id == county.pk)
    json_periods = [period_for(kind, dt.date(2026, 2, 27)) for kind in KINDS]
    json_periods.append(custom_period(dt.date(2026, 2, 1), dt.date(2026, 2, 27)))
    for unit in (city, county, station):
        for period in json_periods:
            assert_stats_json(records, unit, period, now=now)


@pytest.mark.django_db
def test_demo_slice_equals_the_reference_before_and_after_a_day_of_changes():
    clock = NOW
    with mock.patch("django.utils.timezone.now", lambda: clock):
        demo_city_seed(seed=SEED, password="x")
        seed_slice(NOW)
        assert refresh().kind == "rebuild"
        check(NOW)

        clock = NOW + dt.timedelta(days=1)
        seed_slice(clock)
        result = refresh()
        assert result.kind == "refresh" and result.records > 0
        check(clock)

        incremental = rollup_rows()
        rebuild()
        assert_same_rows(incremental, rollup_rows())
