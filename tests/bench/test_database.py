"""run_bench's own database: dropped even while sessions are still in it."""

import os

import pytest

from bench.databases import drop_database

NAME = "antifraud_bench_droptest"


@pytest.fixture
def scratch(transactional_db):
    """A database of the bench's kind with one of our own sessions left open in it."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the bench database is PostgreSQL's: DATABASE_URL=postgres://… is not set")
    import psycopg
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{NAME}"')
        cursor.execute(f'CREATE DATABASE "{NAME}"')
    s = connection.settings_dict
    left_open = psycopg.connect(
        f"postgresql://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{NAME}"
    )
    left_open.execute("SELECT 1")
    yield left_open
    left_open.close()


def _exists(name):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone()[0] == 1


def test_drop_database_ends_our_sessions_and_drops(scratch):
    assert _exists(NAME)
    drop_database(NAME)
    assert not _exists(NAME)
    assert scratch.closed or scratch.broken or _session_gone(scratch)


def _session_gone(conn):
    import psycopg

    try:
        conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return True
    return False


def test_drop_database_of_a_missing_database_is_quiet(transactional_db):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the bench database is PostgreSQL's: DATABASE_URL=postgres://… is not set")
    drop_database("antifraud_bench_never_made")
    assert not _exists("antifraud_bench_never_made")
