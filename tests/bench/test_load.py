"""The load driver against a real local server (pytest-django's live server)."""

import os

import pytest
from django.db import connection

from bench.load import Scenario, action_verdict, drive, path_pattern, percentile
from tests.factories import TEST_PASSWORD

MISSING = "/no-such-page/"


def os_environ_has_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


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


# ---------------------------------------------------------------------------- the mixed run


def officer_session(live_server, user):
    from urllib.parse import urlsplit

    from bench.load import Client, Session, Tally

    parts = urlsplit(live_server.url)
    client = Client(parts.hostname, parts.port, "", timeout=10)
    client.login(user.username, TEST_PASSWORD)
    return Session(client, Tally(), user.username)


def pending_tasks(station, n):
    from tests.factories import WarningTaskFactory

    return [WarningTaskFactory(station=station, level="low") for _ in range(n)]


def test_an_officer_works_the_queue_through_its_forms(live_server, tree):
    """Sign, contact, handle: every step through the page's own forms (CSRF and all); the
    database ends where the client was told it did."""
    from bench.load import StationWork
    from earlywarnings.models import ContactAttempt, TaskStatus, WarningTask

    tasks = pending_tasks(tree.station_a, 40)  # far more than 2 s of work: the queue never runs dry
    pending_tasks(tree.station_b, 2)  # another station's: out of sight
    officer = Scenario("officer", tree.officer_a.username, TEST_PASSWORD, work=StationWork)
    result = drive(live_server.url, [officer], clients=1, seconds=2, timeout=10)

    assert result["errors"] == 0, result["error_samples"]
    assert result["conflicts"] == 0
    assert {"queue", "task page", "sign (签收)"} <= set(result["by_kind"])
    work = result["work"]
    assert work["tasks signed"] >= 1
    ours = WarningTask.objects.filter(pk__in=[t.pk for t in tasks])
    assert ours.exclude(status=TaskStatus.PENDING).count() == work["tasks signed"]
    assert ours.filter(status=TaskStatus.FEEDBACK).count() == work.get("tasks handled", 0)
    assert ContactAttempt.objects.filter(task__in=ours).count() == work.get("contacts logged", 0)
    assert WarningTask.objects.filter(station=tree.station_b, status=TaskStatus.PENDING).count() == 2
    # A task goes sign → contact → handle: never a step skipped or repeated.
    for task in ours.filter(status=TaskStatus.FEEDBACK):
        assert task.acknowledged_by == tree.officer_a and task.attempts.count() == 1
        assert task.outcome == "dissuaded" and task.handled_by == tree.officer_a


def test_a_queue_that_runs_dry_is_an_error_of_the_run(live_server, tree):
    from bench.load import StationWork

    officer = Scenario("officer", tree.officer_a.username, TEST_PASSWORD, work=StationWork)
    result = drive(live_server.url, [officer], clients=1, seconds=0.3, timeout=10)
    assert result["by_kind"]["queue"]["errors"] >= 1
    assert result["errors"] >= 1 and "ran dry" in result["error_samples"][0]


def test_a_task_someone_else_got_to_first_is_a_conflict_not_an_error(live_server, tree):
    from bench.load import CONFLICT, ERROR, OK, StationWork, csrf_token
    from earlywarnings.services import warning_acknowledge

    task = pending_tasks(tree.station_a, 1)[0]
    session = officer_session(live_server, tree.officer_a)
    page = session.get("task page", f"/warnings/{task.pk}/")
    fields = {"csrfmiddlewaretoken": csrf_token(page.text), "next": f"/warnings/{task.pk}/"}
    warning_acknowledge(task=task, user=tree.officer_b)  # meanwhile, at the other desk

    work = StationWork()
    answer = session.post("sign", f"/warnings/{task.pk}/sign/", fields, check=action_verdict)
    work.after(task.pk, "sign", answer, session.tally)
    assert answer.outcome == CONFLICT and "已被签收" in answer.detail
    assert session.tally.counts["tasks taken by someone else"] == 1 and work.in_hand is None

    # A form the product sends back (no method, no note) is an error, not a conflict.
    answer = session.post("contact", f"/warnings/{task.pk}/attempts/", fields, check=action_verdict)
    assert answer.outcome == ERROR and "refused" in answer.detail
    # And a proper contact is a success.
    fields.update(method="phone", note="已电话联系")
    assert session.post("contact", f"/warnings/{task.pk}/attempts/", fields, check=action_verdict).outcome == OK
    session.client.close()
    assert [o for *_, o in session.tally.samples] == ["ok", "conflict", "error", "ok"]


