"""The rollup refresh: incremental refresh sees inserts, moves and voids; rebuilds agree."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum
from django.utils import timezone

from cases.services import case_event_add, case_update, case_void
from earlywarnings.services import warning_acknowledge, warning_handle, warning_transfer
from imports.services import import_execute, import_submit
from stats.metrics import base_values
from stats.models import CaseFact, Footprint, StatsState
from stats.periods import period_for
from stats.refresh import rebuild, refresh
from tests.factories import CaseFactory, PublicityFactory, WarningTaskFactory
from tests.imports.conftest import csv_bytes
from tests.imports.test_cases_import import HEADER, case_row

MAY = period_for("month", dt.date(2026, 5, 1))


def values(unit, period=MAY, **kwargs):
    return base_values(unit, [period], **kwargs)[0]


def at(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 5, day, hour))


@pytest.mark.django_db
def test_first_refresh_rebuilds_then_increments(tree):
    CaseFactory(station=tree.station_a, loss=Decimal("100.50"))
    first = refresh()
    assert first.kind == "rebuild"
    assert values(tree.city)["cases"] == 1
    CaseFactory(station=tree.station_b, loss=Decimal("200.25"))
    second = refresh()
    assert second.kind == "refresh" and second.records >= 1
    assert values(tree.city)["loss"] == Decimal("300.75")
    assert values(tree.county_x)["cases"] == 2
    assert values(tree.county_y)["cases"] == 0
    assert StatsState.objects.get().refreshed_at == second.refreshed_at


@pytest.mark.django_db
def test_moves_and_voids_leave_no_trace(tree):
    case = CaseFactory(station=tree.station_a, reported_on=dt.date(2026, 5, 3))
    case_event_add(case=case, user=tree.leader, kind="arrest", occurred_on=dt.date(2026, 5, 9), count=2)
    refresh()
    assert values(tree.station_a)["arrests"] == 2
    case_update(case=case, user=tree.leader, station=tree.station_d, reported_on=dt.date(2026, 4, 30))
    refresh()
    assert values(tree.station_a)["cases"] == 0
    assert values(tree.station_a)["arrests"] == 0  # the ledger moved with its case
    assert values(tree.station_d)["arrests"] == 2
    assert values(tree.station_d)["cases"] == 0  # now an April case
    assert values(tree.station_d, period_for("month", dt.date(2026, 4, 1)))["cases"] == 1
    case_void(case=case, user=tree.leader, reason="重复录入")
    refresh()
    assert values(tree.city)["arrests"] == 0
    assert values(tree.city, period_for("year", dt.date(2026, 1, 1)))["reports"] == 0


@pytest.mark.django_db
def test_warning_tasks_count_on_their_days(tree):
    task = WarningTaskFactory(station=tree.station_a, level="high", issued_at=at(4))
    refresh()
    assert values(tree.station_a)["warnings_received"] == 1
    warning_transfer(task=task, user=tree.reviewer_x, to_unit=tree.station_b, reason="非本辖区", at=at(4, 11))
    task.refresh_from_db()
    warning_acknowledge(task=task, user=tree.officer_b, at=at(4, 12))
    task.refresh_from_db()
    warning_handle(task=task, user=tree.officer_b, outcome="dissuaded", method="phone", note="已劝阻",
                   at=at(6))  # fmt: skip
    refresh()
    a, b = values(tree.station_a), values(tree.station_b)
    assert a["warnings_received"] == 0
    assert (b["warnings_received"], b["warnings_handled"], b["dissuaded"]) == (1, 1, 1)
    assert b["signed"] == 1 and b["sign_seconds"] == 2 * 3600


@pytest.mark.django_db
def test_rebuild_equals_incremental(tree):
    refresh()
    for day in range(1, 20):
        CaseFactory(station=tree.station_a if day % 2 else tree.station_d, reported_on=dt.date(2026, 5, day))
        PublicityFactory(unit=tree.station_b, held_on=dt.date(2026, 5, day), reach=day)
        refresh()
    incremental = values(tree.city)
    rebuild()
    assert values(tree.city) == incremental
    assert incremental["publicity_reach"] == sum(range(1, 20))
    assert Footprint.objects.count() == 38


@pytest.mark.django_db
def test_an_applied_import_refreshes_the_figures(tree, django_capture_on_commit_callbacks):
    refresh()
    rows = [HEADER, case_row("J1", loss="3,800"), case_row("J2", station="XB", loss="1,200.5")]
    with django_capture_on_commit_callbacks(execute=True):
        job = import_submit(kind="cases", file_name="x.csv", data=csv_bytes(rows), user=tree.leader, source="cli",
                            run=False)  # fmt: skip
        job = import_execute(job.pk)
    assert job.status == "applied"
    got = values(tree.county_x)
    assert (got["cases"], got["loss"]) == (2, Decimal("5000.50"))
    assert StatsState.objects.get().last_pairs == 2


@pytest.mark.django_db
def test_the_overlap_window_does_not_reread_what_was_counted(tree):
    case = CaseFactory(station=tree.station_a)
    case_event_add(case=case, user=tree.leader, kind="arrest", occurred_on=dt.date(2026, 5, 9), count=1)
    WarningTaskFactory(station=tree.station_a, issued_at=at(4))
    PublicityFactory(unit=tree.station_b)
    rebuild()
    # All four were stamped within the overlap, but a rebuild read them at these versions.
    assert refresh().records == 0
    CaseFactory(station=tree.station_b)
    assert refresh().records == 1
    assert refresh().records == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks between threads need PostgreSQL")
def test_concurrent_refreshes_never_double_count(tree):
    refresh()
    for day in range(1, 11):
        CaseFactory(station=tree.station_a, reported_on=dt.date(2026, 5, day), loss=Decimal("100"))
    barrier, errors = threading.Barrier(3), []

    def run():
        barrier.wait()
        try:
            refresh()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    got = values(tree.city)
    assert (got["cases"], got["loss"]) == (10, Decimal("1000.00"))
    assert CaseFact.objects.aggregate(n=Sum("n"))["n"] == 10
