"""PostgreSQL going away under a running site: once it answers again, the very next request
succeeds. The site keeps its database connection between requests (DB_CONN_MAX_AGE); with
conn_health_checks Django tests a kept connection before its first use in a request and
opens a new one when the server has dropped it, instead of failing that request.

Two ways to drop it: every connection of the test database cut (pg_terminate_backend,
which needs no privileges beyond owning the database), and the real thing — the cluster
restarted with pg_ctlcluster (as root, as CI runs; FAULTS_PG_RESTART=0 turns it off on a
machine whose PostgreSQL others are using)."""

import os
import shutil
import subprocess

import pytest
from django.db import connection, connections

from tests.faults.stack import gunicorn, needs_stack, session_for, site_env, wait_for

pytestmark = [needs_stack, pytest.mark.django_db(transaction=True)]

PAGES = ("/", "/warnings/", "/dashboard/")


@pytest.fixture
def site(tree):
    """The site under gunicorn (one process, one thread: the request after the fault meets
    the connection the request before it used), and a leader signed in."""
    with gunicorn(site_env()) as base:
        client = session_for(tree.leader)
        for path in PAGES:  # the connection is opened and kept
            assert client.get(base + path, timeout=30).status_code == 200
        yield base, client
    connections.close_all()  # this process's own connection was dropped too


def _assert_next_requests_succeed(base, client) -> None:
    for attempt, path in enumerate(PAGES * 2, 1):
        status = client.get(base + path, timeout=30).status_code
        assert status == 200, f"request {attempt} after the fault ({path}) answered {status}"


def test_the_next_request_succeeds_after_the_database_drops_every_connection(site):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1, "the site held no connection to drop"
    _assert_next_requests_succeed(*site)


def _cluster() -> tuple[str, str]:
    """The Debian cluster (version, name) serving the test database's port."""
    port = str(connection.settings_dict["PORT"] or 5432)
    for line in subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout.splitlines():
        version, name, cluster_port, *_ = line.split()
        if cluster_port == port:
            return version, name
    pytest.skip(f"no local cluster listens on port {port}")


@pytest.mark.skipif(os.environ.get("FAULTS_PG_RESTART") == "0", reason="FAULTS_PG_RESTART=0: restarting is off")
@pytest.mark.skipif(os.geteuid() != 0, reason="restarting PostgreSQL needs root (CI runs as root)")
@pytest.mark.skipif(shutil.which("pg_ctlcluster") is None, reason="needs Debian's pg_ctlcluster")
def test_the_next_request_succeeds_after_postgresql_restarts(site):
    version, name = _cluster()
    port = str(connection.settings_dict["PORT"] or 5432)
    subprocess.run(["pg_ctlcluster", "--mode", "fast", version, name, "restart"], check=True, timeout=120)
    ready = ["pg_isready", "-q", "-h", "127.0.0.1", "-p", port]
    wait_for(lambda: subprocess.run(ready).returncode == 0, timeout=60, what="PostgreSQL accepting connections")
    _assert_next_requests_succeed(*site)
