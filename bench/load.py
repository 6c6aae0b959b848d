"""Drive the served site with concurrent signed-in clients (stdlib only: threads + http.client).

``serve()`` starts the site under gunicorn on a local port and ``celery()`` a Celery worker
(and beat) beside it; ``drive()`` logs ``clients`` users in through the login form, then has
each work its scenario until the deadline and reports throughput, latency percentiles and
errors, per kind of request and overall. A scenario is either a list of paths to GET in turn
(``run_bench``'s) or a role's work (``load_run``'s mixed run): ``StationWork`` — an officer
at the station's warning queue, signing, contacting and handling tasks through the page's
forms — and ``ViewerWork`` — a leader or analyst reading dashboards, the stats API and
issued bulletins' files. It only ever talks to a local address.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Protocol

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
OK, CONFLICT, ERROR = "ok", "conflict", "error"
SCENARIO = "(scenario)"  # the pattern of a problem that is no request's (``Session.fail``)


class LoginFailed(Exception):
    """The login did not go through (a server error, a missing form): worth another try."""


class LoginRefused(LoginFailed):
    """The site refused the credentials."""


class SetupFailed(Exception):
    """A scenario found nothing to work on after signing in (no queue, no bulletin): the
    client sits the run out, counted like a failed login."""


def _local_target(base_url: str) -> tuple[str, int, str]:
    """(host, port, path prefix) of a local http base URL; ValueError for anything else."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme != "http":
        raise ValueError(f"{base_url!r}: only http:// URLs are driven")
    host = parts.hostname
    if host not in LOCAL_HOSTS:
        raise ValueError(f"{base_url!r}: the load driver only targets 127.0.0.1, localhost or ::1")
    return host, parts.port or 80, parts.path.rstrip("/")


@dataclass
class Answer:
    """The final response to a request (after the redirects followed), and its verdict."""

    status: int
    headers: http.client.HTTPMessage | None
    body: bytes
    path: str  # the path that gave this response
    problem: str | None = None  # redirected to the login page, or round in circles
    outcome: str = OK
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == OK

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type", "") if self.headers else "").split(";")[0].strip()


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

    def open(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, *,
             follow: bool = True) -> Answer:  # fmt: skip
        """``method`` on ``path``, following up to MAX_REDIRECTS redirects on this host as a
        browser would (a form's POST answered by a redirect continues as a GET). The answer's
        ``problem`` says when a redirect led to the login page (the session is gone) or went
        round in circles."""
        for _ in range(MAX_REDIRECTS + 1):
            status, headers_in, data = self.request(method, path, body, headers)
            if status not in REDIRECTS:
                return Answer(status, headers_in, data, path)
            location = headers_in.get("Location", "")
            if LOGIN_PATH in location:
                return Answer(status, headers_in, data, path, "redirected to the login page")
            if not follow:
                return Answer(status, headers_in, data, path)
            path = self._local_path(location)
            if status not in (307, 308):
                method, body, headers = "GET", None, None
        return Answer(status, headers_in, data, path, f"more than {MAX_REDIRECTS} redirects")

    def get(self, path: str, *, follow: bool = True) -> tuple[int, str | None]:
        """GET ``path`` (see ``open``): the final status, and what went wrong if anything."""
        answer = self.open("GET", path, follow=follow)
        return answer.status, answer.problem

    def post_form(self, path: str, fields: dict[str, str], *, follow: bool = True) -> Answer:
        """Submit a form as the browser does: urlencoded, with this site as Origin and
        Referer (the CSRF check compares them). ``fields`` carries the form's token."""
        origin = f"http://{self._netloc()}"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{origin}{self.prefix}{path}",
            "Origin": origin,
        }
        return self.open("POST", path, urllib.parse.urlencode(fields).encode(), headers, follow=follow)

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
        token = csrf_token(body.decode("utf-8", "replace"))
        if not token or "csrftoken" not in self.cookies:
            raise LoginFailed("login form without a CSRF token")
        fields = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        answer = self.post_form(LOGIN_PATH, fields, follow=False)
        if answer.status == 200:  # the form again, with its error
            raise LoginRefused(f"{username}: login refused (the form came back)")
        if answer.status not in (301, 302, 303) or "sessionid" not in self.cookies:
            raise LoginFailed(f"{username}: login failed (HTTP {answer.status})")
        target = self._local_path(answer.headers.get("Location", "/"))
        status, _, _ = self.request("GET", target)
        if status >= 400:
            raise LoginFailed(f"{username}: after login, GET {target}: HTTP {status}")

    def _netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def csrf_token(html: str) -> str | None:
    """The CSRF token of the first form on a page."""
    match = CSRF_INPUT.search(html)
    return (match.group(1) or match.group(2)) if match else None


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


