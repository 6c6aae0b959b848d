"""The audit log and its page: sign-ins, failed sign-ins, lockouts, imports, issued
bulletins, reveals of personal data, and who changed which record."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import Act, AuditEvent
from cases.models import FraudCase
from orgs.roles import Role
from tests.factories import CaseFactory, UserFactory, WarningTaskFactory

PASSWORD = "Pw-for-tests-2026"
PHONE, ID_NO, NAME = "13912345678", "11010519491231002X", "欧阳娜娜"


@pytest.fixture
def admin(tree):
    return UserFactory(username="root", unit=tree.city, is_superuser=True, is_staff=True, role=Role.CLERK)


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_sign_in_failure_and_sign_out_are_logged_without_the_password(tree):
    tree.officer_a.set_password(PASSWORD)
    tree.officer_a.save()
    client = Client()
    _login(client, tree.officer_a.username, "wrong-password")
    assert _login(client, tree.officer_a.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    events = list(AuditEvent.objects.order_by("id").values_list("act", "username", "ip"))
    assert events == [
        (Act.LOGIN_FAILED, tree.officer_a.username, "127.0.0.1"),
        (Act.LOGIN, tree.officer_a.username, "127.0.0.1"),
        (Act.LOGOUT, tree.officer_a.username, "127.0.0.1"),
    ]
    for event in AuditEvent.objects.all():
        assert "wrong-password" not in str(event.detail) + event.reason + event.target


def test_five_failures_lock_the_account_from_that_address(tree, settings):
    tree.officer_a.set_password(PASSWORD)
    tree.officer_a.save()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, tree.officer_a.username, "nope")
    # Locked: even the right password is refused, with the lockout page, not a sign-in.
    answer = _login(client, tree.officer_a.username, PASSWORD)
    assert answer.status_code == 429
    assert "登录失败次数过多" in answer.content.decode() and "已暂停登录 15 分钟" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(act=Act.LOCKED_OUT, username=tree.officer_a.username).exists()
    # Another account from the same address is not locked.
    tree.officer_b.set_password(PASSWORD)
    tree.officer_b.save()
    assert _login(Client(), tree.officer_b.username, PASSWORD).status_code == 302


@pytest.mark.parametrize("who", ["leader", "reviewer_x", "officer_a"])
def test_the_audit_page_is_for_admins_only(tree, who):
    client = Client()
    client.force_login(getattr(tree, who))
    assert client.get(reverse("audit")).status_code == 403
    anonymous = Client().get(reverse("audit"))
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]


def test_the_audit_page_lists_events_and_filters_them(tree, admin):
    client = Client()
    client.force_login(admin)
    AuditEvent.objects.create(act=Act.LOGIN_FAILED, username="intruder", ip="10.0.0.9")
    AuditEvent.objects.create(act=Act.LOGIN, user=tree.leader, username=tree.leader.username)
    page = client.get(reverse("audit")).content.decode()
    assert "intruder" in page and "10.0.0.9" in page and tree.leader.username in page
    only_failed = client.get(reverse("audit"), {"act": Act.LOGIN_FAILED}).content.decode()
    assert "intruder" in only_failed and f">{tree.leader.username}<" not in only_failed
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert 'data-testid="empty"' in client.get(reverse("audit"), {"from": tomorrow}).content.decode()


def test_the_changes_tab_says_who_changed_which_field(tree, admin):
    case = CaseFactory(station=tree.station_a, case_no="AJ-AUDIT-1", loss=1000)
    FraudCase.objects.filter(pk=case.pk).update()  # no history
    case = FraudCase.objects.get(pk=case.pk)
    case.loss = 2500
    case._history_user = tree.leader
    case.save()
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("audit"), {"tab": "changes", "model": "cases.FraudCase"}).content.decode()
    assert "AJ-AUDIT-1" in page and tree.leader.username in page
    assert "损失金额" in page and "1000" in page and "2500" in page


def test_the_changes_tab_never_shows_personal_values(tree, admin):
    task = WarningTaskFactory(station=tree.station_a, subject_name=NAME, subject_phone=PHONE)
    task.subject_phone = "13712345678"
    task.save()
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("audit"), {"tab": "changes", "model": "earlywarnings.WarningTask"}).content.decode()
    assert task.task_no in page and "对象手机号" in page and "个人信息，不显示" in page
    assert PHONE not in page and "13712345678" not in page and NAME not in page


def test_imports_and_issued_bulletins_are_logged(tree):
    from bulletins.services import draft, issue
    from imports.services import import_submit

    clerk = UserFactory(username="clerk_c", unit=tree.city, role=Role.CLERK)
    job = import_submit(kind="publicity", file_name="p.csv", data="活动编号\n".encode(), user=clerk, source="web",
                        run=False)  # fmt: skip
    event = AuditEvent.objects.get(act=Act.IMPORT)
    assert (event.user, event.target_id, event.detail["source"]) == (clerk, str(job.pk), "web")
    assert "p.csv" in event.target

    analyst = UserFactory(username="analyst_c", unit=tree.city, role=Role.ANALYST)
    bulletin, _ = draft(tree.city, "day", dt.date(2026, 11, 20), user=analyst)
    issue(bulletin, user=analyst)
    event = AuditEvent.objects.get(act=Act.ISSUE)
    assert (event.user, event.target_id, event.detail["number"]) == (analyst, str(bulletin.pk), 1)
