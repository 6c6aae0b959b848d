"""The load driver against a real local server (pytest-django's live server)."""

import pytest
from django.db import connection

from bench.load import Scenario, drive, path_pattern, percentile
from tests.factories import TEST_PASSWORD

MISSING = "/no-such-page/"


def clients() -> int:
    """Several clients at once on PostgreSQL; one on SQLite, where the live server shares the
    test's in-memory connection between threads and concurrent writes of sessions collide
    ("no such savepoint") — the real concurrency is the benchmark's, on PostgreSQL."""
    return 3 if connection.vendor == "postgresql" else 1


@pytest.fixture
def leader_scenario(live_server, tree):
    return Scenario(name="leader", username=tree.leader.username, password=TEST_PASSWORD,
                    paths=["/", "/healthz", MISSING])  # fmt: skip


def test_drive_counts_requests_and_errors(live_server, leader_scenario, tree):
    result = drive(live_server.url, [leader_scenario], clients=clients(), seconds=2, timeout=10)
    assert result["clients"] == clients()
    assert result["requests"] > 0
    assert result["login_failures"] == 0
    assert 2 <= result["seconds"] < 15
    assert set(result["by_path"]) == {"/", "/healthz", MISSING}
    missing = result["by_path"][MISSING]
    assert missing["n"] > 0 and missing["errors"] == missing["n"]
    assert result["by_path"]["/"]["errors"] == 0
    assert result["by_path"]["/healthz"]["errors"] == 0
    assert result["errors"] == missing["n"]
    assert result["error_samples"] and all("404" in s for s in result["error_samples"])
    assert len(result["error_samples"]) <= 5
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"]
    assert result["rps"] > 0


def test_drive_reports_a_refused_login(live_server, tree):
    wrong = Scenario(name="wrong", username=tree.leader.username, password="not-it", paths=["/"])
    result = drive(live_server.url, [wrong], clients=2, seconds=0.5, timeout=10)
    assert result["requests"] == 0
    assert result["login_failures"] == result["errors"] == 2
    assert "login refused" in result["error_samples"][0]


def test_scenarios_are_assigned_round_robin(live_server, tree):
    ok = Scenario(name="ok", username=tree.leader.username, password=TEST_PASSWORD, paths=["/healthz"])
    bad = Scenario(name="bad", username="nobody", password="x", paths=["/healthz"])
    n = 4 if connection.vendor == "postgresql" else 2  # two of each, or one of each (see clients())
    result = drive(live_server.url, [ok, bad], clients=n, seconds=0.5, timeout=10)
    assert result["login_failures"] == n // 2
    assert result["requests"] > 0 and result["by_path"]["/healthz"]["errors"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com:8000",
        "http://10.0.0.1/",
        "https://localhost:8000",
        "http://127.0.0.1.evil.test/",
        "ftp://localhost",
    ],
)
def test_drive_refuses_anything_not_local(url):
    with pytest.raises(ValueError):
        drive(url, [Scenario("s", "u", "p", ["/"])], clients=1, seconds=0.1)


def test_helpers():
    assert path_pattern("/cases/123/edit/?page=2&q=x") == "/cases/{id}/edit/?page&q"
    assert path_pattern("/dashboard/") == "/dashboard/"
    assert percentile([], 50) == 0
    values = [float(i) for i in range(1, 101)]
    assert percentile(values, 50) == 50 and percentile(values, 95) == 95 and percentile(values, 100) == 100
    assert percentile([7.0], 95) == 7.0


def test_redirects_are_followed_on_the_same_host(live_server, tree):
    from urllib.parse import urlsplit

    from bench.load import Client

    parts = urlsplit(live_server.url)
    client = Client(parts.hostname, parts.port, "", timeout=10)
    client.login(tree.leader.username, TEST_PASSWORD)
    assert client.get("/dashboard/") == (200, None)  # via the unit's own dashboard
    assert client.get("/dashboard/", follow=False)[0] == 302
    client.cookies.pop("sessionid")
    assert client.get("/dashboard/") == (302, "redirected to the login page")
    client.close()

    scenario = Scenario(name="leader", username=tree.leader.username, password=TEST_PASSWORD, paths=["/dashboard/"])
    result = drive(live_server.url, [scenario], clients=1, seconds=0.5, timeout=10)
    assert result["requests"] > 0 and result["errors"] == 0