# ---------------------------------------------------------------------------- timing


@dataclass
class Tally:
    """What one client saw: a sample per request, the first few problems, and facts of the
    work (tasks signed, files downloaded with their type and size)."""

    samples: list[tuple[str, str, float, str]] = field(default_factory=list)  # (kind, pattern, ms, outcome)
    errors: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    files: dict[str, dict] = field(default_factory=dict)  # kind → {"types": {...}, "min_bytes", "max_bytes"}

    def add(self, kind: str, pattern: str, ms: float, outcome: str, detail: str = "") -> None:
        self.samples.append((kind, pattern, ms, outcome))
        if outcome == ERROR and len(self.errors) < MAX_SAMPLES:
            self.errors.append(detail)
        elif outcome == CONFLICT and len(self.conflicts) < MAX_SAMPLES:
            self.conflicts.append(detail)

    def file(self, kind: str, content_type: str, size: int) -> None:
        seen = self.files.setdefault(kind, {"types": set(), "min_bytes": size, "max_bytes": size})
        seen["types"].add(content_type)
        seen["min_bytes"], seen["max_bytes"] = min(seen["min_bytes"], size), max(seen["max_bytes"], size)


Check = Callable[[Answer], tuple[str, str]]  # an answer's (outcome, detail) beyond its status


class Session:
    """A signed-in client's timed requests: each is one sample of its ``kind``. A request is
    an error when it raises, ends at the login page, answers ≥ 400, or fails its ``check``;
    a conflict when the check says the product refused a change someone else got to first."""

    def __init__(self, client: Client, tally: Tally, label: str = ""):
        self.client, self.tally, self.label = client, tally, label

    def get(self, kind: str, path: str, check: Check | None = None, *, follow: bool = True) -> Answer:
        return self._timed(kind, "GET", path, lambda: self.client.open("GET", path, follow=follow), check)

    def post(self, kind: str, path: str, fields: dict[str, str], check: Check | None = None) -> Answer:
        return self._timed(kind, "POST", path, lambda: self.client.post_form(path, fields), check)

    def fail(self, kind: str, detail: str) -> None:
        """A problem of the scenario that is no request's (a queue with nothing to do)."""
        self.tally.add(kind, SCENARIO, 0.0, ERROR, f"{kind}: {detail} ({self.label})")

    def _timed(self, kind: str, method: str, path: str, call: Callable[[], Answer], check: Check | None) -> Answer:
        t0 = time.perf_counter()
        try:
            answer = call()
        except Exception as exc:  # noqa: BLE001 - any failure is an error of the run
            answer = Answer(0, None, b"", path, outcome=ERROR, detail=f"{exc.__class__.__name__}: {exc}")
        else:
            if answer.problem:
                answer.outcome, answer.detail = ERROR, answer.problem
            elif answer.status >= 400:
                answer.outcome, answer.detail = ERROR, f"HTTP {answer.status}"
            elif check is not None:
                answer.outcome, answer.detail = check(answer)
        ms = (time.perf_counter() - t0) * 1000
        self.tally.add(kind, path_pattern(path), ms, answer.outcome, f"{method} {path}: {answer.detail} ({self.label})")
        return answer


class Workload(Protocol):
    """A role's work: ``setup`` once after signing in (not timed; raise SetupFailed when there
    is nothing to work on), then ``step`` again and again until the deadline."""

    def setup(self, session: Session) -> None: ...

    def step(self, session: Session) -> None: ...


@dataclass
class Scenario:
    name: str
    username: str
    password: str
    paths: list[str] = field(default_factory=list)  # GET paths, cycled per client
    work: Callable[[], Workload] | None = None  # or a role's work: a fresh Workload per client


