"""The pieces of the real stack the fault tests start, stop and break: Celery workers,
a private redis-server, gunicorn, signed-in HTTP sessions and a row lock held from outside.

Every process binds 127.0.0.1 only and works on the test database (its URL is built from
the test run's own connection, which names test_<database>)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import redis
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction

BASE_DIR = Path(__file__).resolve().parent.parent.parent
ON_STACK = os.environ.get("DATABASE_URL", "").startswith("postgres") and bool(os.environ.get("REDIS_URL"))
needs_stack = pytest.mark.skipif(
    not ON_STACK,
    reason="fault tests need DATABASE_URL on PostgreSQL and REDIS_URL (CI's second run): they break the real stack",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, *, timeout: float, what: str, every: float = 0.1):
    """Poll ``check`` until it returns something true; fail the test saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s")
        time.sleep(every)


# ---------------------------------------------------------------------------------------
# The test database, seen from other processes


def database_url(name: str | None = None) -> str:
    """The URL of the test database (or of ``name`` on the same server)."""
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    password = quote(db["PASSWORD"] or "", safe="")
    return f"postgres://{quote(db['USER'], safe='')}:{password}@{host}:{port}/{name or db['NAME']}"


def raw_connection(name: str | None = None, *, autocommit: bool = False) -> psycopg.Connection:
    """A connection of our own, outside Django's (to hold a lock, or to create a database)."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
        dbname=name or db["NAME"], autocommit=autocommit,
    )  # fmt: skip


@contextlib.contextmanager
def row_locked(table: str, pk: int) -> Iterator[int]:
    """Hold ``SELECT … FOR UPDATE`` on one row from another connection until the block ends
    (then roll back); yields that connection's backend pid. Django's foreign keys are
    checked at COMMIT on PostgreSQL, so a transaction that inserted a row pointing at the
    locked one waits in its COMMIT."""
    with raw_connection() as conn:
        conn.execute(f'SELECT 1 FROM "{table}" WHERE id = %s FOR UPDATE', [pk])
        try:
            yield conn.info.backend_pid
        finally:
            conn.rollback()


class _RollBack(Exception):
    pass


@contextlib.contextmanager
def uncommitted(create: Callable[[], object]) -> Iterator[int]:
    """Run ``create`` in a transaction of another connection (a thread's) and keep it open,
    uncommitted, until the block ends, then roll it back; yields that connection's backend
    pid. Another insert of the same unique key waits for it at the INSERT itself."""
    started, done = threading.Event(), threading.Event()
    state: dict = {}

    def hold() -> None:
        try:
            with transaction.atomic():
                create()
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    state["pid"] = cursor.fetchone()[0]
                started.set()
                done.wait(120)
                raise _RollBack
        except _RollBack:
            pass
        except Exception as exc:  # noqa: BLE001 - handed to the test, which fails with it
            state["error"] = exc
        finally:
            started.set()
            connection.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    started.wait(60)
    try:
        if "error" in state:
            raise state["error"]
        yield state["pid"]
    finally:
        done.set()
        thread.join(60)


def blocked_by(pid: int) -> int:
    """How many other sessions are waiting on a lock the session ``pid`` holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid])
        return cursor.fetchone()[0]


# ---------------------------------------------------------------------------------------
# Processes


def _stop(process: subprocess.Popen, *, timeout: float = 20) -> str:
    if process.poll() is None:
        process.terminate()
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


@contextlib.contextmanager
def worker(queue: str | None = None, *, pool: str = "solo", env: dict | None = None,
           visibility_timeout: float | None = None) -> Iterator[subprocess.Popen]:  # fmt: skip
    """A Celery worker process on the test database, consuming ``queue`` (its own, so a
    worker of a running dev stack cannot take the test's tasks) or the default queue.
    ``visibility_timeout``: see ``tests.faults.worker``."""
    queue_args = ["-Q", queue, "-n", f"{queue}@%h"] if queue else []
    environment = {**os.environ, "DATABASE_URL": database_url(), **(env or {})}
    if visibility_timeout is not None:
        environment["FAULTS_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.worker", f"--pool={pool}", "--concurrency=1", *queue_args,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        cwd=BASE_DIR, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        output = _stop(process)
        if process.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL):
            print(f"worker exited with {process.returncode}:\n{output}")


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (a prefork worker's pool processes)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


class RedisServer:
    """A redis-server of the test's own on a free port, as CI starts Redis (no persistence),
    which the test may stop and start again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self.answers, timeout=10, what=f"redis-server on port {self.port} answering")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process, timeout=10)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=0.5)

    def answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.exceptions.ConnectionError:
            return False


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def site_env(**overrides: str) -> dict:
    """The environment of a site process on the test database: the product's settings as
    CI runs them, over plain http on loopback (so the session cookie is not https-only)."""
    return {
        "DATABASE_URL": database_url(), "REDIS_URL": os.environ["REDIS_URL"], "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY, "SECURE_COOKIES": "0", "STATIC_MANIFEST": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT), "LOG_LEVEL": "WARNING", **overrides,
    }  # fmt: skip


@contextlib.contextmanager
def gunicorn(env: dict, *, threads: int = 1) -> Iterator[str]:
    """The site under gunicorn, one worker process (so the request after a fault meets the
    same database connection as the one before); yields its base URL once /healthz answers."""
    port = free_port()
    command = [str(BASE_DIR / ".venv" / "bin" / "gunicorn"), "antifraud.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", str(threads),
               "--log-level", "warning", "--timeout", "60"]  # fmt: skip
    if not Path(command[0]).exists():
        command[0] = shutil.which("gunicorn") or "gunicorn"
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env={**os.environ, **env}, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while not _healthy(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"gunicorn did not come up (exit {process.poll()}):\n{log.read()[-3000:]}")
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            _stop(process, timeout=10)


def _healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
    except requests.RequestException:  # not listening yet, or busy starting
        return False


# ---------------------------------------------------------------------------------------
# Signed-in HTTP clients


def set_server_password(user, password: str) -> None:
    """Give ``user`` a password the site's own hashers check (the tests' settings hash with
    MD5 for speed, which a site process does not accept)."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt())
    user.save(update_fields=["password"])


def session_for(user) -> requests.Session:
    """An HTTP client signed in as ``user``: a session row written straight to the database
    (the site's session store), as a login would leave it."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    client = requests.Session()
    client.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key, domain="127.0.0.1", path="/")
    return client


def sign_in(base_url: str, username: str, password: str) -> requests.Session:
    """An HTTP client signed in through the login form (CSRF token, django-axes and all)."""
    client = requests.Session()
    page = client.get(f"{base_url}/accounts/login/", timeout=10)
    assert page.status_code == 200, page.status_code
    response = client.post(
        f"{base_url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": client.cookies["csrftoken"]},
        headers={"Referer": f"{base_url}/accounts/login/"}, allow_redirects=False, timeout=10,
    )  # fmt: skip
    assert response.status_code == 302, f"login answered {response.status_code}"
    return client


def csrf_post(client: requests.Session, url: str, **kwargs) -> requests.Response:
    """POST a form the way a browser does: the CSRF token of the page's cookie, the Referer."""
    token = client.cookies.get("csrftoken") or _csrf_from(client, url)
    data = {**kwargs.pop("data", {}), "csrfmiddlewaretoken": token}
    return client.post(url, data=data, headers={"Referer": url}, allow_redirects=False, timeout=30, **kwargs)


def _csrf_from(client: requests.Session, url: str) -> str:
    client.get(url, timeout=30)
    return client.cookies["csrftoken"]
