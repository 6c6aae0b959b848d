"""The reviewer's home: feedback waiting for review (the oldest first), open 四必查 reviews
with the overdue ones marked, and the stations' overdue backlog — counted within the
reviewer's county only; reviewers land on it after signing in."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.reviewer import OLDEST_FEEDBACK
from earlywarnings import services
from earlywarnings.models import CheckKind, FourChecksReview, ReviewStatus
from tests.factories import TEST_PASSWORD, WarningTaskFactory


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


def feedback(station, officer, *, hours_ago: int, task_no: str):
    """A task its station has handled ``hours_ago`` hours ago: waiting for the county."""
    task = WarningTaskFactory(task_no=task_no, station=station, level="low", issued_at=ago(hours=hours_ago + 2))
    task = services.warning_acknowledge(task=task, user=officer, at=ago(hours=hours_ago + 1))
    return services.warning_handle(task=task, user=officer, outcome="dissuaded", method="phone", note="已劝阻",
                                   at=ago(hours=hours_ago))  # fmt: skip


def check(county, key: str, *, due_in_days: int, status=ReviewStatus.OPEN) -> FourChecksReview:
    return FourChecksReview.objects.create(
        kind=CheckKind.LARGE_CASE, county=county, trigger_key=key, title=f"核查{key}", status=status,
        due_on=timezone.localdate() + dt.timedelta(days=due_in_days),
    )  # fmt: skip


@pytest.fixture
def work(tree):
    """In 临江 (X): seven feedbacks, three open reviews (one overdue) and one closed, two
    overdue tasks at A and an open one at B; in 东湖 (Y), the sibling: one of each."""
    for n in range(7):
        feedback(tree.station_a if n % 2 else tree.station_b, tree.officer_a, hours_ago=10 - n, task_no=f"FB{n}")
    check(tree.county_x, "x-late", due_in_days=-2)
    check(tree.county_x, "x-soon", due_in_days=1)
    check(tree.county_x, "x-later", due_in_days=5)
    check(tree.county_x, "x-done", due_in_days=-9, status=ReviewStatus.CLOSED)
    for n in range(2):
        WarningTaskFactory(task_no=f"LATE{n}", station=tree.station_a, level="high", issued_at=ago(days=3))
    WarningTaskFactory(task_no="FRESH", station=tree.station_b, level="low")
    feedback(tree.station_d, tree.officer_a, hours_ago=30, task_no="FBY")
    check(tree.county_y, "y-late", due_in_days=-1)
    WarningTaskFactory(task_no="LATEY", station=tree.station_d, level="high", issued_at=ago(days=3))
    return tree


def home_of(client, user):
    client.force_login(user)
    response = client.get(reverse("reviewer_home"))
    assert response.status_code == 200
    return response


def test_counts_the_reviewers_county_only(work, client):
    home = home_of(client, work.reviewer_x).context["home"]

    assert home.feedback_count == 7
    assert [item.task.task_no for item in home.oldest_feedback] == ["FB0", "FB1", "FB2", "FB3", "FB4"]
    assert len(home.oldest_feedback) == OLDEST_FEEDBACK
    assert (home.reviews_open, home.reviews_overdue) == (3, 1)
    assert [(r.trigger_key, r.is_overdue) for r in home.reviews] == [
        ("x-late", True), ("x-soon", False), ("x-later", False)]  # fmt: skip
    assert [(row.unit.code, row.open, row.overdue) for row in home.stations] == [("XA", 2, 2), ("XB", 1, 0)]
    assert (home.backlog.total.open, home.backlog.total.overdue) == (3, 2)


def test_the_sibling_county_sees_its_own(work, client):
    page = home_of(client, work.reviewer_y)
    home = page.context["home"]

    assert home.feedback_count == 1 and home.oldest_feedback[0].task.task_no == "FBY"
    assert [r.trigger_key for r in home.reviews] == ["y-late"]
    assert [(row.unit.code, row.overdue) for row in home.stations] == [("YD", 1)]
    assert "FB0" not in page.content.decode() and "核查x-late" not in page.content.decode()


def test_page_links_to_the_work_and_marks_overdue_reviews(work, client):
    page = home_of(client, work.reviewer_x).content.decode()

    first = FourChecksReview.objects.get(trigger_key="x-late")
    assert reverse("review_detail", args=[first.pk]) in page
    assert reverse("warning_review_list") in page and reverse("warning_backlog") in page
    assert f'class="overdue" data-review="{first.pk}"' in page and "已逾期" in page
    assert f"{reverse('warning_queue')}?station=XA&amp;overdue=on" in page


def test_nothing_waiting_says_so(tree, client):
    page = home_of(client, tree.reviewer_x).content.decode()

    assert "没有等待审核的反馈" in page and "没有待核查的四必查" in page and "已日日清零" in page


def test_query_count_is_pinned(work, client, django_assert_num_queries):
    client.force_login(work.reviewer_x)
    with django_assert_num_queries(13):  # session, user, permissions, the bell, then the home's own reads
        client.get(reverse("reviewer_home"))


def test_reviewer_lands_on_it_after_signing_in(tree, client):
    response = client.post(reverse("login"), {"username": "reviewer_x", "password": TEST_PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("reviewer_home")
    assert response.templates[0].name == "dashboards/reviewer_home.html"


def test_signed_out_is_sent_to_sign_in(client):
    response = client.get(reverse("reviewer_home"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
