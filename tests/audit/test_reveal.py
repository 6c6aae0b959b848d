"""显示个人信息: masked by default, shown on a deliberate, logged request with a reason."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import Act, AuditEvent
from tests.factories import WarningTaskFactory

PHONE, ID_NO, NAME = "13912345678", "11010519491231002X", "欧阳娜娜"


@pytest.fixture
def task(tree):
    return WarningTaskFactory(station=tree.station_a, subject_name=NAME, subject_phone=PHONE, subject_id_no=ID_NO)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_pages_mask_and_offer_the_reveal_to_whoever_may(tree, task):
    page = _client(tree.officer_a).get(reverse("warning_detail", args=[task.pk])).content.decode()
    assert "139****5678" in page and "1101**********002X" in page and "欧***" in page
    assert PHONE not in page and ID_NO not in page and NAME not in page
    assert 'data-testid="reveal"' in page
    leader_page = _client(tree.leader).get(reverse("warning_detail", args=[task.pk])).content.decode()
    assert 'data-testid="reveal"' not in leader_page and PHONE not in leader_page


def test_a_reveal_shows_the_data_and_logs_who_which_and_why(tree, task):
    answer = _client(tree.officer_a).post(reverse("warning_reveal", args=[task.pk]), {"reason": "电话劝阻联系"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert PHONE in page and ID_NO in page and NAME in page
    assert "no-store" in answer["Cache-Control"]
    event = AuditEvent.objects.get(act=Act.REVEAL)
    assert (event.user, event.target_type) == (tree.officer_a, "earlywarnings.warningtask")
    assert event.target_id == str(task.pk)
    assert event.reason == "电话劝阻联系" and task.task_no in event.target
    logged = f"{event.target}{event.reason}{event.detail}"
    assert PHONE not in logged and ID_NO not in logged and NAME not in logged


def test_other_needs_a_stated_reason(tree, task):
    answer = _client(tree.officer_a).post(reverse("warning_reveal", args=[task.pk]), {"reason": "其他"})
    assert answer.status_code == 400
    assert PHONE not in answer.content.decode() and "请写明事由" in answer.content.decode()
    assert not AuditEvent.objects.filter(act=Act.REVEAL).exists()
    answer = _client(tree.officer_a).post(
        reverse("warning_reveal", args=[task.pk]), {"reason": "其他", "note": "核对户籍地址"}
    )
    assert answer.status_code == 200
    assert AuditEvent.objects.get(act=Act.REVEAL).reason == "其他：核对户籍地址"


def test_a_reveal_needs_the_permission_the_scope_and_a_post(tree, task):
    url = reverse("warning_reveal", args=[task.pk])
    assert _client(tree.leader).post(url, {"reason": "审核回访"}).status_code == 403
    assert _client(tree.officer_b).post(url, {"reason": "电话劝阻联系"}).status_code == 404  # a sibling station
    assert _client(tree.reviewer_y).post(url, {"reason": "审核回访"}).status_code == 404  # a sibling county
    assert _client(tree.officer_a).get(url).status_code == 405
    assert Client().post(url, {"reason": "审核回访"}).status_code == 302  # to the login
    assert _client(tree.reviewer_x).post(url, {"reason": "审核回访"}).status_code == 200
    assert list(AuditEvent.objects.filter(act=Act.REVEAL).values_list("user", flat=True)) == [tree.reviewer_x.pk]