class PathLoop:
    """GET a scenario's paths in turn; every request is of the scenario's kind."""

    def __init__(self, scenario: Scenario, start: int, follow: bool):
        self.scenario, self.i, self.follow = scenario, start, follow

    def setup(self, session: Session) -> None:
        pass

    def step(self, session: Session) -> None:
        path = self.scenario.paths[self.i % len(self.scenario.paths)]
        self.i += 1
        session.get(self.scenario.name, path, follow=self.follow)


# ---------------------------------------------------------------------------- roles

# The web pages' answers to an action on a task: a message above the page (base.html).
MESSAGES = re.compile(r'<ul class="messages">(.*?)</ul>', re.S)
MESSAGE = re.compile(r'<li class="([^"]*)">(.*?)</li>', re.S)
# What earlywarnings.services says when a task is no longer in the state an action needs
# (STATUS_MESSAGES and the voided task): someone else got there first. Kept in step with it
# by tests/bench/test_load.py.
STATE_REFUSALS = (
    "该任务还没有签收，请先签收。",
    "该任务已被签收，正在处置中。",
    "该任务已反馈处置结果，正在等待审核。",
    "该任务已办结。",
    "该任务已作废。",
)
TASK_FORM = re.compile(r'action="(?:[^"]*?)/warnings/(\d+)/(sign|attempts|handle)/"')
QUEUE_PATH = "/warnings/"
CONTACT_NOTE = "已电话联系预警对象，讲解刷单返利诈骗手法，对象表示不再转账。"
HANDLE_NOTE = "已电话劝阻，对象表示不再转账，已提醒其家属共同关注。"
ACTION_KINDS = {"sign": "sign (签收)", "attempts": "contact (联系)", "handle": "handle (反馈)"}


def page_messages(html: str) -> list[tuple[str, str]]:
    """(tags, text) of the messages shown above a page."""
    block = MESSAGES.search(html)
    return (
        [(tags, re.sub(r"<[^>]+>", "", text).strip()) for tags, text in MESSAGE.findall(block.group(1))]
        if block
        else []
    )


def action_verdict(answer: Answer) -> tuple[str, str]:
    """An action's answer: the page it leads back to says 成功 (a success message), or that
    the task has moved on meanwhile (a conflict: the product refused it properly), or
    anything else — a form sent back with errors, no message at all — which is an error."""
    shown = page_messages(answer.text)
    if any("success" in tags for tags, _ in shown):
        return OK, ""
    refusals = [text for tags, text in shown if "error" in tags]
    if refusals and all(any(state in text for state in STATE_REFUSALS) for text in refusals):
        return CONFLICT, refusals[0]
    if refusals:
        return ERROR, "refused: " + " / ".join(refusals)[:300]
    return ERROR, f"HTTP {answer.status} at {answer.path} without a confirmation"


def queue_tasks(html: str) -> dict[int, set[str]]:
    """The tasks a station's queue page offers to act on, in its order (most urgent
    first), each with the actions its forms allow (sign / attempts / handle)."""
    tasks: dict[int, set[str]] = {}
    for pk, action in TASK_FORM.findall(html):
        tasks.setdefault(int(pk), set()).add(action)
    return tasks


def is_html(answer: Answer) -> tuple[str, str]:
    if answer.status == 200 and answer.content_type == "text/html":
        return OK, ""
    return ERROR, f"HTTP {answer.status}, {answer.content_type or 'no content type'} (a page was expected)"