@pytest.fixture
def issued_bulletin(tree, monkeypatch):
    """The city's last-month bulletin, issued; files rendered by a stand-in (the real
    renderers take seconds, and are timed by run_bench)."""
    import datetime as dt

    from django.utils import timezone

    from bulletins import services
    from orgs.roles import Role
    from tests.factories import UserFactory

    monkeypatch.setattr(services, "render", lambda doc, fmt: f"{fmt} of {doc['issue']['number_label']}".encode())
    analyst = UserFactory(username="analyst", unit=tree.city, role=Role.ANALYST)
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    bulletin, _ = services.draft(tree.city, "month", month)
    return services.issue(bulletin, user=analyst)


def test_a_reader_reads_dashboards_the_stats_api_and_issued_files(live_server, tree, issued_bulletin):
    from bench.load import FILE_TYPES, ViewerWork, warm_files

    first = warm_files(live_server.url, tree.leader.username, TEST_PASSWORD, bulletins=2)
    assert set(first) == {"download docx", "download pdf", "download xlsx"}
    reader = Scenario("leader", tree.leader.username, TEST_PASSWORD, work=lambda: ViewerWork(bulletins=2))
    result = drive(live_server.url, [reader], clients=1, seconds=2, timeout=10)

    assert result["errors"] == 0, result["error_samples"]
    assert {"dashboard", "stats API"} <= set(result["by_kind"])
    assert {"/dashboard/C/", "/dashboard/X/", "/api/v1/stats/?period&unit", "/api/v1/stats/breakdown/?by&unit"} <= set(
        result["by_path"]
    )
    for fmt, content_type in FILE_TYPES.items():
        seen = result["files"].get(f"download {fmt}")
        if seen:  # each format once in a cycle of the units: at least the first is reached
            assert seen["types"] == [content_type] and seen["min_bytes"] > 0
    assert result["files"], "no file was downloaded"
    for kind, figures in result["by_kind"].items():
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"], kind


def test_a_reader_without_issued_bulletins_sits_the_run_out(live_server, tree):
    from bench.load import ViewerWork

    reader = Scenario("leader", tree.leader.username, TEST_PASSWORD, work=ViewerWork)
    result = drive(live_server.url, [reader], clients=1, seconds=0.3, timeout=10)
    assert result["requests"] == 0 and result["login_failures"] == result["errors"] == 1
    assert "no issued bulletin" in result["error_samples"][0]


def test_the_driver_knows_the_products_refusals_and_file_types():
    from bench.load import FILE_TYPES, STATE_REFUSALS
    from bulletins.render import FORMATS
    from earlywarnings.services import STATUS_MESSAGES

    assert set(STATUS_MESSAGES.values()) <= set(STATE_REFUSALS)
    assert {fmt: spec[0] for fmt, spec in FORMATS.items()} == FILE_TYPES


def test_reading_a_queue_and_an_actions_answer():
    from bench.load import CONFLICT, ERROR, OK, Answer, queue_tasks

    html = """<form action="/warnings/7/sign/"></form><form action="/warnings/3/attempts/"></form>
              <form action="/warnings/3/handle/"></form><form action="/warnings/3/transfer/"></form>"""
    assert queue_tasks(html) == {7: {"sign"}, 3: {"attempts", "handle"}}
    assert list(queue_tasks(html)) == [7, 3]  # the page's order: most urgent first

    def answer(messages):
        items = "".join(f'<li class="{tags}">{text}</li>' for tags, text in messages)
        return Answer(200, None, f'<ul class="messages">{items}</ul><main>…</main>'.encode(), "/warnings/3/")

    assert action_verdict(answer([("success", "已签收 YJ1")])) == (OK, "")
    assert action_verdict(answer([("error", "YJ1：该任务已办结。")]))[0] == CONFLICT
    assert action_verdict(answer([("error", "YJ1：请填写处置情况。")]))[0] == ERROR
    assert action_verdict(answer([]))[0] == ERROR


def test_load_run_spreads_officers_over_stations_and_alternates_roles():
    from bench.load import StationWork, ViewerWork
    from bench.management.commands.load_run import build_scenarios, officer_accounts, split

    officers, readers = split(20)
    assert (officers, readers) == (10, 10) and split(1) == (0, 1)
    accounts = officer_accounts(2026, officers)
    assert len({code for _, code in accounts}) == 10  # one client per station
    assert len({code[:6] for _, code in accounts}) == 5  # every county takes part
    assert len(officer_accounts(2026, 30)) == 30  # past the city's 25 stations, accounts repeat

    scenarios = build_scenarios(accounts, 20)
    assert len(scenarios) == 20
    assert [isinstance(s.work(), StationWork) for s in scenarios[:4]] == [True, False, True, False]
    assert {s.username for s in scenarios if isinstance(s.work(), ViewerWork)} == {"leader", "analyst"}


