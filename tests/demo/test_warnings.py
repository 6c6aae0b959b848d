"""Demo warning tasks: deterministic, idempotent, realistic shares, a live queue in every station."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, F

from demo.city import demo_city_seed
from demo.records import _stations, demo_records_seed
from demo.warnings import _day_rows, demo_warnings_seed
from earlywarnings.models import ContactAttempt, Outcome, TaskStatus, TaskTransition, WarningTask
from earlywarnings.validators import validate_id_number, validate_mainland_phone
from imports.parsers import SHANGHAI
from orgs.models import Unit, UnitLevel

NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=SHANGHAI)
TODAY = NOW.date()


def shares(queryset, field: str) -> dict[str, float]:
    total = queryset.count()
    return {row[field]: row["n"] / total for row in queryset.values(field).annotate(n=Count("id"))}


@pytest.fixture
def city(db):
    demo_city_seed(seed=2026, password="x")


def test_history_has_the_right_shares_a_live_queue_and_a_second_run_changes_nothing(city):
    demo_records_seed(seed=2026, today=TODAY)  # the 预后被骗 cases the tasks link to
    start = TODAY - dt.timedelta(days=45)
    first = demo_warnings_seed(seed=2026, now=NOW, start=start)
    tasks = WarningTask.objects.all()
    assert 2500 < first.created < 5500  # ~25,000 a year across the city

    levels = shares(tasks, "level")
    assert 0.11 < levels["high"] < 0.19 and 0.40 < levels["medium"] < 0.50 and 0.35 < levels["low"] < 0.45
    kinds = shares(tasks, "kind")
    assert kinds["phone"] + kinds["fund"] + kinds["app"] > 0.8
    handled = tasks.filter(handled_at__isnull=False)
    outcomes = shares(handled, "outcome")
    assert outcomes["dissuaded"] > 0.75 and 0.08 < outcomes["unreachable"] < 0.2
    # 已被骗 only where a 预后被骗 case stands behind it: every such task is linked.
    assert tasks.filter(outcome=Outcome.DEFRAUDED, case__isnull=True).count() == 0
    assert 0 < outcomes[Outcome.DEFRAUDED] < 0.05
    late = handled.filter(handled_at__gt=F("handle_deadline")).count() / handled.count()
    assert 0.01 < late < 0.06
    quick = tasks.filter(acknowledged_at__lte=F("issued_at") + dt.timedelta(minutes=10)).count()
    assert quick / tasks.exclude(acknowledged_at=None).count() > 0.9  # signed within minutes

    linked = tasks.filter(case__isnull=False).select_related("case")
    assert first.linked == linked.count() > 0
    assert all(t.case.warned_before and t.outcome == Outcome.DEFRAUDED and t.loss == t.case.loss for t in linked)
    assert all(t.issued_at.date() <= t.case.reported_on for t in linked)

    for task in tasks.order_by("?")[:200]:
        validate_mainland_phone(task.subject_phone)
        validate_id_number(task.subject_id_no)
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", task.subject_name) or task.subject_name.endswith(("先生", "女士"))
    assert not tasks.filter(issued_at__gt=NOW).exists() and not tasks.filter(handled_at__gt=NOW).exists()

    counts = (tasks.count(), TaskTransition.objects.count(), ContactAttempt.objects.count())
    stamps = dict(tasks.values_list("task_no", "updated_at"))
    second = demo_warnings_seed(seed=2026, now=NOW, start=start)
    assert (second.created, second.updated, second.linked, second.live_created) == (0, 0, 0, 0)
    assert (tasks.count(), TaskTransition.objects.count(), ContactAttempt.objects.count()) == counts
    assert dict(tasks.values_list("task_no", "updated_at")) == stamps


def test_every_station_has_open_work_today_and_each_county_one_overdue_task(city):
    report = demo_warnings_seed(seed=2026, now=NOW, start=TODAY - dt.timedelta(days=2))
    stations = Unit.objects.filter(level=UnitLevel.STATION)
    live = WarningTask.objects.filter(task_no__startswith=f"YJL{TODAY:%Y%m%d}")
    assert report.live_created == live.count()
    assert set(live.values_list("station", flat=True)) == set(stations.values_list("pk", flat=True))
    assert live.filter(status=TaskStatus.PENDING).count() >= stations.count()
    handling = live.filter(status=TaskStatus.HANDLING)
    assert handling.exists() and all(t.attempts.count() == 1 and t.acknowledged_by for t in handling)
    overdue = live.overdue(NOW)
    counties = stations.values("parent").distinct().count()
    assert overdue.count() == counties
    assert {t.station.parent_id for t in overdue} == set(stations.values_list("parent", flat=True))
    assert all(NOW - dt.timedelta(hours=6) < t.issued_at <= NOW for t in live)

    again = demo_warnings_seed(seed=2026, now=NOW + dt.timedelta(hours=2), start=TODAY - dt.timedelta(days=2))
    assert again.live_created == 0 and live.count() == report.live_created


def test_a_later_day_closes_yesterdays_live_queue_and_adds_todays(city):
    start = TODAY - dt.timedelta(days=3)
    demo_warnings_seed(seed=7, now=NOW, start=start)
    yesterday_live = set(WarningTask.objects.filter(task_no__startswith="YJL").values_list("task_no", flat=True))
    before = set(WarningTask.objects.values_list("task_no", "issued_at"))
    report = demo_warnings_seed(seed=7, now=NOW + dt.timedelta(days=1), start=start)
    after = set(WarningTask.objects.values_list("task_no", "issued_at"))
    assert before <= after and report.created == len(after) - len(before) - report.live_created
    closed = WarningTask.objects.filter(task_no__in=yesterday_live)
    assert set(closed.values_list("status", flat=True)) == {TaskStatus.CLOSED}
    assert all(t.transitions.last().action == "accept" for t in closed)


def test_the_history_of_a_day_depends_only_on_the_seed_and_the_day(city):
    stations = _stations()
    day = TODAY - dt.timedelta(days=30)
    one = list(_day_rows(2026, day, stations, 2023, NOW))
    assert one == list(_day_rows(2026, day, stations, 2023, NOW))
    assert one != list(_day_rows(2027, day, stations, 2023, NOW))
    with pytest.raises(ValidationError):
        validate_id_number(one[0]["subject_id_no"][:17] + ("0" if one[0]["subject_id_no"][17] != "0" else "1"))