class StationWork:
    """An officer at the station's queue. Each step: the queue page; the task to work on
    (the one in hand, else the queue's most urgent); its page; and the next action its page
    offers, through the page's form — 签收, then a 联系 (a call logged), then 反馈 (处置结果:
    劝阻成功) — so a task takes three steps from 待签收 to 已反馈. The task in hand is followed
    to its page even when the queue's first page no longer shows it (signed, it is due
    later, and moves down). A task already in 处置中 when first seen (signed before the
    run, its call logged) is handled at once.

    An officer sees only the station's tasks, so officers of different stations never meet
    on one; two clients of one station may, and the product's refusal of the slower one is
    a conflict, not an error. A queue with nothing to act on is an error of the scenario:
    the load run supplies each station enough tasks for its length."""

    def __init__(self):
        self.in_hand: int | None = None
        self.signed: set[int] = set()
        self.contacted: set[int] = set()

    def setup(self, session: Session) -> None:
        answer = session.client.open("GET", QUEUE_PATH)
        if answer.status != 200 or answer.problem:
            raise SetupFailed(f"GET {QUEUE_PATH}: HTTP {answer.status} {answer.problem or ''}".strip())

    def step(self, session: Session) -> None:
        queue = session.get("queue", QUEUE_PATH, is_html)
        if not queue.ok:
            return
        tasks = queue_tasks(queue.text)
        if self.in_hand is None and not tasks:
            session.fail("queue", "the station's queue ran dry: no task to sign or handle")
            time.sleep(0.5)
            return
        pk = self.in_hand if self.in_hand is not None else next(iter(tasks))
        here = f"/warnings/{pk}/"
        page = session.get("task page", here, is_html)
        if not page.ok:
            return
        offered = queue_tasks(page.text).get(pk, set())
        if not offered:  # finished or transferred by someone else meanwhile: nothing left to do
            session.tally.counts["tasks taken by someone else"] += 1
            self.in_hand = None
            return
        action = self.next_action(pk, offered)
        fields = {"csrfmiddlewaretoken": csrf_token(page.text) or "", "next": here}
        if action == "attempts":
            fields.update(method="phone", note=CONTACT_NOTE)
        elif action == "handle":
            fields.update(outcome="dissuaded", method="phone", note=HANDLE_NOTE, loss_prevented="", loss="",
                          case_no="")  # fmt: skip
        answer = session.post(ACTION_KINDS[action], f"/warnings/{pk}/{action}/", fields, action_verdict)
        self.after(pk, action, answer, session.tally)

    def next_action(self, pk: int, offered: set[str]) -> str:
        if "sign" in offered:
            return "sign"
        if pk in self.signed and pk not in self.contacted and "attempts" in offered:
            return "attempts"
        return "handle" if "handle" in offered else "attempts"

    def after(self, pk: int, action: str, answer: Answer, tally: Tally) -> None:
        if answer.outcome == CONFLICT:
            tally.counts["tasks taken by someone else"] += 1
            self.in_hand = None
            return
        if not answer.ok:
            return
        if action == "sign":
            self.signed.add(pk)
            self.in_hand = pk
            tally.counts["tasks signed"] += 1
        elif action == "attempts":
            self.contacted.add(pk)
            tally.counts["contacts logged"] += 1
        else:
            self.in_hand = None
            tally.counts["tasks handled"] += 1


# Issued bulletins' files, as bulletins.render.FORMATS serves them (kept in step by the tests).
FILE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DASHBOARD_LINK = re.compile(r'href="/dashboard/(\w+)/(?:\?[^"]*)?"')
DOWNLOAD_LINK = re.compile(r'href="/bulletins/(\d+)/download/(docx|pdf|xlsx)/"')
MAX_UNITS = 8
ISSUED_ARCHIVE = "/bulletins/?status=issued"


def issued_files(client: Client, bulletins: int) -> list[tuple[str, str]]:
    """(id, format) of every file of the first ``bulletins`` issued bulletins on the archive
    page, as it lists them; SetupFailed when there is none."""
    archive = client.open("GET", ISSUED_ARCHIVE)
    links = list(dict.fromkeys(DOWNLOAD_LINK.findall(archive.text)))
    chosen = list(dict.fromkeys(pk for pk, _ in links))[:bulletins]
    if archive.status != 200 or not chosen:
        raise SetupFailed(f"no issued bulletin to download on {ISSUED_ARCHIVE} (HTTP {archive.status})")
    return [(pk, fmt) for pk, fmt in links if pk in chosen]


def warm_files(base_url: str, username: str, password: str, *, bulletins: int = 2, timeout: float = 120) -> dict:
    """Download once each file ``ViewerWork`` will fetch: an issued bulletin's file is
    rendered on its first download and kept (bulletins.services.file_bytes), so the first
    one is the product's one-off cost, not its steady state. Returns the milliseconds each
    first download took, by kind."""
    host, port, prefix = _local_target(base_url)
    client = Client(host, port, prefix, timeout)
    try:
        client.login(username, password)
        took: dict[str, list[float]] = {}
        for pk, fmt in issued_files(client, bulletins):
            t0 = time.perf_counter()
            answer = client.open("GET", f"/bulletins/{pk}/download/{fmt}/")
            if answer.status != 200 or not answer.body:
                raise RuntimeError(f"first download of bulletin {pk} as {fmt}: HTTP {answer.status}")
            took.setdefault(f"download {fmt}", []).append(round((time.perf_counter() - t0) * 1000, 1))
        return took
    finally:
        client.close()


