"""Each person sees exactly their unit's subtree, through pages and the API; a unit
outside it answers 404 (never 403, which would confirm it exists)."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orgs.models import Area, Unit, User
from tests.factories import TEST_PASSWORD, UserFactory

VISIBLE = {
    "officer_a": {"XA"},
    "reviewer_x": {"X", "XA", "XB"},
    "reviewer_y": {"Y", "YD"},
    "leader": {"C", "X", "Y", "XA", "XB", "YD"},
}
ALL_CODES = VISIBLE["leader"]


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def api_codes(client, **params) -> set[str]:
    response = client.get("/api/v1/units/", params)
    assert response.status_code == 200
    return {row["code"] for row in response.json()["results"]}


@pytest.mark.parametrize("username", VISIBLE)
def test_api_lists_exactly_the_subtree(tree, username):
    user = getattr(tree, username)
    assert api_codes(api_client_for(user)) == VISIBLE[username]


@pytest.mark.parametrize("username", VISIBLE)
def test_api_detail_outside_the_subtree_is_404(tree, username):
    client = api_client_for(getattr(tree, username))
    for code in ALL_CODES:
        response = client.get(f"/api/v1/units/{code}/")
        expected = 200 if code in VISIBLE[username] else 404
        assert response.status_code == expected, (username, code)


@pytest.mark.parametrize("username", VISIBLE)
def test_unit_pages_outside_the_subtree_are_404(tree, client, username):
    client.force_login(getattr(tree, username))
    for code in ALL_CODES:
        response = client.get(reverse("unit_detail", args=[code]))
        expected = 200 if code in VISIBLE[username] else 404
        assert response.status_code == expected, (username, code)


@pytest.mark.parametrize("username", VISIBLE)
def test_unit_list_page_shows_exactly_the_subtree(tree, client, username):
    client.force_login(getattr(tree, username))
    response = client.get(reverse("unit_list"))
    assert {unit.code for unit, _ in response.context["rows"]} == VISIBLE[username]


def test_sibling_county_page_says_not_found_in_chinese(tree, client):
    client.force_login(tree.reviewer_y)
    response = client.get(reverse("unit_detail", args=["XA"]))
    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()
    assert "滨江派出所" not in response.content.decode()


def test_home_shows_the_users_unit_and_its_children(tree, client):
    client.force_login(tree.reviewer_x)
    response = client.get(reverse("home") + "?overview=1")
    rows = response.context["child_rows"]
    assert response.context["unit"] == tree.county_x
    assert [(r.unit.code, r.stations, r.areas) for r in rows] == [("XA", 1, 1), ("XB", 1, 0)]


def test_city_home_counts_stations_and_communities_per_county(tree, client):
    client.force_login(tree.leader)
    rows = client.get(reverse("home") + "?overview=1").context["child_rows"]
    assert [(r.unit.code, r.stations, r.areas) for r in rows] == [("X", 2, 1), ("Y", 1, 1)]


def test_breadcrumb_links_only_what_the_user_may_open(tree, client):
    client.force_login(tree.officer_a)
    crumbs = client.get(reverse("unit_detail", args=["XA"])).context["breadcrumb"]
    assert [(u.code, allowed) for u, allowed in crumbs] == [("C", False), ("X", False), ("XA", True)]


def test_station_page_lists_its_areas(tree, client):
    client.force_login(tree.officer_a)
    response = client.get(reverse("unit_detail", args=["XA"]))
    groups = response.context["area_groups"]
    assert [(top.name, [a.name for a in members]) for top, members in groups] == [("滨江街道", ["幸福社区"])]


def test_api_filters_by_parent_and_level(tree):
    client = api_client_for(tree.leader)
    assert api_codes(client, parent="X") == {"XA", "XB"}
    assert api_codes(client, level="county") == {"X", "Y"}
    assert api_codes(client, parent="X", level="county") == set()


def test_api_parent_filter_cannot_reach_outside_the_subtree(tree):
    assert api_codes(api_client_for(tree.reviewer_y), parent="X") == set()


def test_api_rejects_an_unknown_level(tree):
    response = api_client_for(tree.leader).get("/api/v1/units/", {"level": "galaxy"})
    assert response.status_code == 400


def test_token_auth_round_trip(tree):
    response = APIClient().post("/api/v1/auth/token/", {"username": "officer_a", "password": TEST_PASSWORD})
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_codes(client) == {"XA"}
    assert Token.objects.filter(user=tree.officer_a).count() == 1


def test_token_refused_for_a_wrong_password(tree):
    response = APIClient().post("/api/v1/auth/token/", {"username": "officer_a", "password": "wrong"})
    assert response.status_code == 400


def test_api_requires_authentication(tree):
    assert APIClient().get("/api/v1/units/").status_code in (401, 403)


def test_me_describes_the_caller(tree):
    body = api_client_for(tree.officer_a).get("/api/v1/me/").json()
    assert body["unit"]["code"] == "XA"
    assert body["role"] == "officer"
    assert body["role_display"] == "派出所民警"


def test_superuser_sees_everything_even_without_a_unit(tree):
    root = User.objects.create_superuser("root", password=TEST_PASSWORD)
    assert api_codes(api_client_for(root)) == ALL_CODES


def test_a_user_without_a_unit_sees_nothing(tree):
    drifter = UserFactory(username="drifter", unit=None)
    assert api_codes(api_client_for(drifter)) == set()
    assert Area.objects.for_user(drifter).count() == 0


def test_an_inactive_user_sees_nothing(tree):
    tree.officer_a.is_active = False
    assert Unit.objects.for_user(tree.officer_a).count() == 0


def test_areas_and_users_scope_like_units(tree):
    assert set(Area.objects.for_user(tree.reviewer_y).values_list("code", flat=True)) == {"YD1001"}
    assert set(Area.objects.for_user(tree.reviewer_x).values_list("code", flat=True)) == {"XA1", "XA1001"}
    assert set(User.objects.for_user(tree.reviewer_x).values_list("username", flat=True)) == {
        "reviewer_x", "officer_a", "officer_b"
    }  # fmt: skip


def test_anonymous_pages_redirect_to_login(db, client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
