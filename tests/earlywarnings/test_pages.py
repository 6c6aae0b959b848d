"""The early-warning pages: the station's queue and the work on a task (sign, attempts,
handle, transfer), the county's review of the feedback, the backlog, the 四必查 pages,
and scope — a sibling station's task is a 404, on its page and on every action."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from earlywarnings import services
from earlywarnings.models import CheckKind, FourChecksReview, ReviewStatus, TaskStatus, WarningTask
from orgs.models import UnitLevel
from orgs.roles import Role
from tests.factories import CaseFactory, UnitFactory, UserFactory, WarningTaskFactory

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


def signed(task, user) -> WarningTask:
    return services.warning_acknowledge(task=task, user=user)


def handled(task, user, **fields) -> WarningTask:
    task.refresh_from_db()
    if task.status == TaskStatus.PENDING:
        task = signed(task, user)
    fields = {"outcome": "dissuaded", "method": "phone", "note": "已劝阻", **fields}
    return services.warning_handle(task=task, user=user, **fields)


def queued(client, **params) -> list[str]:
    response = client.get(reverse("warning_queue"), params)
    assert response.status_code == 200
    return [task.task_no for task in response.context["page"].object_list]


def post(client, name: str, task, **data):
    return client.post(reverse(name, args=[task.pk]), {"next": reverse("warning_queue"), **data})


HANDLE = {"outcome": "dissuaded", "method": "phone", "note": "", "loss_prevented": "", "loss": "", "case_no": ""}


@pytest.fixture
def officer_a(client, tree):
    client.force_login(tree.officer_a)
    return client


# ---------------------------------------------------------------------------------------
# The queue


def test_queue_lists_exactly_the_stations_open_tasks_by_deadline(tree, officer_a):
    WarningTaskFactory(task_no="LOW", station=tree.station_a, level="low")  # sign within 4 h
    WarningTaskFactory(task_no="HIGH", station=tree.station_a, level="high", issued_at=ago(minutes=5))  # 5 min left
    WarningTaskFactory(task_no="LATE", station=tree.station_a, level="medium", issued_at=ago(hours=2))  # overdue
    handled(WarningTaskFactory(task_no="DONE", station=tree.station_a), tree.officer_a)
    WarningTaskFactory(task_no="SIBLING", station=tree.station_b)
    WarningTaskFactory(task_no="OTHER-COUNTY", station=tree.station_d)

    assert queued(officer_a) == ["LATE", "HIGH", "LOW"]


def test_the_queue_is_the_officers_home_and_shows_countdowns(tree, officer_a):
    WarningTaskFactory(task_no="LATE", station=tree.station_a, level="high", issued_at=ago(minutes=30))
    WarningTaskFactory(task_no="FRESH", station=tree.station_a, level="low")

    response = officer_a.get("/", follow=True)

    assert response.redirect_chain[-1][0] == reverse("warning_queue")
    page = response.content.decode()
    assert "已超期 0:2" in page and "cd-red" in page
    assert "剩余 3:59:" in page and "cd-green" in page
    assert page.count('data-action="sign"') == 2


def test_empty_queue_says_so_with_the_time(tree, officer_a):
    response = officer_a.get(reverse("warning_queue"))

    assert "当前没有待处置的预警任务" in response.content.decode()
    assert response.context["now"] is not None


def test_a_county_user_sees_the_subtrees_open_tasks_with_a_station_filter(tree, client):
    WarningTaskFactory(task_no="A1", station=tree.station_a, issued_at=ago(minutes=1))
    WarningTaskFactory(task_no="B1", station=tree.station_b)
    WarningTaskFactory(task_no="D1", station=tree.station_d)
    client.force_login(tree.reviewer_x)

    assert queued(client) == ["A1", "B1"]
    assert queued(client, station="XB") == ["B1"]
    assert queued(client, station="YD") == ["A1", "B1"]  # not a choice: the filter is ignored
    assert "解放路派出所" in client.get(reverse("warning_queue")).content.decode()  # the station column


def test_personal_data_is_masked(tree, officer_a):
    task = WarningTaskFactory(
        station=tree.station_a, subject_name="张三丰", subject_phone="13800138000", subject_id_no="11010519491231002X"
    )

    for url in (reverse("warning_queue"), reverse("warning_detail", args=[task.pk])):
        page = officer_a.get(url).content.decode()
        assert "13800138000" not in page and "张三丰" not in page and "11010519491231002X" not in page
        assert "138****8000" in page and "张**" in page


# ---------------------------------------------------------------------------------------
# Scope


def test_a_sibling_station_gets_404_on_the_task_and_every_action(tree, client):
    task = WarningTaskFactory(station=tree.station_a)
    client.force_login(tree.officer_b)

    assert client.get(reverse("warning_detail", args=[task.pk])).status_code == 404
    assert post(client, "warning_sign", task).status_code == 404
    signed(task, tree.officer_a)
    assert post(client, "warning_attempt", task, method="phone").status_code == 404
    assert post(client, "warning_handle", task, **{**HANDLE, "note": "x"}).status_code == 404
    assert post(client, "warning_transfer", task, to_unit=tree.station_b.pk, reason="x").status_code == 404
    handled(task, tree.officer_a)
    client.force_login(tree.reviewer_y)
    assert post(client, "warning_review", task, decision="accept").status_code == 404

    task.refresh_from_db()
    assert task.status == TaskStatus.FEEDBACK and task.attempts.count() == 0


def test_a_leader_reads_but_cannot_act(tree, client):
    task = WarningTaskFactory(station=tree.station_a)
    client.force_login(tree.leader)

    page = client.get(reverse("warning_detail", args=[task.pk])).content.decode()
    assert 'data-action="sign"' not in page
    assert post(client, "warning_sign", task).status_code == 403


# ---------------------------------------------------------------------------------------
# The work on a task


def test_sign_attempts_handle_and_the_task_leaves_the_queue(tree, officer_a):
    task = WarningTaskFactory(task_no="T1", station=tree.station_a)

    response = post(officer_a, "warning_sign", task)
    assert response.status_code == 302 and response.url.startswith(reverse("warning_queue"))
    assert post(officer_a, "warning_attempt", task, method="phone", note="未接通").status_code == 302
    assert post(officer_a, "warning_attempt", task, method="sms", note="已发提醒短信").status_code == 302
    page = officer_a.get(reverse("warning_queue")).content.decode()
    assert "未接通" in page and "已发提醒短信" in page and 'data-action="handle"' in page

    response = post(
        officer_a, "warning_handle", task, **{**HANDLE, "note": "已劝阻，对象停止转账", "loss_prevented": "5000"}
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.FEEDBACK and task.loss_prevented == Decimal("5000")
    assert queued(officer_a) == []
    recent = officer_a.get(reverse("warning_queue")).context["handled_today"]
    assert [t.task_no for t in recent] == ["T1"]


def test_handle_without_outcome_or_note_shows_the_error_and_changes_nothing(tree, officer_a):
    task = signed(WarningTaskFactory(station=tree.station_a), tree.officer_a)

    response = post(officer_a, "warning_handle", task, **{**HANDLE, "outcome": "", "note": "打过电话"})
    assert response.status_code == 200 and "请选择处置结果。" in response.content.decode()
    response = post(officer_a, "warning_handle", task, **HANDLE)
    page = response.content.decode()
    assert "请填写处置情况。" in page
    assert 'class="action-panel" open' in page  # the failed form is shown open, on its task

    task.refresh_from_db()
    assert task.status == TaskStatus.HANDLING and task.handled_at is None and task.transitions.count() == 2


def test_defrauded_needs_the_loss_and_links_the_case(tree, officer_a):
    task = signed(WarningTaskFactory(station=tree.station_a), tree.officer_a)
    case = CaseFactory(station=tree.station_a, case_no="J2026-77")
    data = {**HANDLE, "outcome": "defrauded", "note": "对象已转账", "case_no": "J2026-77"}

    assert "已被骗须填写被骗金额。" in post(officer_a, "warning_handle", task, **data).content.decode()
    response = post(officer_a, "warning_handle", task, **{**data, "loss": "38000"})

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.case == case and task.loss == Decimal("38000")
    detail = officer_a.get(reverse("warning_detail", args=[task.pk])).content.decode()
    assert reverse("case_detail", args=[case.pk]) in detail


def test_transfer_moves_the_task_to_the_other_stations_queue(tree, officer_a, client):
    task = WarningTaskFactory(task_no="MOVE", station=tree.station_a)

    response = post(officer_a, "warning_transfer", task, to_unit="", reason="")
    assert "请选择转派到的派出所或县（区）局。" in response.content.decode()
    response = post(officer_a, "warning_transfer", task, to_unit=tree.station_b.pk, reason="")
    assert "转派须写明原因。" in response.content.decode()
    response = post(officer_a, "warning_transfer", task, to_unit=tree.station_b.pk, reason="对象住解放路")

    assert response.status_code == 302
    assert queued(officer_a) == []
    officer_a.force_login(tree.officer_b)
    assert queued(officer_a) == ["MOVE"]


def test_a_task_sent_back_to_the_county_waits_there_to_be_redispatched(tree, officer_a, client):
    task = WarningTaskFactory(task_no="BACK", station=tree.station_a, issued_at=ago(hours=1))
    detail = reverse("warning_detail", args=[task.pk])

    response = officer_a.post(reverse("warning_transfer", args=[task.pk]),
                              {"next": detail, "to_unit": tree.county_x.pk, "reason": "不属本所辖区"})  # fmt: skip

    assert response.url == reverse("warning_queue")  # the task's page is out of the officer's sight now
    client.force_login(tree.reviewer_x)
    card = client.get(detail).context["card"]
    assert not card.can_sign and {u.code for u in card.transfer_form.targets.values()} == {"XA", "XB"}
    assert backlog_rows(client)["X"].kind == "holding" and backlog_rows(client)["X"].overdue == 1
    client.post(reverse("warning_transfer", args=[task.pk]), {"to_unit": tree.station_b.pk, "reason": "属解放路"})
    task.refresh_from_db()
    assert task.station == tree.station_b and task.status == TaskStatus.PENDING


def test_transfer_is_offered_only_within_the_county(tree, officer_a):
    task = WarningTaskFactory(station=tree.station_a)

    choices = officer_a.get(reverse("warning_detail", args=[task.pk])).context["card"].transfer_form.targets
    assert {unit.code for unit in choices.values()} == {"XB", "X"}
    response = post(officer_a, "warning_transfer", task, to_unit=tree.station_d.pk, reason="x")
    assert "请选择转派到的派出所或县（区）局。" in response.content.decode()


def test_an_action_on_the_detail_page_comes_back_to_it(tree, officer_a):
    task = WarningTaskFactory(station=tree.station_a)
    detail = reverse("warning_detail", args=[task.pk])

    response = officer_a.post(reverse("warning_sign", args=[task.pk]), {"next": detail})
    assert response.url == f"{detail}#task-{task.pk}"
    response = officer_a.post(reverse("warning_attempt", args=[task.pk]), {"next": detail, "method": ""})
    assert response.status_code == 200 and response.templates[0].name == "earlywarnings/task_detail.html"
    assert "请选择联系方式" in response.content.decode()
    response = officer_a.post(reverse("warning_sign", args=[task.pk]), {"next": "https://evil.example/"})
    assert response.url == reverse("warning_queue")  # already signed: told so, on the queue
    assert "已被签收" in officer_a.get(response.url).content.decode()


def test_detail_shows_the_timeline_and_deadlines(tree, officer_a):
    task = WarningTaskFactory(station=tree.station_a, issued_at=ago(minutes=30))
    task = signed(task, tree.officer_a)
    services.warning_attempt_add(task=task, user=tree.officer_a, method="visit", note="上门见面")

    response = officer_a.get(reverse("warning_detail", args=[task.pk]))

    assert [entry.title for entry in response.context["timeline"]] == ["下发", "签收", "联系（见面）"]
    assert [fact.verdict for fact in response.context["deadlines"]] == ["超时签收", "未处置"]


# ---------------------------------------------------------------------------------------
# The county's review


def test_reviewer_accepts_and_returns_with_a_reason(tree, client):
    first = handled(WarningTaskFactory(task_no="FIRST", station=tree.station_a), tree.officer_a)
    second = handled(WarningTaskFactory(task_no="SECOND", station=tree.station_b), tree.officer_b)
    client.force_login(tree.reviewer_x)
    here = reverse("warning_review_list")

    assert [card.task.task_no for card in client.get(here).context["cards"]] == ["FIRST", "SECOND"]
    response = client.post(reverse("warning_review", args=[second.pk]), {"next": here, "decision": "return"})
    assert "退回须写明原因。" in response.content.decode()
    second.refresh_from_db()
    assert second.status == TaskStatus.FEEDBACK

    client.post(reverse("warning_review", args=[second.pk]), {"next": here, "decision": "return", "reason": "未见面"})
    client.post(reverse("warning_review", args=[first.pk]), {"next": here, "decision": "accept"})

    first.refresh_from_db(), second.refresh_from_db()
    assert first.status == TaskStatus.CLOSED and first.reviewed_by == tree.reviewer_x
    assert second.status == TaskStatus.HANDLING
    assert client.get(here).context["cards"] == []


def test_an_officer_cannot_review(tree, officer_a):
    task = handled(WarningTaskFactory(station=tree.station_a), tree.officer_a)

    assert officer_a.get(reverse("warning_review_list")).status_code == 403
    assert post(officer_a, "warning_review", task, decision="accept").status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.FEEDBACK


def test_review_page_lists_the_countys_open_checks_overdue_in_red(tree, client):
    today = timezone.localdate()
    FourChecksReview.objects.create(
        kind=CheckKind.LARGE_CASE,
        county=tree.county_x,
        trigger_key="k1",
        title="大额警情核查",
        due_on=today - dt.timedelta(days=1),
    )
    FourChecksReview.objects.create(
        kind=CheckKind.COMMUNITY_CLUSTER, county=tree.county_y, trigger_key="k2", title="东湖社区多发", due_on=today
    )
    client.force_login(tree.reviewer_x)

    response = client.get(reverse("warning_review_list"))

    assert [r.title for r in response.context["reviews"]] == ["大额警情核查"]
    assert "已逾期" in response.content.decode()


# ---------------------------------------------------------------------------------------
# The backlog


def backlog_rows(client, **params) -> dict[str, dict]:
    response = client.get(reverse("warning_backlog"), params)
    assert response.status_code == 200
    backlog = response.context["backlog"]
    rows = {row.unit.code: row for row in backlog.rows}
    rows["total"] = backlog.total
    return rows


def test_backlog_counts_open_overdue_and_handled_per_station(tree, client):
    WarningTaskFactory(station=tree.station_a, level="high", issued_at=ago(minutes=30))  # sign overdue 20 min
    WarningTaskFactory(station=tree.station_a, level="high", issued_at=ago(hours=3))  # overdue 2 h 50
    signed(WarningTaskFactory(station=tree.station_a, level="low", issued_at=ago(days=5)), tree.officer_a)  # >24 h
    WarningTaskFactory(station=tree.station_b, level="medium", issued_at=ago(minutes=10))  # in time
    handled(WarningTaskFactory(station=tree.station_b, level="high", issued_at=ago(minutes=20)), tree.officer_b)
    WarningTaskFactory(station=tree.station_d, issued_at=ago(days=1))  # another county
    client.force_login(tree.reviewer_x)

    rows = backlog_rows(client)

    a, b, total = rows["XA"], rows["XB"], rows["total"]
    assert (a.open, a.overdue, a.under_1h, a.under_24h, a.over_24h) == (3, 3, 1, 1, 1)
    assert dt.timedelta(days=2) < a.oldest_overdue < dt.timedelta(days=2, minutes=5)  # low: 3 days to handle
    assert (b.open, b.overdue, b.handled, b.on_time, b.on_time_rate) == (1, 0, 1, 1, 1.0)
    assert (total.open, total.overdue, total.handled) == (4, 3, 1)
    assert "YD" not in rows


def test_backlog_of_a_past_day_reads_the_state_at_its_end(tree, client):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    noon = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(12)))
    late = WarningTaskFactory(station=tree.station_a, level="high", issued_at=noon)  # overdue since 12:10
    services.warning_acknowledge(task=late, user=tree.officer_a)  # signed today: pending yesterday
    on_time = WarningTaskFactory(station=tree.station_a, level="high", issued_at=noon)
    on_time = services.warning_acknowledge(task=on_time, user=tree.officer_a, at=noon + MINUTE)
    services.warning_handle(
        task=on_time, user=tree.officer_a, outcome="dissuaded", method="phone", note="ok", at=noon + HOUR
    )
    WarningTaskFactory(station=tree.station_a, level="high")  # issued today: not yet there
    client.force_login(tree.reviewer_x)

    a = backlog_rows(client, date=yesterday.isoformat())["XA"]

    assert (a.open, a.overdue, a.under_24h, a.handled, a.on_time) == (1, 1, 1, 1, 1)


def test_backlog_groups_counties_for_the_city(tree, client):
    WarningTaskFactory(station=tree.station_d, issued_at=ago(hours=1))
    client.force_login(tree.leader)

    rows = backlog_rows(client)

    assert rows["Y"].kind == "group" and rows["Y"].overdue == 1 and rows["total"].overdue == 1
    assert f"{reverse('warning_queue')}?station=YD" in client.get(reverse("warning_backlog")).content.decode()


def test_backlog_takes_a_fixed_number_of_queries(tree, client):
    client.force_login(tree.leader)
    WarningTaskFactory(station=tree.station_a, issued_at=ago(hours=1))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("warning_backlog")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(4):
        station = UnitFactory(code=f"XN{n}", level=UnitLevel.STATION, parent=tree.county_x)
        for minutes in (5, 90, 3000):
            WarningTaskFactory(station=station, issued_at=ago(minutes=minutes))
    handled(WarningTaskFactory(station=tree.station_b), tree.officer_b)

    assert count() == before
    assert before <= 10  # session, user, permissions, navigation — and the units and one aggregate


# ---------------------------------------------------------------------------------------
# 四必查


@pytest.fixture
def review(tree) -> FourChecksReview:
    task = handled(WarningTaskFactory(station=tree.station_a), tree.officer_a)
    return FourChecksReview.objects.create(
        kind=CheckKind.DISSUASION_FAILED, county=tree.county_x, trigger_key=f"task:{task.pk}",
        title="劝阻失效核查", due_on=timezone.localdate(), task=task,
    )  # fmt: skip


def test_check_list_filters_and_scope(tree, client, review):
    FourChecksReview.objects.create(
        kind=CheckKind.PLACE_CLUSTER,
        county=tree.county_y,
        trigger_key="p",
        title="东湖网吧多发",
        due_on=timezone.localdate(),
    )
    client.force_login(tree.reviewer_x)

    listed = client.get(reverse("review_list")).context["page"].object_list
    assert [r.title for r in listed] == ["劝阻失效核查"]
    assert list(client.get(reverse("review_list"), {"kind": "large_case"}).context["page"].object_list) == []
    client.force_login(tree.reviewer_y)
    assert client.get(reverse("review_detail", args=[review.pk])).status_code == 404
    assert client.post(reverse("review_conclude", args=[review.pk]), {"conclusion": "x"}).status_code == 404


def test_reviewer_writes_the_conclusion(tree, client, review):
    client.force_login(tree.reviewer_x)
    url = reverse("review_conclude", args=[review.pk])

    page = client.get(reverse("review_detail", args=[review.pk])).content.decode()
    assert reverse("warning_detail", args=[review.task.pk]) in page
    assert "请填写核查结论。" in client.post(url, {"conclusion": "  "}).content.decode()
    response = client.post(url, {"conclusion": "对象未按要求见面劝阻，已通报派出所整改。"})

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.CLOSED and review.closed_by == tree.reviewer_x
    assert "已通报派出所整改" in client.get(response.url).content.decode()


def test_an_officer_cannot_conclude_a_check(tree, officer_a, review):
    assert officer_a.post(reverse("review_conclude", args=[review.pk]), {"conclusion": "x"}).status_code == 403


# ---------------------------------------------------------------------------------------
# Admin


def test_admin_shows_tasks_masked_and_the_policy_editable(tree, client, admin_user, review):
    task = WarningTaskFactory(station=tree.station_a, subject_phone="13800138000")
    client.force_login(admin_user)

    for url in (
        reverse("admin:earlywarnings_warningtask_change", args=[task.pk]),
        reverse("admin:earlywarnings_warningtask_history", args=[task.pk]),
    ):
        page = client.get(url).content.decode()
        assert "13800138000" not in page
    assert (
        "138****8000" in client.get(reverse("admin:earlywarnings_warningtask_change", args=[task.pk])).content.decode()
    )
    assert client.get(reverse("admin:earlywarnings_deadlinepolicy_changelist")).status_code == 200
    assert client.get(reverse("admin:earlywarnings_fourchecksreview_change", args=[review.pk])).status_code == 200


def test_admin_history_is_scoped(tree, client):
    task = WarningTaskFactory(station=tree.station_d)
    client.force_login(UserFactory(username="clerk_x", unit=tree.county_x, role=Role.CLERK, is_staff=True))

    assert client.get(reverse("admin:earlywarnings_warningtask_history", args=[task.pk])).status_code == 404
