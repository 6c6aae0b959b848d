"""The benchmark's and the load run's own PostgreSQL databases, made beside the configured
one (never touching it) and dropped after."""

from __future__ import annotations

import time

from django.db import DatabaseError, OperationalError, connection


def create_database(name: str) -> str:
    """A fresh, empty database ``name`` (dropped first if left over); its URL."""
    drop_database(name)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def drop_quietly(name: str, stderr) -> None:
    """Drop at the end of a run whose results are measured: a failure says what is left
    behind and keeps the results."""
    try:
        drop_database(name)
    except DatabaseError as error:
        stderr.write(f'未能删除数据库 {name}（{error}）；请稍后手动执行 DROP DATABASE "{name}"。')


def drop_database(name: str, attempts: int = 5) -> None:
    """Drop the bench database once our own sessions have left it.

    Not ``DROP DATABASE … WITH (FORCE)``: PostgreSQL 15 lets a role that is not a superuser
    force out only its own sessions, and refuses outright when an autovacuum worker is in the
    database, as one often is after a big import (CI's first failure of this bench). So our
    role's sessions are ended here, and the plain ``DROP`` cancels autovacuum by itself; a
    session that is still leaving is waited for, a few times."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid() AND usename = current_user",
            [name],
        )
        for attempt in range(attempts):
            try:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                return
            except OperationalError:  # "is being accessed by other users": ours are still leaving
                if attempt == attempts - 1:
                    raise
                time.sleep(1)