def test_load_runs_supply_goes_through_the_intake(tree, tmp_path):
    import datetime as dt
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from bench.management.commands.load_run import supply, write_supply
    from earlywarnings.models import TaskStatus, WarningTask

    assert supply(60) >= 60 and supply(1) >= 20
    path = tmp_path / "supply.csv"
    now = timezone.localtime()
    write_supply(path, ["XA", "XB"], 3, now)
    call_command("import_data", "warnings", str(path), stdout=io.StringIO())
    tasks = WarningTask.objects.filter(task_no__startswith="YJLOAD")
    assert tasks.count() == 6 and set(tasks.values_list("status", flat=True)) == {TaskStatus.PENDING}
    assert {t.station.code for t in tasks} == {"XA", "XB"}
    assert all(t.sign_deadline > now + dt.timedelta(hours=1) for t in tasks)  # none overdue during a run


def test_load_run_writes_its_block_of_the_docs(tmp_path, monkeypatch):
    from bench.management.commands import load_run

    docs = tmp_path / "load.md"
    docs.write_text("# Load\n\nprose\n\n<!-- load_run -->\nold\n<!-- /load_run -->\n\nmore prose\n", encoding="utf-8")
    monkeypatch.setattr(load_run, "DOCS", docs)
    monkeypatch.setattr(load_run, "RESULTS", tmp_path / "load.json")
    figures = {"n": 3, "p50_ms": 10.0, "p95_ms": 20.0, "max_ms": 30.0, "errors": 0, "conflicts": 0}
    command = load_run.Command()
    command.results = {
        "machine": {"cores": 2, "memory_mb": 4096, "python": "3.11", "system": "Linux", "date": "2026-11-23"},
        "started": "2026-11-23T12:00:00+08:00",
        "stack": {"gunicorn": {"workers": 3, "threads": 4}, "postgresql": "15", "redis": "7", "celery": "1 worker"},
        "setup": {"seed_seconds": 60, "officers": 1, "viewers": 1, "stations": 1, "supply_per_station": 60},
        "load": {"clients": 2, "seconds": 60.0, "requests": 3, "rps": 0.1, "errors": 0, "conflicts": 0,
                 "p50_ms": 10.0, "p95_ms": 20.0, "max_ms": 30.0, "by_kind": {"queue": figures},
                 "work": {"tasks signed": 1}, "files": {}},
        "agreement": {"mismatch": []},
        "worker": {"round_trip_seconds": 1.0, "answer": "增量刷新"},
        "first_downloads": {"download pdf": [1500.0]},
    }  # fmt: skip
    command._write(docs=True)
    text = docs.read_text(encoding="utf-8")
    assert text.startswith("# Load\n\nprose\n") and text.endswith("more prose\n") and "old" not in text
    assert "| queue | 3 | 10 ms | 20 ms | 30 ms | 0 | 0 |" in text
    assert "| **all** | **3** |" in text and "pdf 1.5–1.5 s" in text
    assert (tmp_path / "load.json").exists()


@pytest.mark.skipif(
    not os_environ_has_postgres(),
    reason="concurrent clients need PostgreSQL (see clients()): DATABASE_URL=postgres://…",
)
def test_officers_of_two_stations_and_a_reader_at_once(live_server, tree, issued_bulletin):
    """The mixed run in small: different stations never meet on a task; two clients of one
    station do, and the slower one's refusal is a conflict, never an error."""
    from bench.load import StationWork, ViewerWork

    pending_tasks(tree.station_a, 40)
    pending_tasks(tree.station_b, 40)
    scenarios = [
        Scenario("officer A", tree.officer_a.username, TEST_PASSWORD, work=StationWork),
        Scenario("officer B", tree.officer_b.username, TEST_PASSWORD, work=StationWork),
        Scenario("leader", tree.leader.username, TEST_PASSWORD, work=lambda: ViewerWork(bulletins=1)),
    ]
    result = drive(live_server.url, scenarios, clients=3, seconds=2, timeout=10)
    assert result["errors"] == 0 and result["conflicts"] == 0, result["error_samples"]
    assert result["work"]["tasks signed"] >= 2 and result["files"]

    same_desk = Scenario("officer A", tree.officer_a.username, TEST_PASSWORD, work=StationWork)
    result = drive(live_server.url, [same_desk], clients=3, seconds=2, timeout=10)
    assert result["errors"] == 0, result["error_samples"]
    # Each refusal is a task dropped; a task found finished on its page is dropped without one.
    assert result["conflicts"] <= result["work"].get("tasks taken by someone else", 0)
