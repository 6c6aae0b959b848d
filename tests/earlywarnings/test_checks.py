"""四必查 opens itself: one review per trigger, for the right county, linked to what opened
it, announced to that county's reviewers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from earlywarnings.checks import open_four_checks
from earlywarnings.models import CheckKind, FourChecksReview, Outcome
from earlywarnings.services import warning_acknowledge, warning_handle
from earlywarnings.tasks import open_four_checks_task
from orgs.models import Area, Notification
from tests.factories import CaseFactory, WarningTaskFactory

NOW = dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)  # 17:00 in 江临市
TODAY = dt.date(2026, 5, 20)


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.FOUR_CHECKS_LARGE_LOSS = 500000
    settings.FOUR_CHECKS_CLUSTER_MIN = 3
    settings.FOUR_CHECKS_WINDOW_DAYS = 30
    settings.FOUR_CHECKS_DUE_DAYS = 7
    settings.FOUR_CHECKS_SCAN_DAYS = 90


@pytest.fixture
def community(tree):
    return Area.objects.get(code="XA1001")  # 幸福社区 of 滨江派出所, county X


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def test_a_large_case_opens_one_review_for_its_county(tree):
    case = CaseFactory(station=tree.station_a, case_no="A990001", loss=Decimal("1285000"), reported_on=days_ago(2))
    assert open_four_checks(now=NOW) == 1
    assert open_four_checks(now=NOW) == 0
    review = FourChecksReview.objects.get()
    assert review.kind == CheckKind.LARGE_CASE
    assert review.trigger_key == f"large_case:case:{case.pk}"
    assert review.county == tree.county_x
    assert review.title == "大额警情：A990001（128.50万元，滨江派出所）"
    assert review.due_on == TODAY + dt.timedelta(days=7)
    assert review.case == case and list(review.cases.all()) == [case]


def test_the_county_reviewers_are_told_once(tree):
    CaseFactory(station=tree.station_a, loss=Decimal("600000"), reported_on=days_ago(2))
    open_four_checks(now=NOW)
    open_four_checks(now=NOW)
    review = FourChecksReview.objects.get()
    notification = Notification.objects.get()
    assert (notification.user, notification.key) == (tree.reviewer_x, f"review:{review.pk}")
    assert review.title in notification.title


def test_small_old_and_voided_cases_open_nothing(tree):
    CaseFactory(station=tree.station_a, loss=Decimal("499999.99"), reported_on=days_ago(1))
    CaseFactory(station=tree.station_a, loss=Decimal("900000"), reported_on=days_ago(200))  # history
    voided = CaseFactory(station=tree.station_a, loss=Decimal("900000"), reported_on=days_ago(1))
    voided.mark_voided(user=tree.reviewer_x, reason="重复录入")
    voided.save()
    assert open_four_checks(now=NOW) == 0


def test_a_defrauded_task_opens_a_dissuasion_failed_review(tree):
    task = WarningTaskFactory(station=tree.station_b, level="high", issued_at=NOW - dt.timedelta(hours=3),
                              task_no="YJ20260520")  # fmt: skip
    warning_acknowledge(task=task, user=tree.officer_b, at=NOW - dt.timedelta(hours=3))
    task = warning_handle(task=task, user=tree.officer_b, outcome=Outcome.DEFRAUDED, method="phone",
                          note="已转账", loss=Decimal("30000"), at=NOW - dt.timedelta(hours=2))  # fmt: skip
    assert open_four_checks(now=NOW) == 1  # the case it created (预警后被骗) is covered by the task
    assert open_four_checks(now=NOW) == 0
    review = FourChecksReview.objects.get()
    assert (review.kind, review.trigger_key) == (CheckKind.DISSUASION_FAILED, f"dissuasion_failed:task:{task.pk}")
    assert (review.county, review.task, review.case) == (tree.county_x, task, task.case)
    assert list(review.cases.all()) == [task.case]
    assert review.title == "劝阻失效：预警YJ20260520（已被骗3.00万元，解放路派出所）"


def test_a_filed_case_warned_before_opens_a_dissuasion_failed_review(tree):
    case = CaseFactory(station=tree.station_d, warned_before=True, reported_on=days_ago(3))
    CaseFactory(station=tree.station_d, warned_before=True, filed=False, reported_on=days_ago(3))  # 警情 only
    assert open_four_checks(now=NOW) == 1
    review = FourChecksReview.objects.get()
    assert (review.trigger_key, review.county, review.case) == (
        f"dissuasion_failed:case:{case.pk}",
        tree.county_y,
        case,
    )
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["reviewer_y"]


def test_a_community_opens_a_review_at_the_third_case(tree, community):
    CaseFactory(station=tree.station_a, area=community, reported_on=days_ago(1))
    CaseFactory(station=tree.station_a, area=community, reported_on=days_ago(29))
    CaseFactory(station=tree.station_a, area=community, reported_on=days_ago(30))  # just outside the window
    assert open_four_checks(now=NOW) == 0
    third = CaseFactory(station=tree.station_a, area=community, reported_on=days_ago(0))
    assert open_four_checks(now=NOW) == 1
    assert open_four_checks(now=NOW) == 0
    review = FourChecksReview.objects.get()
    assert review.kind == CheckKind.COMMUNITY_CLUSTER
    assert (review.area, review.county) == (community, tree.county_x)
    assert review.cases.count() == 3 and third in review.cases.all()
    assert review.title == "社区多发：幸福社区（近30天3起，滨江派出所）"


def test_no_second_community_review_within_the_window(tree, community):
    for n in range(3):
        CaseFactory(station=tree.station_a, area=community, reported_on=days_ago(n))
    open_four_checks(now=NOW)
    FourChecksReview.objects.update(opened_at=NOW)  # opened_at is the wall clock; these tests live at NOW
    CaseFactory(station=tree.station_a, area=community, reported_on=TODAY + dt.timedelta(days=1))
    assert open_four_checks(now=NOW + dt.timedelta(days=1)) == 0
    for n in range(3):  # still many cases a whole window later: a new review
        CaseFactory(station=tree.station_a, area=community, reported_on=TODAY + dt.timedelta(days=30 + n))
    assert open_four_checks(now=NOW + dt.timedelta(days=32)) == 1
    assert FourChecksReview.objects.filter(kind=CheckKind.COMMUNITY_CLUSTER).count() == 2


def test_a_voided_case_does_not_count_towards_a_cluster(tree, community):
    CaseFactory(station=tree.station_a, area=community, reported_on=days_ago(1))
    CaseFactory(station=tree.station_a, area=community, reported_on=days_ago(2))
    voided = CaseFactory(station=tree.station_a, area=community, reported_on=days_ago(3))
    voided.mark_voided(user=tree.reviewer_x, reason="重复录入")
    voided.save()
    assert open_four_checks(now=NOW) == 0


def test_one_place_with_many_cases_in_a_county_opens_a_review(tree):
    CaseFactory(station=tree.station_a, place="快递驿站", reported_on=days_ago(1))
    CaseFactory(station=tree.station_b, place="快递驿站", reported_on=days_ago(2))
    CaseFactory(station=tree.station_d, place="快递驿站", reported_on=days_ago(2))  # another county
    assert open_four_checks(now=NOW) == 0
    CaseFactory(station=tree.station_b, place="快递驿站", reported_on=days_ago(3))
    assert open_four_checks(now=NOW) == 1
    assert open_four_checks(now=NOW) == 0
    review = FourChecksReview.objects.get()
    assert (review.kind, review.county, review.place) == (CheckKind.PLACE_CLUSTER, tree.county_x, "快递驿站")
    assert review.cases.count() == 3
    assert review.title == "部位多发：快递驿站（近30天3起，临江区公安分局）"
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["reviewer_x"]


def test_an_imported_large_case_opens_its_review(tree, django_capture_on_commit_callbacks):
    from imports.services import import_submit

    today = timezone.localdate()
    data = f"案件编号,受理日期,办案单位,诈骗类型,损失金额\nD1,{today:%Y-%m-%d},XA,刷单返利,880000\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        import_submit(kind="cases", file_name="c.csv", data=data, user=None, source="api")
    review = FourChecksReview.objects.get()
    assert (review.kind, review.case.case_no) == (CheckKind.LARGE_CASE, "D1")


def test_the_periodic_task_opens_the_reviews(tree):
    CaseFactory(station=tree.station_a, loss=Decimal("600000"), reported_on=timezone.localdate())
    assert open_four_checks_task.delay().get() == 1
    assert open_four_checks_task.delay().get() == 0


def test_a_failed_dissuasion_without_a_known_loss_does_not_claim_zero(tree):
    from django.utils import timezone

    from earlywarnings.checks import open_four_checks
    from earlywarnings.models import FourChecksReview, Outcome, TaskStatus
    from tests.factories import WarningTaskFactory

    task = WarningTaskFactory(station=tree.station_a)
    task.status, task.outcome, task.handled_at = TaskStatus.CLOSED, Outcome.DEFRAUDED, timezone.now()
    task.save()
    open_four_checks()
    title = FourChecksReview.objects.get(task=task).title
    assert "0.00" not in title and "已被骗" in title
