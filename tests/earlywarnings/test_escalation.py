"""Overdue warning tasks climb the tree: station at the deadline, county after 30 minutes,
city after two hours — each step once, however often the periodic task runs."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from earlywarnings.escalation import escalate_overdue
from earlywarnings.models import Escalation, Outcome
from earlywarnings.services import warning_acknowledge, warning_handle, warning_review
from earlywarnings.tasks import escalate_overdue_task
from orgs.models import Notification
from orgs.roles import Role
from tests.factories import UserFactory, WarningTaskFactory

# A high-risk task must be signed for within 10 minutes and handled within 120 (the
# default policy); this one was issued 15 minutes before NOW and nobody signed for it.
NOW = dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)
ISSUED = NOW - dt.timedelta(minutes=15)


@pytest.fixture
def settings_steps(settings):
    settings.ESCALATION_MINUTES = {"station": 0, "county": 30, "city": 120}


@pytest.fixture
def task(tree, settings_steps):
    return WarningTaskFactory(station=tree.station_a, level="high", issued_at=ISSUED, task_no="YJ0001")


def recipients(key_part: str) -> set[str]:
    return set(Notification.objects.filter(key__contains=key_part).values_list("user__username", flat=True))


def steps(task) -> set[tuple[str, str]]:
    return set(Escalation.objects.filter(task=task).values_list("deadline", "step"))


def test_unsigned_task_escalates_to_its_station_once(task, tree):
    UserFactory(username="officer_a2", unit=tree.station_a, role=Role.OFFICER)
    assert escalate_overdue(now=NOW) == 1
    assert escalate_overdue(now=NOW) == 0
    assert steps(task) == {("sign", "station")}
    escalation = Escalation.objects.get()
    assert (escalation.unit, escalation.notified) == (tree.station_a, 2)
    assert Notification.objects.count() == 2
    assert recipients(f"escalation:{task.pk}:sign:station") == {"officer_a", "officer_a2"}


def test_notification_names_the_task_but_never_the_person(task):
    escalate_overdue(now=NOW)
    notification = Notification.objects.get()
    assert notification.title == "预警任务超期未签收：YJ0001（高风险，滨江派出所）"
    assert notification.url.endswith(f"/{task.pk}/")
    text = notification.title + notification.body
    assert "张三" not in text and "13800138000" not in text


def test_county_reviewers_hear_after_thirty_minutes(task, tree):
    escalate_overdue(now=NOW)
    assert escalate_overdue(now=NOW + dt.timedelta(minutes=20)) == 0  # 25 minutes late: not yet
    assert escalate_overdue(now=NOW + dt.timedelta(minutes=40)) == 1
    assert recipients(f"escalation:{task.pk}:sign:county") == {"reviewer_x"}  # not reviewer_y of the other county
    assert Escalation.objects.get(step="county").unit == tree.county_x


def test_city_leaders_hear_after_two_hours(task, tree):
    UserFactory(username="analyst", unit=tree.city, role=Role.ANALYST)
    escalate_overdue(now=NOW)
    escalate_overdue(now=NOW + dt.timedelta(minutes=40))
    later = NOW + dt.timedelta(minutes=120)  # 125 minutes past signing, 15 past handling
    escalate_overdue(now=later)
    assert recipients(f"escalation:{task.pk}:sign:city") == {"leader", "analyst"}
    assert steps(task) == {("sign", "station"), ("sign", "county"), ("sign", "city"), ("handle", "station")}
    assert escalate_overdue(now=later) == 0


def test_a_late_first_run_fires_every_step_that_is_due(task):
    assert escalate_overdue(now=NOW + dt.timedelta(minutes=60)) == 2  # 65 minutes late to sign
    assert steps(task) == {("sign", "station"), ("sign", "county")}


def test_signed_in_time_but_handled_late_escalates_on_the_handle_deadline(task, tree):
    warning_acknowledge(task=task, user=tree.officer_a, at=ISSUED + dt.timedelta(minutes=5))
    assert escalate_overdue(now=NOW) == 0
    assert escalate_overdue(now=ISSUED + dt.timedelta(minutes=121)) == 1
    assert steps(task) == {("handle", "station")}
    assert Notification.objects.get().title.startswith("预警任务超期未处置：YJ0001")


def test_a_task_handled_in_time_never_escalates(task, tree):
    warning_acknowledge(task=task, user=tree.officer_a, at=ISSUED + dt.timedelta(minutes=5))
    warning_handle(task=task, user=tree.officer_a, outcome=Outcome.DISSUADED, method="phone", note="已劝阻",
                   at=ISSUED + dt.timedelta(minutes=60))  # fmt: skip
    assert escalate_overdue(now=ISSUED + dt.timedelta(days=1)) == 0
    assert not Escalation.objects.exists() and not Notification.objects.exists()


def test_a_task_returned_after_its_deadline_escalates_once_per_step(task, tree):
    warning_acknowledge(task=task, user=tree.officer_a, at=ISSUED + dt.timedelta(minutes=5))
    warning_handle(task=task, user=tree.officer_a, outcome=Outcome.DISSUADED, method="phone", note="已劝阻",
                   at=ISSUED + dt.timedelta(minutes=60))  # fmt: skip
    warning_review(task=task, user=tree.reviewer_x, accept=False, reason="未见面核实",
                   at=ISSUED + dt.timedelta(minutes=130))  # fmt: skip
    at = ISSUED + dt.timedelta(minutes=131)
    assert escalate_overdue(now=at) == 1
    assert escalate_overdue(now=at) == 0
    assert steps(task) == {("handle", "station")}
    # Returned again and still open later: the steps that fired do not fire again.
    assert escalate_overdue(now=at + dt.timedelta(minutes=40)) == 1
    assert steps(task) == {("handle", "station"), ("handle", "county")}
    assert Notification.objects.filter(user=tree.officer_a).count() == 1


def test_a_task_waiting_at_the_county_goes_to_its_reviewers(tree, settings_steps):
    task = WarningTaskFactory(station=tree.county_x, level="high", issued_at=ISSUED)
    escalate_overdue(now=NOW)
    assert Escalation.objects.get().unit == tree.county_x
    assert recipients(f"escalation:{task.pk}:sign:station") == {"reviewer_x"}


def test_voided_tasks_do_not_escalate(task, tree):
    task.mark_voided(user=tree.reviewer_x, reason="重复下发")
    task.save()
    assert escalate_overdue(now=NOW) == 0


def test_queries_do_not_grow_with_the_number_of_overdue_tasks(tree, settings_steps):
    WarningTaskFactory(station=tree.station_a, level="high", issued_at=ISSUED)
    with CaptureQueriesContext(connection) as one:
        assert escalate_overdue(now=NOW) == 1
    for station in (tree.station_a, tree.station_b, tree.station_d) * 2:
        WarningTaskFactory(station=station, level="high", issued_at=ISSUED)
    with CaptureQueriesContext(connection) as six:
        assert escalate_overdue(now=NOW) == 6
    # savepoint, tasks, fired steps, units above, people, insert steps, known notifications,
    # insert notifications, release
    assert len(six) == len(one) == 9


def test_the_periodic_task_runs_the_escalation(tree, settings_steps):
    WarningTaskFactory(station=tree.station_a, level="high", issued_at=timezone.now() - dt.timedelta(minutes=15))
    assert escalate_overdue_task.delay().get() == 1
    assert escalate_overdue_task.delay().get() == 0


def test_beat_runs_both_scans_and_each_run_expires_before_the_next(settings):
    from antifraud.celery import app

    entries = {e["task"]: e for e in settings.CELERY_BEAT_SCHEDULE.values()}
    for name, minutes in (("earlywarnings.escalate_overdue", 2), ("earlywarnings.open_four_checks", 10)):
        assert name in app.tasks
        assert entries[name]["schedule"].minute == set(range(0, 60, minutes))
        assert 0 < entries[name]["options"]["expire_seconds"] < minutes * 60