def is_json(answer: Answer) -> tuple[str, str]:
    if answer.content_type != "application/json":
        return ERROR, f"{answer.content_type or 'no content type'} (JSON was expected)"
    try:
        body = json.loads(answer.body)
    except ValueError as exc:
        return ERROR, f"not JSON: {exc}"
    return (OK, "") if isinstance(body, dict) and body else (ERROR, "an empty answer")


class ViewerWork:
    """A leader or an analyst: the dashboards of their unit and the units below it (this
    month and the year to date), the stats API for the same (``/api/v1/stats/`` and the
    ranking of the children), and now and then an issued bulletin's Word, PDF or Excel
    file — checked for its content type and a size above zero.

    ``setup`` finds the units on the own dashboard's links and the files of the first
    ``bulletins`` issued bulletins on the archive (``issued_files``); ``start`` staggers
    clients of one role over the cycle."""

    def __init__(self, *, bulletins: int = 2, start: int = 0):
        self.bulletins, self.i = bulletins, start
        self.plan: list[tuple[str, str, Check]] = []

    def setup(self, session: Session) -> None:
        home = session.client.open("GET", "/dashboard/")
        if home.status != 200 or home.problem:
            raise SetupFailed(f"GET /dashboard/: HTTP {home.status} {home.problem or ''}".strip())
        units = list(dict.fromkeys(DASHBOARD_LINK.findall(home.text)))
        own = home.path.strip("/").split("/")[-1]
        units = [own, *(u for u in units if u != own)][:MAX_UNITS]
        files = issued_files(session.client, self.bulletins) if self.bulletins else []
        for n, unit in enumerate(units):
            self.plan += [
                ("dashboard", f"/dashboard/{unit}/", is_html),
                ("stats API", f"/api/v1/stats/?unit={unit}&period=month", is_json),
                ("stats API", f"/api/v1/stats/breakdown/?unit={unit}&by=children", is_json),
                ("dashboard", f"/dashboard/{unit}/?period=ytd", is_html),
                ("stats API", f"/api/v1/stats/?unit={unit}&period=ytd", is_json),
            ]
            if files:
                pk, fmt = files[n % len(files)]
                self.plan.append((f"download {fmt}", f"/bulletins/{pk}/download/{fmt}/", self.file_check(fmt)))
        # Every file at least once a cycle, however few the units.
        for pk, fmt in files[len(units) :]:
            self.plan.append((f"download {fmt}", f"/bulletins/{pk}/download/{fmt}/", self.file_check(fmt)))

    def file_check(self, fmt: str) -> Check:
        def check(answer: Answer) -> tuple[str, str]:
            expected = FILE_TYPES[fmt]
            if answer.content_type != expected:
                return ERROR, f"{answer.content_type or 'no content type'} (expected {expected})"
            if not answer.body:
                return ERROR, "an empty file"
            if "attachment" not in (answer.headers.get("Content-Disposition", "") if answer.headers else ""):
                return ERROR, "not served as an attachment"
            return OK, ""

        return check

    def step(self, session: Session) -> None:
        kind, path, check = self.plan[self.i % len(self.plan)]
        self.i += 1
        answer = session.get(kind, path, check)
        if answer.ok and kind.startswith("download"):
            session.tally.file(kind, answer.content_type, len(answer.body))


