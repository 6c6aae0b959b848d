"""Drive the served site with concurrent signed-in clients (stdlib only: threads + http.client).

``serve()`` starts the site under gunicorn on a local port; ``drive()`` logs ``clients`` users in
through the login form, then has each GET its scenario's paths in turn until the deadline and
reports throughput, latency percentiles and errors. It only ever talks to a local address.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
LOGIN_PATH = "/accounts/login/"
CSRF_INPUT = re.compile(
    r"<input[^>]*name=[\"']csrfmiddlewaretoken[\"'][^>]*value=[\"']([^\"']+)[\"']"
    r"|<input[^>]*value=[\"']([^\"']+)[\"'][^>]*name=[\"']csrfmiddlewaretoken[\"']"
)
MAX_SAMPLES = 5
MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
LOGIN_ATTEMPTS = 3  # a login answered with a server error is tried again (SQLite: a locked table)


@dataclass
class Scenario:
    name: str
    username: str
    password: str
    paths: list[str] = field(default_factory=list)  # GET paths, cycled per client


class LoginFailed(Exception):
    """The login did not go through (a server error, a missing form): worth another try."""


class LoginRefused(LoginFailed):
    """The site refused the credentials."""


def _local_target(base_url: str) -> tuple[str, int, str]:
    """(host, port, path prefix) of a local http base URL; ValueError for anything else."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme != "http":
        raise ValueError(f"{base_url!r}: only http:// URLs are driven")
    host = parts.hostname
    if host not in LOCAL_HOSTS:
        raise ValueError(f"{base_url!r}: the load driver only targets 127.0.0.1, localhost or ::1")
    return host, parts.port or 80, parts.path.rstrip("/")


