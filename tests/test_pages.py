"""Sign-in, sign-out, password change and the error pages, in Chinese."""

from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD


def test_login_page_is_chinese(db, client):
    body = client.get(reverse("login")).content.decode()
    assert "登录" in body and "用户名" in body and "密码" in body


def test_reviewer_logs_in_and_lands_on_home(tree, client):
    response = client.post(reverse("login"), {"username": "reviewer_x", "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reviewer_home")
    body = response.content.decode()
    assert "临江区公安分局" in body and "审核员" in body


def test_an_officer_lands_on_the_warning_queue(tree, client):
    response = client.post(reverse("login"), {"username": "officer_a", "password": TEST_PASSWORD})
    assert client.get(response["Location"])["Location"] == reverse("warning_queue")


def test_wrong_password_says_so_in_chinese(tree, client):
    response = client.post(reverse("login"), {"username": "officer_a", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_logout_is_a_post_and_returns_to_login(tree, client):
    client.force_login(tree.officer_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_password_change(tree, client):
    client.force_login(tree.officer_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Brand-new-2027", "new_password2": "Brand-new-2027"},
    )
    assert response.status_code == 302
    tree.officer_a.refresh_from_db()
    assert tree.officer_a.check_password("Brand-new-2027")


def test_password_change_refuses_a_weak_password_in_chinese(tree, client):
    client.force_login(tree.officer_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "密码" in str(response.context["form"].errors)
    tree.officer_a.refresh_from_db()
    assert tree.officer_a.check_password(TEST_PASSWORD)


def test_unknown_url_gets_the_chinese_404_page(tree, client):
    client.force_login(tree.officer_a)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()


def test_500_page_renders_without_a_request_context():
    body = render_to_string("500.html")
    assert "系统出了点问题" in body


def test_csrf_failure_page_is_chinese(tree):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "officer_a", "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_pages_stay_chinese_when_the_browser_asks_for_english(tree, client):
    from tests.factories import UserFactory

    clerk = UserFactory(username="clerk", unit=tree.city, role="clerk")
    client.force_login(clerk)
    body = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "站点管理" in body or "最近动作" in body
    assert "Site administration" not in body and "Recent actions" not in body


def test_station_home_summarises_its_areas(tree, client):
    client.force_login(tree.officer_a)
    groups = client.get(reverse("home") + "?overview=1").context["area_groups"]
    assert [(top.name, len(members)) for top, members in groups] == [("滨江街道", 1)]


def test_permission_denied_page_is_chinese(tree, rf):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/")
    request.user = tree.officer_a
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
