"""Notifications: sent once per key, counted under the bell, listed, marked read."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.models import Notification
from orgs.notifications import notification_mark_read, notify


def test_notify_is_idempotent_per_user_and_key(tree):
    users = [tree.officer_a, tree.officer_b]
    assert notify(users=users, key="k1", title="预警任务超期未签收：YJ1") == 2
    assert notify(users=users, key="k1", title="预警任务超期未签收：YJ1") == 0
    assert notify(users=[tree.officer_a], key="k2", title="另一条") == 1
    assert Notification.objects.filter(user=tree.officer_a).count() == 2
    assert Notification.objects.filter(user=tree.officer_b).count() == 1


def test_inactive_users_are_not_notified(tree):
    tree.officer_b.is_active = False
    tree.officer_b.save()
    notify(users=[tree.officer_a, tree.officer_b], key="k", title="t")
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["officer_a"]


def test_no_mail_without_email_host(tree, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = ""
    tree.officer_a.email = "a@example.com"
    tree.officer_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[tree.officer_a], key="k", title="t")
    assert mail.outbox == []


def test_mail_after_commit_once_when_email_host_is_set(tree, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = "mail.example"
    settings.SITE_URL = "https://fz.example"
    tree.officer_a.email = "a@example.com"
    tree.officer_a.save()  # officer_b has no address: in-app only
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notify(users=[tree.officer_a, tree.officer_b], key="k", title="预警任务超期未签收：YJ1", url="/warnings/1/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.com"]
    assert "预警任务超期未签收：YJ1" in mail.outbox[0].subject
    assert "https://fz.example/warnings/1/" in mail.outbox[0].body


def test_mark_read_some_or_all(tree):
    notify(users=[tree.officer_a], key="k1", title="一")
    notify(users=[tree.officer_a], key="k2", title="二")
    notify(users=[tree.officer_b], key="k1", title="一")
    first = Notification.objects.get(user=tree.officer_a, key="k1")
    assert notification_mark_read(user=tree.officer_a, ids=[first.pk]) == 1
    assert Notification.objects.filter(user=tree.officer_a).unread().count() == 1
    assert notification_mark_read(user=tree.officer_a) == 1
    assert Notification.objects.filter(user=tree.officer_a).unread().count() == 0
    assert Notification.objects.filter(user=tree.officer_b).unread().count() == 1


def test_bell_shows_the_unread_count(tree, client):
    client.force_login(tree.officer_a)
    page = client.get(reverse("unit_list")).content.decode()
    assert 'data-testid="notification-bell"' in page
    assert 'data-testid="notification-count"' not in page
    for i in range(3):
        notify(users=[tree.officer_a], key=f"k{i}", title=f"通知{i}")
    page = client.get(reverse("unit_list")).content.decode()
    assert 'data-testid="notification-count">3<' in page


def test_bell_costs_one_count_query_and_nothing_for_anonymous(tree, client):
    client.force_login(tree.officer_a)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("unit_list"))
    counts = [q["sql"] for q in ctx.captured_queries if "orgs_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0]
    client.logout()
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("login"))
    assert not [q for q in ctx.captured_queries if "orgs_notification" in q["sql"]]


def test_list_is_newest_first_with_unread_highlighted(tree, client):
    notify(users=[tree.officer_a], key="old", title="较早的通知")
    notify(users=[tree.officer_a], key="new", title="最新的通知")
    notification_mark_read(user=tree.officer_a, ids=[Notification.objects.get(key="old").pk])
    notify(users=[tree.officer_b], key="other", title="别人的通知")
    client.force_login(tree.officer_a)
    page = client.get(reverse("notifications")).content.decode()
    assert page.index("最新的通知") < page.index("较早的通知")
    assert "别人的通知" not in page
    assert page.count('class="unread"') == 1


def test_mark_all_read(tree, client):
    notify(users=[tree.officer_a], key="k1", title="一")
    notify(users=[tree.officer_a], key="k2", title="二")
    client.force_login(tree.officer_a)
    response = client.post(reverse("notifications"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=tree.officer_a).unread().exists()
    assert 'data-testid="notification-count"' not in client.get(reverse("notifications")).content.decode()


def test_reading_one_marks_it_and_opens_its_link(tree, client):
    notify(users=[tree.officer_a], key="k", title="预警任务超期未签收：YJ1", url="/warnings/7/")
    notification = Notification.objects.get()
    client.force_login(tree.officer_a)
    response = client.post(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 302 and response.url == "/warnings/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_off_site_is_not_followed(tree, client):
    notify(users=[tree.officer_a], key="k", title="t", url="https://evil.example/")
    client.force_login(tree.officer_a)
    response = client.post(reverse("notification_read", args=[Notification.objects.get().pk]))
    assert response.url == reverse("notifications")


@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_elses_notification_is_not_found(tree, client, method):
    notify(users=[tree.officer_b], key="k", title="别人的通知", url="/warnings/7/")
    notification = Notification.objects.get()
    client.force_login(tree.officer_a)
    response = getattr(client, method)(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == (404 if method == "post" else 405)
    notification.refresh_from_db()
    assert notification.read_at is None


def test_anonymous_is_sent_to_sign_in(db, client):
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and reverse("login") in response.url
