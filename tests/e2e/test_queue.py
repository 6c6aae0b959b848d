"""An officer works a task from the queue on their home page — signs, logs two attempts,
handles it — and the county's reviewer accepts the feedback."""

import pytest

from earlywarnings.models import TaskStatus
from tests.factories import TEST_PASSWORD, WarningTaskFactory

pytestmark = pytest.mark.e2e

COUNTDOWN = "[data-task=YJE2E001] [data-testid=countdown] .cd-text"


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('登录')")


def test_officer_works_a_task_and_the_county_accepts_it(tree, live_server, page):
    task = WarningTaskFactory(task_no="YJE2E001", station=tree.station_a, subject_phone="13800138000")
    WarningTaskFactory(task_no="YJE2E002", station=tree.station_b)  # another station's: not in A's queue
    requests_elsewhere = []
    page.on("request", lambda r: r.url.startswith(live_server.url) or requests_elsewhere.append(r.url))

    sign_in(page, live_server, "officer_a")
    assert page.url == f"{live_server.url}/warnings/"
    card = page.locator("[data-task=YJE2E001]")
    assert "138****8000" in card.text_content() and "13800138000" not in page.content()
    assert page.locator("[data-task=YJE2E002]").count() == 0
    started = page.text_content(COUNTDOWN)
    assert started.startswith("剩余 0:")
    page.wait_for_function("([sel, old]) => document.querySelector(sel).textContent !== old", arg=[COUNTDOWN, started])

    with page.expect_navigation():
        card.locator("button[data-action=sign]").click()
    assert "处置中" in card.locator(".task-head").text_content()

    for method, note in (("phone", "电话未接通"), ("sms", "已发送预警短信")):
        attempt = card.locator("form.attempt-form")
        attempt.locator(f"input[name=method][value={method}]").check()
        attempt.locator("input[name=note]").fill(note)
        with page.expect_navigation():
            attempt.locator("button[data-action=attempt]").click()
    assert card.locator("[data-testid=attempts] li").count() == 2

    card.locator("summary[data-action=open-handle]").click()
    handle = card.locator("form[data-outcome-form]")
    handle.locator("select[name=outcome]").select_option("dissuaded")
    assert handle.locator("input[name=loss_prevented]").is_visible()
    assert not handle.locator("input[name=loss]").is_visible()  # 被骗金额 only for 已被骗
    handle.locator("input[name=method][value=visit]").check()
    handle.locator("textarea[name=note]").fill("上门见面劝阻，对象已停止转账")
    handle.locator("input[name=loss_prevented]").fill("20000")
    with page.expect_navigation():
        handle.locator("button[data-action=handle]").click()

    assert "当前没有待处置的预警任务" in page.text_content("[data-testid=empty]")
    assert "YJE2E001" in page.text_content("[data-testid=handled-today]")

    page.context.clear_cookies()
    sign_in(page, live_server, "reviewer_x")
    page.goto(f"{live_server.url}/warnings/review/")
    card = page.locator("[data-task=YJE2E001]")
    assert "劝阻成功" in card.text_content() and "20,000.00" in card.text_content()
    with page.expect_navigation():
        card.locator("button[data-action=accept]").click()

    assert "审核通过" in page.text_content(".messages")
    assert page.locator("[data-task=YJE2E001]").count() == 0
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED and task.reviewed_by == tree.reviewer_x
    assert requests_elsewhere == [], "the page loaded something from outside the site"