# ---------------------------------------------------------------------------- the run


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
    logged in and set up; each works its scenario: GETs its paths in turn, following
    same-host redirects (a request's latency includes them), or does its role's work. A
    final status ≥ 400, a redirect to the login page, a failed check or an exception is an
    error; an action the product properly refused because someone else changed the task
    first is a conflict. Latencies are in milliseconds; logins and setups are not counted."""
    host, port, prefix = _local_target(base_url)
    if not scenarios or any(not s.paths and s.work is None for s in scenarios):
        raise ValueError("every scenario needs at least one path, or its work")
    if clients < 1 or seconds <= 0:
        raise ValueError("clients ≥ 1 and seconds > 0")

    lock = threading.Lock()
    tallies: list[Tally] = []
    start_errors: list[str] = []
    window = {"start": 0.0, "deadline": 0.0}

    def start_window():
        window["start"] = time.monotonic()
        window["deadline"] = window["start"] + seconds

    barrier = threading.Barrier(clients + 1, action=start_window)

    def note_start_error(text: str) -> None:
        with lock:
            start_errors.append(text)

    def start(index: int, scenario: Scenario, client: Client, work: Workload, session: Session) -> bool:
        for attempt in range(1, LOGIN_ATTEMPTS + 1):
            try:
                client.login(scenario.username, scenario.password)
                break
            except LoginRefused as exc:  # wrong credentials: trying again will not help
                note_start_error(f"client {index} ({scenario.name}) login: {exc}")
                return False
            except Exception as exc:  # noqa: BLE001 - a busy server: try again, then sit the run out
                client.close()
                client.cookies.clear()
                if attempt == LOGIN_ATTEMPTS:
                    note_start_error(f"client {index} ({scenario.name}) login: {exc.__class__.__name__}: {exc}")
                    return False
                time.sleep(0.2 * attempt)
        try:
            work.setup(session)
        except Exception as exc:  # noqa: BLE001 - nothing to work on: sit the run out, say why
            note_start_error(f"client {index} ({scenario.name}) setup: {exc.__class__.__name__}: {exc}")
            return False
        return True

    def run(index: int) -> None:
        scenario = scenarios[index % len(scenarios)]
        client = Client(host, port, prefix, timeout)
        tally = Tally()
        session = Session(client, tally, scenario.name)
        work = scenario.work() if scenario.work else PathLoop(scenario, index, follow_redirects)
        started = start(index, scenario, client, work, session)
        try:
            barrier.wait(timeout=4 * timeout + 10)
        except threading.BrokenBarrierError:
            client.close()
            return
        if started:
            while time.monotonic() < window["deadline"]:
                work.step(session)
        client.close()
        with lock:
            tallies.append(tally)

    threads = [threading.Thread(target=run, args=(i,), daemon=True, name=f"load-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=4 * timeout + 10)
    except threading.BrokenBarrierError as exc:
        raise RuntimeError(f"the {clients} clients did not all finish logging in in time") from exc
    for thread in threads:
        thread.join(timeout=seconds + 4 * timeout + 10)
    elapsed = time.monotonic() - window["start"]
    with lock:
        return summarize(list(tallies), list(start_errors), clients=clients, elapsed=elapsed)


def _figures(rows: list[tuple[str, str, float, str]]) -> dict:
    """n and latency of the requests among ``rows``; errors and conflicts of all of them."""
    ms = sorted(m for _, p, m, _ in rows if p != SCENARIO)
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(ms[-1], 1) if ms else 0.0,
        "errors": sum(1 for *_, o in rows if o == ERROR),
        "conflicts": sum(1 for *_, o in rows if o == CONFLICT),
    }


def summarize(tallies: list[Tally], start_errors: list[str], *, clients: int, elapsed: float) -> dict:
    """The run's figures: overall, per kind of request and per path pattern; errors
    (requests, scenario problems and clients that never started), conflicts, the facts of
    the work and of the files downloaded."""
    samples = [s for t in tallies for s in t.samples]
    requests = [s for s in samples if s[1] != SCENARIO]
    latencies = sorted(m for _, _, m, _ in requests)
    by_kind = {kind: _figures([s for s in samples if s[0] == kind]) for kind in sorted({s[0] for s in samples})}
    by_path = {p: _figures([s for s in requests if s[1] == p]) for p in dict.fromkeys(s[1] for s in requests)}
    counts: Counter = Counter()
    files: dict[str, dict] = {}
    for tally in tallies:
        counts.update(tally.counts)
        for kind, seen in tally.files.items():
            merged = files.setdefault(kind, {"types": set(), "min_bytes": seen["min_bytes"], "max_bytes": 0})
            merged["types"] |= seen["types"]
            merged["min_bytes"] = min(merged["min_bytes"], seen["min_bytes"])
            merged["max_bytes"] = max(merged["max_bytes"], seen["max_bytes"])
    errors = sum(1 for *_, o in samples if o == ERROR) + len(start_errors)
    return {
        "clients": clients,
        "seconds": round(elapsed, 3),
        "requests": len(requests),
        "errors": errors,
        "conflicts": sum(1 for *_, o in samples if o == CONFLICT),
        "login_failures": len(start_errors),
        "error_samples": (start_errors + [e for t in tallies for e in t.errors])[:MAX_SAMPLES],
        "conflict_samples": [c for t in tallies for c in t.conflicts][:MAX_SAMPLES],
        "rps": round(len(requests) / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(latencies[-1], 1) if latencies else 0.0,
        "by_kind": by_kind,
        "by_path": by_path,
        "work": dict(sorted(counts.items())),
        "files": {k: {**v, "types": sorted(v["types"])} for k, v in sorted(files.items())},
    }


def kinds_table(result: dict) -> list[str]:
    """The run's figures per kind of request and overall, as Markdown table lines."""
    lines = [
        "| request | n | p50 | p95 | max | errors | conflicts |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, f in result["by_kind"].items():
        lines.append(f"| {kind} | {f['n']} | {f['p50_ms']:.0f} ms | {f['p95_ms']:.0f} ms | {f['max_ms']:.0f} ms "
                     f"| {f['errors']} | {f['conflicts']} |")  # fmt: skip
    r = result
    lines.append(f"| **all** | **{r['requests']}** | **{r['p50_ms']:.0f} ms** | **{r['p95_ms']:.0f} ms**"
                 f" | **{r['max_ms']:.0f} ms** | **{r['errors']}** | **{r['conflicts']}** |")  # fmt: skip
    return lines


# ---------------------------------------------------------------------------- processes


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


def _stop(process: subprocess.Popen, grace: float = 10) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(output, limit: int = 4000) -> str:
    output.seek(0)
    return output.read().decode("utf-8", "replace")[-limit:]


@contextlib.contextmanager
def serve(bind: str = "127.0.0.1:8077", workers: int = 3, env: dict | None = None, threads: int = 2) -> Iterator[str]:
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
        "--bind", bind, "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
    ]  # fmt: skip
    environment = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline = time.monotonic() + 60
            while not _healthy(host, port):
                if process.poll() is not None or time.monotonic() > deadline:
                    state = f"exited with {process.returncode}" if process.poll() is not None else "not healthy in 60 s"
                    raise RuntimeError(f"gunicorn on {bind} {state}; its stderr:\n{_tail(stderr)}")
                time.sleep(0.2)
            netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            yield f"http://{netloc}"
        finally:
            _stop(process)


@contextlib.contextmanager
def celery(env: dict, *, concurrency: int = 1, beat: bool = True) -> Iterator[dict]:
    """A Celery worker (and beat, as the production stack runs them: scripts/stack) in
    processes of their own while the block runs, once the worker says it is ready (60 s at
    most). ``env`` must name the broker (REDIS_URL) and the database. Yields their pids."""
    if not env.get("REDIS_URL") and not env.get("CELERY_BROKER_URL"):
        raise ValueError("a Celery worker needs REDIS_URL (or CELERY_BROKER_URL)")
    base = [sys.executable, "-m", "celery", "-A", "antifraud"]
    worker_cmd = [*base, "worker", f"--concurrency={concurrency}", "-n", f"load-{os.getpid()}@%h",
                  "--without-gossip", "--without-mingle", "--loglevel=INFO"]  # fmt: skip
    environment = {**os.environ, **env}
    with tempfile.TemporaryFile() as worker_log, tempfile.TemporaryFile() as beat_log:
        worker = subprocess.Popen(worker_cmd, cwd=ROOT, env=environment, stdout=worker_log, stderr=subprocess.STDOUT)
        scheduler = None
        try:
            deadline = time.monotonic() + 60
            while " ready." not in _tail(worker_log, 1 << 20):
                if worker.poll() is not None or time.monotonic() > deadline:
                    state = f"exited with {worker.returncode}" if worker.poll() is not None else "not ready in 60 s"
                    raise RuntimeError(f"the Celery worker {state}; its log:\n{_tail(worker_log)}")
                time.sleep(0.3)
            if beat:
                scheduler = subprocess.Popen([*base, "beat", "--loglevel=WARNING", "--pidfile="], cwd=ROOT,
                                             env=environment, stdout=beat_log, stderr=subprocess.STDOUT)  # fmt: skip
            yield {"worker": worker.pid, "beat": scheduler.pid if scheduler else None}
            if worker.poll() is not None:
                raise RuntimeError(f"the Celery worker died during the run; its log:\n{_tail(worker_log)}")
        finally:
            if scheduler is not None:
                _stop(scheduler)
            _stop(worker, grace=20)