class Client:
    """One user agent: a keep-alive connection to one local host, and its cookies."""

    def __init__(self, host: str, port: int, prefix: str, timeout: float):
        self.host, self.port, self.prefix, self.timeout = host, port, prefix, timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """(status, headers, body). A kept-alive connection the server closed meanwhile is
        reopened once; other failures raise."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, self.prefix + path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if fresh or attempt == 2:
                    raise
                continue
            except Exception:
                self.close()
                raise
            for cookie in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(cookie).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            if response.will_close:
                self.close()
            return response.status, response.headers, data
        raise AssertionError("unreachable")

    def get(self, path: str, *, follow: bool = True) -> tuple[int, str | None]:
        """GET ``path`` (following up to MAX_REDIRECTS redirects on this host, as a browser
        or locust's client would): the final status, and what went wrong if a redirect led
        to the login page (the session is gone) or went round in circles."""
        for _ in range(MAX_REDIRECTS + 1):
            status, headers, _ = self.request("GET", path)
            if status not in REDIRECTS:
                return status, None
            location = headers.get("Location", "")
            if LOGIN_PATH in location:
                return status, "redirected to the login page"
            if not follow:
                return status, None
            path = self._local_path(location)
        return status, f"more than {MAX_REDIRECTS} redirects"

    def _local_path(self, location: str) -> str:
        """A redirect target as a path on this same host; ValueError if it leaves it."""
        parts = urllib.parse.urlsplit(location)
        if parts.netloc and parts.hostname not in LOCAL_HOSTS | {self.host}:
            raise ValueError(f"redirect off the local host: {location}")
        path = parts.path.removeprefix(self.prefix) or "/"
        return path + (f"?{parts.query}" if parts.query else "")

    def login(self, username: str, password: str) -> None:
        status, _, body = self.request("GET", LOGIN_PATH)
        if status != 200:
            raise LoginFailed(f"GET {LOGIN_PATH}: HTTP {status}")
        match = CSRF_INPUT.search(body.decode("utf-8", "replace"))
        if not match or "csrftoken" not in self.cookies:
            raise LoginFailed("login form without a CSRF token")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1) or match.group(2)}
        ).encode()
        origin = f"http://{self._netloc()}"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{origin}{self.prefix}{LOGIN_PATH}",
            "Origin": origin,
        }
        status, headers_in, _ = self.request("POST", LOGIN_PATH, form, headers)
        if status == 200:  # the form again, with its error
            raise LoginRefused(f"{username}: login refused (the form came back)")
        if status not in (301, 302, 303) or "sessionid" not in self.cookies:
            raise LoginFailed(f"{username}: login failed (HTTP {status})")
        target = self._local_path(headers_in.get("Location", "/"))
        status, _, _ = self.request("GET", target)
        if status >= 400:
            raise LoginFailed(f"{username}: after login, GET {target}: HTTP {status}")

    def _netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def path_pattern(path: str) -> str:
    """A path for grouping: numeric segments as {id}, the query string's values dropped."""
    parts = urllib.parse.urlsplit(path)
    segments = ["{id}" if s.isdigit() else s for s in parts.path.split("/")]
    pattern = "/".join(segments)
    if parts.query:
        keys = sorted({k for k, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)})
        pattern += "?" + "&".join(keys)
    return pattern


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), int(-(-q * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


def drive(
    base_url: str,
    scenarios: list[Scenario],
    *,
    clients: int = 20,
    seconds: float = 30.0,
    timeout: float = 30.0,
    follow_redirects: bool = True,
) -> dict:
    """Run ``clients`` threads (scenarios assigned round-robin) for ``seconds`` after all have
    logged in; each GETs its scenario's paths in turn, following same-host redirects (a
    request's latency includes them). A final status ≥ 400, a redirect to the login page or an
    exception is an error. Latencies are in milliseconds; logins are not counted."""
    host, port, prefix = _local_target(base_url)
    if not scenarios or any(not s.paths for s in scenarios):
        raise ValueError("every scenario needs at least one path")
    if clients < 1 or seconds <= 0:
        raise ValueError("clients ≥ 1 and seconds > 0")

    lock = threading.Lock()
    samples: list[tuple[str, float, bool]] = []  # (pattern, ms, error)
    error_samples: list[str] = []
    window = {"start": 0.0, "deadline": 0.0}

    def start_window():
        window["start"] = time.monotonic()
        window["deadline"] = window["start"] + seconds

    barrier = threading.Barrier(clients + 1, action=start_window)

    def note_error(text: str) -> None:
        with lock:
            if len(error_samples) < MAX_SAMPLES:
                error_samples.append(text)

    def run(index: int) -> None:
        scenario = scenarios[index % len(scenarios)]
        client = Client(host, port, prefix, timeout)
        logged_in = False
        for attempt in range(1, LOGIN_ATTEMPTS + 1):
            try:
                client.login(scenario.username, scenario.password)
                logged_in = True
                break
            except LoginRefused as exc:  # wrong credentials: trying again will not help
                note_error(f"client {index} ({scenario.name}) login: {exc}")
                break
            except Exception as exc:  # noqa: BLE001 - a busy server: try again, then sit the run out
                client.close()
                client.cookies.clear()
                if attempt == LOGIN_ATTEMPTS:
                    note_error(f"client {index} ({scenario.name}) login: {exc.__class__.__name__}: {exc}")
                else:
                    time.sleep(0.2 * attempt)
        try:
            barrier.wait(timeout=4 * timeout + 10)
        except threading.BrokenBarrierError:
            client.close()
            return
        if not logged_in:
            with lock:
                samples.append(("(login)", 0.0, True))
            client.close()
            return
        local: list[tuple[str, float, bool]] = []
        i = index  # clients of one scenario start at different paths
        while time.monotonic() < window["deadline"]:
            path = scenario.paths[i % len(scenario.paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                status, detail = client.get(path, follow=follow_redirects)
                error = status >= 400 or detail is not None
                detail = detail or f"HTTP {status}"
            except Exception as exc:  # noqa: BLE001 - any failure is an error of the run
                error, detail = True, f"{exc.__class__.__name__}: {exc}"
            ms = (time.perf_counter() - t0) * 1000
            local.append((path_pattern(path), ms, error))
            if error:
                note_error(f"GET {path}: {detail} ({scenario.name})")
        client.close()
        with lock:
            samples.extend(local)

    threads = [threading.Thread(target=run, args=(i,), daemon=True, name=f"load-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=4 * timeout + 10)
    except threading.BrokenBarrierError as exc:
        raise RuntimeError(f"the {clients} clients did not all finish logging in in time") from exc
    for thread in threads:
        thread.join(timeout=seconds + timeout + 10)
    elapsed = time.monotonic() - window["start"]

    with lock:
        done = [s for s in samples if s[0] != "(login)"]
        login_failures = len(samples) - len(done)
        errors_list = list(error_samples)
    latencies = sorted(ms for _, ms, _ in done)
    by_path: dict[str, dict] = {}
    for pattern in dict.fromkeys(p for p, _, _ in done):
        ms = sorted(m for p, m, _ in done if p == pattern)
        by_path[pattern] = {
            "n": len(ms),
            "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "errors": sum(1 for p, _, e in done if p == pattern and e),
        }
    return {
        "clients": clients,
        "seconds": round(elapsed, 3),
        "requests": len(done),
        "errors": sum(1 for _, _, e in done if e) + login_failures,
        "login_failures": login_failures,
        "error_samples": errors_list,
        "rps": round(len(done) / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(latencies[-1], 1) if latencies else 0.0,
        "by_path": by_path,
    }


# ---------------------------------------------------------------------------- gunicorn


def _healthy(host: str, port: int) -> bool:
    try:
        conn = http.client.HTTPConnection(host, port, timeout=5)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(bind: str = "127.0.0.1:8077", workers: int = 3, env: dict | None = None) -> Iterator[str]:
    """Serve the site with gunicorn on ``bind`` (a local address) while the block runs; yields
    its base URL once ``/healthz`` answers 200 (60 s at most). ``env`` is laid over this
    process's environment (e.g. ``{"DEBUG": "0", "SECRET_KEY": …}``)."""
    host, _, port_text = bind.rpartition(":")
    host = host.strip("[]")
    if host not in LOCAL_HOSTS:
        raise ValueError(f"{bind!r}: serve binds a local address only")
    port = int(port_text)
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    command = [
        str(gunicorn) if gunicorn.exists() else "gunicorn", "antifraud.wsgi:application",
        "--bind", bind, "--workers", str(workers), "--threads", "2", "--log-level", "warning",
    ]  # fmt: skip
    environment = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline = time.monotonic() + 60
            while not _healthy(host, port):
                if process.poll() is not None or time.monotonic() > deadline:
                    stderr.seek(0)
                    tail = stderr.read().decode("utf-8", "replace")[-4000:]
                    state = f"exited with {process.returncode}" if process.poll() is not None else "not healthy in 60 s"
                    raise RuntimeError(f"gunicorn on {bind} {state}; its stderr:\n{tail}")
                time.sleep(0.2)
            netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            yield f"http://{netloc}"
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
