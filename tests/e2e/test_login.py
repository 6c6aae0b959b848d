import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def test_station_officer_signs_in_and_sees_their_station(tree, live_server, page):
    requests_elsewhere = []
    page.on("request", lambda r: r.url.startswith(live_server.url) or requests_elsewhere.append(r.url))

    page.goto(f"{live_server.url}/")
    assert page.title().startswith("登录")
    page.fill("#id_username", "officer_a")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_url(f"{live_server.url}/warnings/")  # an officer's home is the station's queue
    assert page.text_content("[data-testid=user-unit]") == "滨江派出所"
    assert page.text_content("[data-testid=user-role]").strip() == "派出所民警"
    assert page.locator("link[rel=stylesheet]").count() == 1
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    assert requests_elsewhere == [], "the page loaded something from outside the site"


def test_sibling_sees_a_not_found_page(tree, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "officer_b")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/warnings/")
    response = page.goto(f"{live_server.url}/units/XA/")
    assert response.status == 404
    assert page.text_content("h1") == "找不到这个页面"
