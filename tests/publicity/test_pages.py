"""The publicity pages: the scoped list with totals and filters, one activity with its
history, and the form a station officer records their own station's work with."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.roles import Role
from publicity.models import AUDIENCE_SUGGESTIONS, PublicityActivity, PublicityForm
from tests.factories import PublicityFactory, UserFactory


@pytest.fixture
def clerk(tree):
    return UserFactory(username="clerk", first_name="敏", last_name="周", unit=tree.county_x, role=Role.CLERK)


@pytest.fixture
def activities(tree) -> dict[str, PublicityActivity]:
    """One activity at each of A, B, D, and a county-wide one of X."""
    units = {"A": tree.station_a, "B": tree.station_b, "D": tree.station_d, "X": tree.county_x}
    return {code: PublicityFactory(unit=unit, title=f"宣传-{code}") for code, unit in units.items()}


def listed(client, **params) -> set[str]:
    response = client.get(reverse("publicity_list"), params)
    assert response.status_code == 200
    return {activity.title for activity in response.context["page"].object_list}


def form_data(unit, **overrides) -> dict:
    data = {
        "held_on": "2026-05-06", "unit": unit.pk, "title": "老年大学反诈讲座", "form": PublicityForm.LECTURE,
        "audience": "老年人", "place": "滨江老年大学", "reach": "85", "materials": "120", "app_installs": "30",
        "activity_no": "",
    }  # fmt: skip
    return {**data, **overrides}


VISIBLE = {
    "officer_a": {"宣传-A"},
    "reviewer_x": {"宣传-A", "宣传-B", "宣传-X"},
    "reviewer_y": {"宣传-D"},
    "leader": {"宣传-A", "宣传-B", "宣传-D", "宣传-X"},
}


@pytest.mark.parametrize("username", VISIBLE)
def test_publicity_list_shows_exactly_the_users_subtree(tree, client, activities, username):
    client.force_login(getattr(tree, username))
    assert listed(client) == VISIBLE[username]


@pytest.mark.parametrize("username", VISIBLE)
def test_activity_page_outside_the_subtree_is_404(tree, client, activities, username):
    client.force_login(getattr(tree, username))
    for activity in activities.values():
        expected = 200 if activity.title in VISIBLE[username] else 404
        assert client.get(reverse("publicity_detail", args=[activity.pk])).status_code == expected, activity.title


def test_list_totals_activities_reach_materials_and_installs(tree, client):
    PublicityFactory(unit=tree.station_a, reach=100, materials=40, app_installs=7)
    PublicityFactory(unit=tree.station_b, reach=2500, materials=60, app_installs=3)
    client.force_login(tree.reviewer_x)
    response = client.get(reverse("publicity_list"))
    assert response.context["totals"] == {"count": 2, "reach": 2600, "materials": 100, "installs": 10, "voided": 0}
    assert "覆盖 <strong>2,600</strong> 人" in response.content.decode()


def test_list_queries_do_not_grow_with_the_rows(tree, client):
    PublicityFactory(unit=tree.station_a)
    client.force_login(tree.leader)
    with CaptureQueriesContext(connection) as one_row:
        client.get(reverse("publicity_list"))
    for unit in (tree.station_a, tree.station_b, tree.county_y):
        PublicityFactory.create_batch(3, unit=unit)
    with CaptureQueriesContext(connection) as many_rows:
        client.get(reverse("publicity_list"))
    assert len(many_rows.captured_queries) == len(one_row.captured_queries)


def test_list_filters_by_form_and_date(tree, client):
    PublicityFactory(
        unit=tree.station_a, title="五月讲座", form=PublicityForm.LECTURE, held_on=datetime.date(2026, 5, 9)
    )
    PublicityFactory(unit=tree.station_a, title="六月摆摊", form=PublicityForm.STALL, held_on=datetime.date(2026, 6, 1))
    client.force_login(tree.officer_a)
    assert listed(client, form="stall") == {"六月摆摊"}
    assert listed(client, start="2026-05-01", end="2026-05-31") == {"五月讲座"}
    assert listed(client, q="讲座") == {"五月讲座"}


def test_officer_records_an_activity_for_their_own_station(tree, client):
    client.force_login(tree.officer_a)
    response = client.post(reverse("publicity_new"), form_data(tree.station_a))
    activity = PublicityActivity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("publicity_detail", args=[activity.pk])
    assert (activity.unit, activity.reach, activity.audience) == (tree.station_a, 85, "老年人")
    assert activity.history.get().history_user == tree.officer_a


def test_officer_cannot_record_an_activity_for_another_station(tree, client):
    client.force_login(tree.officer_a)
    form = client.get(reverse("publicity_new")).context["form"]
    assert list(form.fields["unit"].queryset) == [tree.station_a]
    response = client.post(reverse("publicity_new"), form_data(tree.station_b))
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    assert not PublicityActivity.objects.exists()


def test_officer_cannot_edit_another_stations_activity(tree, client, activities):
    client.force_login(tree.officer_a)
    assert client.get(reverse("publicity_edit", args=[activities["B"].pk])).status_code == 404
    assert client.post(reverse("publicity_void", args=[activities["B"].pk]), {"reason": "x"}).status_code == 404


def test_reviewer_may_read_but_not_record_publicity(tree, client, activities):
    client.force_login(tree.reviewer_x)
    assert client.get(reverse("publicity_new")).status_code == 403
    assert client.get(reverse("publicity_edit", args=[activities["A"].pk])).status_code == 403
    assert "登记宣传活动" not in client.get(reverse("publicity_list")).content.decode()


def test_clerk_records_a_county_wide_activity(tree, client, clerk):
    client.force_login(clerk)
    form = client.get(reverse("publicity_new")).context["form"]
    assert set(form.fields["unit"].queryset) == {tree.county_x, tree.station_a, tree.station_b}
    response = client.post(reverse("publicity_new"), form_data(tree.county_x, form=PublicityForm.SMS, title="全区短信"))
    assert response.status_code == 302
    assert PublicityActivity.objects.get().unit == tree.county_x


def test_a_second_activity_with_the_same_title_the_same_day_is_refused(tree, client, clerk):
    PublicityFactory(unit=tree.station_a, title="老年大学反诈讲座", held_on=datetime.date(2026, 5, 6))
    client.force_login(clerk)
    response = client.post(reverse("publicity_new"), form_data(tree.station_a))
    assert response.context["form"].errors["title"] == ["同一单位同一天已登记过同名活动。"]


def test_clerk_edits_an_activity_and_the_history_shows_who_changed_what(tree, client, clerk):
    activity = PublicityFactory(unit=tree.station_a, title="老年大学反诈讲座", held_on=datetime.date(2026, 5, 6))
    client.force_login(clerk)
    response = client.post(reverse("publicity_edit", args=[activity.pk]), form_data(tree.station_a, reach="300"))
    assert response.status_code == 302
    history = client.get(reverse("publicity_detail", args=[activity.pk])).context["history"]
    changed = {change.label: (change.old, change.new) for change in history[0].changes}
    assert history[0].who == "周敏"
    assert changed["覆盖人数"] == ("120", "300")
    assert changed["活动形式"] == ("进社区", "讲座")


def test_clerk_voids_an_activity_with_a_reason(tree, client, clerk, activities):
    activity = activities["A"]
    client.force_login(clerk)
    url = reverse("publicity_void", args=[activity.pk])
    refused = client.post(url, {"reason": " "})
    assert "请填写作废原因。" in refused.content.decode()
    assert client.post(url, {"reason": "重复登记"}).status_code == 302
    body = client.get(reverse("publicity_detail", args=[activity.pk])).content.decode()
    assert 'data-testid="voided-banner"' in body and "重复登记" in body
    assert listed(client) == {"宣传-B", "宣传-X"}
    assert listed(client, voided="1") == {"宣传-A", "宣传-B", "宣传-X"}


def test_form_suggests_the_usual_audiences(tree, client):
    client.force_login(tree.officer_a)
    body = client.get(reverse("publicity_new")).content.decode()
    assert 'list="audience-suggestions"' in body
    assert all(f'<option value="{audience}">' in body for audience in AUDIENCE_SUGGESTIONS)


def test_empty_list_invites_an_officer_to_record_their_work(tree, client):
    client.force_login(tree.officer_a)
    body = client.get(reverse("publicity_list")).content.decode()
    assert "还没有宣传活动记录" in body and f'href="{reverse("publicity_new")}"' in body


def test_empty_list_for_a_reader_says_who_records_activities(tree, client):
    client.force_login(tree.leader)
    body = client.get(reverse("publicity_list")).content.decode()
    assert "宣传活动由派出所民警和数据员登记" in body


def test_admin_shows_activities_of_the_subtree_read_only(tree, client, clerk, activities):
    client.force_login(clerk)
    changelist = client.get(reverse("admin:publicity_publicityactivity_changelist"))
    assert {a.title for a in changelist.context["cl"].result_list} == {"宣传-A", "宣传-B", "宣传-X"}
    delete = reverse("admin:publicity_publicityactivity_delete", args=[activities["A"].pk])
    assert client.get(delete).status_code == 403
