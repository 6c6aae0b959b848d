"""The scope matrix: every route of the URLconf × every role and a user of the sibling county.

Data of every kind is built once for the module on both sides of the tree (county X with
its stations XA and XB, county Y with its station YD), carrying markers: unit names begin
``LEAKX`` / ``LEAKY``, records carry ``REC-<unit code>-`` (case numbers, titles, task
numbers, file names, notes), notifications ``NOTE-FOR-<username>``. Then for each route
(``routes.ROUTES`` / ``routes.ADMIN_MODELS``) and each user the test asserts the answer:
anonymous callers are sent to sign in (the API: 401/403); an object outside the user's
subtree is a 404 — never a 403, which would confirm it exists; an action the role lacks
is a 403; a denied POST changes nothing; and no answer, decoded (HTML, JSON, CSV, XLSX,
DOCX, PDF), ever holds a marker from outside the user's subtree.

The routes themselves come from the URLconf: ``test_every_route_is_classified`` fails on a
route no one has classified, naming it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from bulletins import services as bulletin_services
from bulletins.models import Bulletin, BulletinDownload
from cases.models import CaseEvent, EventKind, FraudCase, FraudType
from dashboards.forms import period_from
from dashboards.panels import dashboard_panels
from earlywarnings import services as warning_services
from earlywarnings.models import ContactAttempt, FourChecksReview, TaskTransition, WarningTask
from imports.kinds.registry import KINDS
from imports.models import ImportJob, ImportStatus
from orgs.models import Area, AreaKind, Notification, Unit, UnitLevel, User
from orgs.notifications import notify
from orgs.roles import Role
from publicity.models import PublicityActivity
from stats.breakdowns import BY_LABELS
from stats.models import Target
from stats.refresh import refresh
from tests.factories import AreaFactory, CaseEventFactory, CaseFactory, PublicityFactory, UnitFactory, UserFactory
from tests.security.routes import (
    ADMIN_MODEL_ROUTES,
    ADMIN_MODELS,
    APP_INDEX,
    FORMAT_SUFFIX,
    HOW_TO_CLASSIFY,
    ROUTES,
    USER_PASSWORD,
    Route,
    admin_route,
    base_route,
    classified,
    enumerate_routes,
)

TODAY = timezone.localdate()
LAST_MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
MISSING_PK = 987654321

# code: (name, level, parent). Unit names carry the county side's marker.
UNITS = {
    "C": ("江临市公安局", UnitLevel.CITY, None),
    "X": ("LEAKX临江区公安分局", UnitLevel.COUNTY, "C"),
    "Y": ("LEAKY东湖区公安分局", UnitLevel.COUNTY, "C"),
    "XA": ("LEAKXA滨江派出所", UnitLevel.STATION, "X"),
    "XB": ("LEAKXB解放路派出所", UnitLevel.STATION, "X"),
    "YD": ("LEAKYD东湖派出所", UnitLevel.STATION, "Y"),
}
STATIONS = ("XA", "XB", "YD")
COUNTIES = ("X", "Y")
# username: (unit, role). The first seven are the matrix's users; the rest act on the data.
PEOPLE = {
    "leader": ("C", Role.LEADER),
    "analyst": ("X", Role.ANALYST),
    "reviewer_x": ("X", Role.REVIEWER),
    "officer_a": ("XA", Role.OFFICER),
    "clerk": ("X", Role.CLERK),
    "reviewer_y": ("Y", Role.REVIEWER),
    "officer_b": ("XB", Role.OFFICER),
    "officer_d": ("YD", Role.OFFICER),
    "clerk_y": ("Y", Role.CLERK),
    "analyst_y": ("Y", Role.ANALYST),
}
USERS = ["anonymous", "leader", "analyst", "reviewer_x", "officer_a", "clerk", "reviewer_y"]
STAFF = {"analyst", "clerk"}  # the staff roles (orgs.roles.STAFF_ROLES): they reach the admin


# ---------------------------------------------------------------------------------------
# The data, both sides of the tree


@dataclass
class World:
    units: dict[str, Unit]
    users: dict[str, User]
    # object kind → side (a unit code, or a username for notifications) → instance
    objects: dict[str, dict[str, object]] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # username → session key

    def put(self, kind: str, side: str, obj) -> None:
        self.objects.setdefault(kind, {})[side] = obj


def _tasks(world: World, code: str) -> None:
    """A pending, a handling and a feedback task at station ``code``."""
    station, officer = world.units[code], world.users[{"XA": "officer_a", "XB": "officer_b", "YD": "officer_d"}[code]]
    now = timezone.now()

    def issue(suffix):
        return warning_services.warning_issue(
            task_no=f"REC-{code}-TASK-{suffix}", level="high", kind="phone", source="province",
            issued_at=now - dt.timedelta(hours=1), station=station, subject_name="张三", subject_phone="13800138000",
        )  # fmt: skip

    world.put("task", code, issue("P"))
    handling = issue("H")
    warning_services.warning_acknowledge(task=handling, user=officer)
    world.put("task_handling", code, handling)
    feedback = issue("F")
    warning_services.warning_acknowledge(task=feedback, user=officer)
    warning_services.warning_handle(task=feedback, user=officer, outcome="dissuaded", method="phone",
                                    note=f"REC-{code}-HANDLED")  # fmt: skip
    world.put("task_feedback", code, feedback)


def build_world() -> World:
    units: dict[str, Unit] = {}
    for code, (name, level, parent) in UNITS.items():
        units[code] = UnitFactory(code=code, name=name, level=level, parent=units.get(parent), population=100_000)
    users = {
        username: UserFactory(
            username=username,
            unit=units[code],
            role=role,
            last_name=f"LEAK{'Y' if code.startswith('Y') else 'X' if code != 'C' else ''}",
            first_name=f"名{username}",
        )
        for username, (code, role) in PEOPLE.items()
    }
    world = World(units, users)
    for code in UNITS:
        world.put("unit", code, units[code])

    # Areas, cases with an event, activities, tasks: at each station.
    for code in STATIONS:
        side = "LEAKY" if code.startswith("Y") else "LEAKX"
        area = AreaFactory(code=f"{code}1001", name=f"{side}{code}社区", kind=AreaKind.COMMUNITY,
                           station=units[code], population=20_000)  # fmt: skip
        world.put("area", code, area)
        case = CaseFactory(case_no=f"REC-{code}-CASE", station=units[code], area=area, reported_on=TODAY,
                           place=f"REC-{code}-PLACE", loss=Decimal("5000.00"))  # fmt: skip
        CaseFactory(case_no=f"REC-{code}-OLD", station=units[code], area=area, reported_on=LAST_MONTH)
        world.put("case", code, case)
        world.put("event", code, CaseEventFactory(case=case, kind=EventKind.RECOVER, note=f"REC-{code}-EVENT"))
        world.put("activity", code, PublicityFactory(unit=units[code], title=f"REC-{code}-宣传", held_on=TODAY,
                                                     place=f"REC-{code}-广场"))  # fmt: skip
        _tasks(world, code)

    # A 四必查 review, an import job with its error report, targets: each county's.
    for code in COUNTIES:
        station = "XA" if code == "X" else "YD"
        review = FourChecksReview.objects.create(
            kind="large_case", county=units[code], trigger_key=f"matrix-{code}", title=f"REC-{code}-四必查",
            due_on=TODAY + dt.timedelta(days=7), case=world.objects["case"][station],
        )  # fmt: skip
        review.cases.add(world.objects["case"][station])
        world.put("review", code, review)
        clerk = users["clerk" if code == "X" else "clerk_y"]
        job = ImportJob(kind="cases", file_name=f"REC-{code}-import.csv", sha256="0" * 64, size=10, user=clerk,
                        unit=units[code], source="web", status=ImportStatus.REFUSED, message=f"REC-{code}-MESSAGE",
                        errors=[{"row": 2, "column": "办案单位", "value": f"REC-{code}-VALUE", "reason": "x"}],
                        progress_token=f"token-{code}")  # fmt: skip
        job.file.save("upload.csv", ContentFile(f"REC-{code}-FILE".encode()), save=False)
        job.error_report.save("errors.csv", ContentFile(f"行,原因\n2,REC-{code}-ERROR\n".encode()), save=False)
        job.save()
        world.put("job", code, job)
    for code in ("X", "Y", "XA", "YD"):
        world.put("target", code, Target.objects.create(
            unit=units[code], month=TODAY.replace(day=1), metric="cases", drop_pct=Decimal("5"),
            note=f"REC-{code}-TARGET", set_by=users["analyst_y" if code.startswith("Y") else "analyst"],
        ))  # fmt: skip

    # Notifications: one for each user, for that user only.
    for username, user in users.items():
        notify(users=[user], key="matrix", title=f"NOTE-FOR-{username}", url="/")
        world.put("notification", username, user.notifications.get())

    world.put("user", "XA", users["officer_a"])
    world.put("user", "YD", users["officer_d"])
    world.put("fraudtype", "C", FraudType.objects.get(code="01"))

    # The rollups, then bulletins: issued for the city and both counties, drafts for two stations.
    refresh()
    for code in ("C", "X", "Y"):
        draft = bulletin_services.draft(units[code], "month", LAST_MONTH)[0]
        issued = bulletin_services.issue(draft, user=users["analyst_y" if code == "Y" else "analyst"])
        for fmt in ("docx", "pdf", "xlsx"):
            bulletin_services.file_bytes(issued, fmt)  # rendered and kept, as on a first download
        world.put("bulletin", code, issued)
    for code in ("XA", "YD"):
        world.put("draft", code, bulletin_services.draft(units[code], "month", LAST_MONTH)[0])

    for username in USERS[1:]:
        client = Client()
        client.force_login(users[username])
        world.sessions[username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world


def _fake_render(doc: dict, fmt: str) -> bytes:
    """Rendering Word and PDF takes seconds; the documents are tested in tests/bulletins.
    Here a file holds what its document names (the unit), which is what must not leak.
    Excel is rendered for real and decoded below."""
    if fmt == "xlsx":
        from bulletins.render.xlsx import render_xlsx

        return render_xlsx(doc)
    return f"{fmt}:{doc['payload']['meta']['unit']['name']}".encode()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The data, built once in a transaction that is rolled back after the module; each
    test runs in a savepoint inside it (pytest-django's ``db``), so actions that succeed
    are undone too."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    media.enable()
    patch = pytest.MonkeyPatch()
    patch.setattr(bulletin_services, "render", _fake_render)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            patch.undo()
            media.disable()


# ---------------------------------------------------------------------------------------
# Who sees what


def subtree(world: World, who: str) -> set[str]:
    """The unit codes a user sees (anonymous: none)."""
    if who == "anonymous":
        return set()
    own = world.users[who].unit
    return {code for code, unit in world.units.items() if unit.path.startswith(own.path)}


def forbidden_markers(world: World, who: str) -> list[str]:
    """What must never appear in an answer to ``who``: records of units outside their
    subtree, the other county's unit and people names, other people's notifications."""
    if who == "anonymous":
        return ["LEAK", "REC-", "NOTE-FOR-"]
    seen = subtree(world, who)
    markers = [f"REC-{code}-" for code in UNITS if code not in seen]
    county = world.users[who].unit.code[:1]
    if county in ("X", "Y"):
        markers.append("LEAKY" if county == "X" else "LEAKX")
    markers += [f"NOTE-FOR-{name}" for name in PEOPLE if name != who]
    return markers


def visible(world: World, who: str, kind: str, side: str) -> bool:
    if who == "anonymous":
        return False
    user = world.users[who]
    if kind == "notification":
        return side == who
    if kind == "fraudtype":
        return True
    if kind == "draft" and user.role != Role.ANALYST:
        return False  # drafts are for those who issue them
    return side in subtree(world, who)


def allowed(user, perm) -> bool:
    if perm is None:
        return True
    return perm(user) if callable(perm) else user.has_perm(perm)


def outside_code(world: World, who: str, *, level: str | None = None) -> str | None:
    """A unit outside the user's subtree (of ``level``), preferring the other county's."""
    seen = subtree(world, who)
    for code in ("YD", "Y", "XA", "X", "XB"):
        if code not in seen and (level is None or world.units[code].level == level):
            return code
    return None


def inside_station(world: World, who: str) -> str:
    return next(code for code in STATIONS if code in subtree(world, who))


# ---------------------------------------------------------------------------------------
# Reading an answer


def readable(response) -> str:
    """Everything an answer says, files decoded: body, redirect, attachment name."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    parts = [response.get("Location", ""), unquote(response.get("Content-Disposition", ""))]
    if "spreadsheetml" in kind and body[:2] == b"PK":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        parts += [str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    elif "wordprocessingml" in kind and body[:2] == b"PK":
        from docx import Document

        document = Document(io.BytesIO(body))
        parts += [p.text for p in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    elif kind.startswith("application/pdf") and body[:4] == b"%PDF":
        from pypdf import PdfReader

        parts += [p.extract_text() or "" for p in PdfReader(io.BytesIO(body)).pages]
    else:
        parts.append(body.decode("utf-8", "replace"))
    return "\n".join(parts)


def tracked_models() -> list:
    models = [FraudCase, CaseEvent, PublicityActivity, WarningTask, ContactAttempt, TaskTransition, FourChecksReview,
              Bulletin, BulletinDownload, ImportJob, Target, Notification, Unit, Area]  # fmt: skip
    with contextlib.suppress(LookupError):  # the audit log, where it is installed
        models.append(apps.get_model("audit", "AuditEvent"))
    return models


def fingerprint() -> dict:
    """Every row of every record model (their big JSON documents aside): what a refused
    request must leave as it was."""
    state = {}
    for model in tracked_models():
        names = [f.attname for f in model._meta.concrete_fields if f.get_internal_type() != "JSONField"]
        state[model.__name__] = list(model._base_manager.order_by("pk").values_list(*names))
    return state


@dataclass
class Probe:
    """One request and what its answer must be."""

    label: str
    method: str
    url: str
    expect: set[int]
    data: dict | None = None
    json: bool = False
    unchanged: bool = False  # the database must be the same afterwards
    location: str | None = None  # a redirect must go here (a prefix)
    same_as: Probe | None = None  # the answer must equal this one's (status and redirect)


class Run:
    """Probes one route for one user, collecting every failure (so one test run names
    them all) and scanning every answer for the markers the user must not see."""

    def __init__(self, world: World, who: str, key: str):
        self.world, self.who, self.key = world, who, key
        self.client = Client(raise_request_exception=False)  # a 500 is a failure to report, not to stop at
        if who != "anonymous":  # signed in once for the module (signing in costs a dozen queries)
            self.client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]
        self.user = world.users.get(who) or AnonymousUser()
        self.markers = forbidden_markers(world, who)
        self.failures: list[str] = []
        self.answers: dict[tuple, tuple[int, str]] = {}

    def send(self, probe: Probe):
        before = fingerprint() if probe.unchanged else None
        method = getattr(self.client, probe.method.lower())
        # What would run after a real commit runs (an upload's import, …).
        with TestCase.captureOnCommitCallbacks(execute=True):
            if probe.json:
                response = method(probe.url, json.dumps(probe.data or {}), content_type="application/json")
            else:
                response = method(probe.url, probe.data or {})
        return response, before

    def answer_to(self, probe: Probe) -> tuple[int, str]:
        """The status and redirect (ids made alike) of a read, asked once per run."""
        key = (probe.method, probe.url, json.dumps(probe.data, sort_keys=True, default=str))
        if key not in self.answers:
            other, _ = self.send(probe)
            self.answers[key] = (other.status_code, re.sub(r"/\d+/", "/N/", other.get("Location", "")))
        return self.answers[key]

    def check(self, probe: Probe):
        response, before = self.send(probe)
        where = f"{probe.label}: {probe.method} {probe.url}"
        status = response.status_code
        if status not in probe.expect:
            self.failures.append(f"{where} answered {status}, expected {sorted(probe.expect)}")
        if probe.location is not None and not response.get("Location", "").startswith(probe.location):
            self.failures.append(f"{where} redirected to {response.get('Location')!r}, expected {probe.location}…")
        if probe.same_as is not None:
            theirs = self.answer_to(probe.same_as)
            if (status, re.sub(r"/\d+/", "/N/", response.get("Location", ""))) != theirs:
                self.failures.append(f"{where} answered {status} {response.get('Location')}, unlike a missing "
                                     f"object's {theirs}: it tells that the object exists")  # fmt: skip
        text = readable(response)
        for marker in self.markers:
            if marker in text:
                at = text.index(marker)
                self.failures.append(f"{where} LEAKS {marker!r}: …{text[max(at - 60, 0) : at + 60]!r}…")
        if before is not None and fingerprint() != before:
            self.failures.append(f"{where} answered {status} and CHANGED the database")
        return response


# ---------------------------------------------------------------------------------------
# URLs of objects


def url_kwargs(kind: str, obj, *, api: bool = False) -> dict:
    if kind == "unit":
        return {"code": obj.code}
    if kind == "fraudtype":
        return {"code": obj.code}
    if kind == "event":
        return {"pk": obj.case_id, ("event_id" if api else "event_pk"): obj.pk}
    return {"pk": obj.pk}


def reverse_route(key: str, kwargs: dict | None = None) -> str:
    return reverse(ROUTE_NAMES[key], kwargs=kwargs or {})


def _route_names() -> dict[str, str]:
    """URL names of the routes outside the admin (whose names live in its namespace)."""
    names = {}
    for found in enumerate_routes():
        twin = FORMAT_SUFFIX.search(found.route) or "drf_format_suffix" in found.route
        if found.name and not twin and not found.route.startswith("admin/"):
            names.setdefault(base_route(found.route), found.name)
    return names


ROUTE_NAMES = _route_names()


# ---------------------------------------------------------------------------------------
# What each kind of route must answer


def expected_for(route: Route, user, world: World, who: str, kind: str, side: str, ok: set[int]) -> set[int]:
    may, sees = allowed(user, route.perm), visible(world, who, kind, side)
    if route.scope_first:
        return ok if sees and may else {403} if sees else {404}
    return {403} if not may else ok if sees else {404}


def sides(world: World, kind: str) -> dict[str, object]:
    return world.objects[kind]


def anonymous_probes(world: World, key: str, route: Route) -> list[Probe]:
    url = sample_url(world, key, route)
    if route.kind == "public":
        return [Probe("anonymous", "GET", url, {200})]
    if route.kind == "api_not_found":
        return [Probe("anonymous", "GET", "/api/v1/no-such-thing/", {404})]
    if route.kind == "api_token_auth":
        return [Probe("anonymous, no credentials", "POST", url, {400}, unchanged=True)]
    if route.kind.startswith("api_"):
        method = "POST" if route.kind in ("api_action",) else "GET"
        return [Probe("anonymous", method, url, {401, 403}, unchanged=method == "POST")]
    if key == "admin/logout/":
        return [Probe("anonymous", "POST", url, {302}, location="/admin/")]
    if (route.kind.startswith("admin_") and route.kind != "admin_only") or key.startswith("admin/"):
        return [Probe("anonymous", route.method, url, {302}, location="/admin/login/")]
    method = route.method if route.kind not in ("edit",) else "GET"
    return [Probe("anonymous", method, url, {302}, location="/accounts/login/", unchanged=method == "POST")]


def sample_url(world: World, key: str, route: Route) -> str:
    """The route's URL for some object (station XA's, or the city)."""
    found = admin_route(key)
    if found is not None or key.startswith("admin/"):
        return admin_sample_url(world, key)
    api = key.startswith("api/")
    if route.kind in ("unit", "panel"):
        kwargs = {"code": "XA"}
        if route.kind == "panel":
            kwargs["key"] = "trend"
        return reverse_route(key, kwargs)
    if route.kind == "template":
        return reverse_route(key, {"kind": "cases"})
    if route.kind == "token":
        return reverse_route(key, {"token": "token-X"})
    if route.kind == "notice":
        return reverse_route(key, {"pk": world.objects["notification"]["officer_a"].pk})
    if route.obj and route.obj in world.objects:
        obj = next(iter(world.objects[route.obj].values()))
        kwargs = url_kwargs(route.obj, obj, api=api)
        if key == "bulletins/<int:pk>/download/<str:fmt>/":
            kwargs["fmt"] = "xlsx"
        return reverse_route(key, kwargs)
    return reverse_route(key)


def probes_for(world: World, key: str, route: Route, run: Run) -> list[Probe]:
    if run.who == "anonymous":
        return anonymous_probes(world, key, route)
    kind = route.kind
    maker = KIND_PROBES.get(kind)
    if maker is None:
        raise AssertionError(f"{key}: no checks for kind {kind!r}")
    return maker(world, key, route, run)


def unit_param_probes(world: World, key: str, url: str, route: Route, run: Run, expect: set[int]) -> list[Probe]:
    """A list asked about a unit outside the subtree shows nothing of it."""
    outside = outside_code(world, run.who)
    if outside is None:
        return []
    params = {**route.query, "unit": outside, "station": outside}
    return [Probe(f"?unit={outside}", "GET", url, expect, data=params)]


def page_probes(world, key, route, run) -> list[Probe]:
    url = reverse_route(key)
    expect = {200} if allowed(run.user, route.perm) else {403}
    probes = [Probe("page", route.method, url, expect, data=route.query or None)]
    return probes + unit_param_probes(world, key, url, route, run, expect)


def public_probes(world, key, route, run) -> list[Probe]:
    # A signed-in visitor of a sign-in page may be sent on (the admin's: staff to its index).
    return [Probe("public", "GET", reverse_route(key) if key in ROUTE_NAMES else "/" + key, {200, 302})]


def account_probes(world, key, route, run) -> list[Probe]:
    if key == "admin/logout/":  # staff see the signed-out page; anyone else is sent to the admin's door
        return [Probe("sign out", "POST", "/admin/logout/", {200, 302})]
    url = reverse_route(key)
    return [Probe("own account", route.method, url, {302} if route.method == "POST" else {200})]


def own_probes(world, key, route, run) -> list[Probe]:
    target = "dashboard" if key.startswith("dashboard") else "screen"
    location = reverse(target, kwargs={"code": run.user.unit.code})
    return [Probe("own unit", "GET", reverse_route(key), {302}, data=route.query or None, location=location)]


def unit_probes(world, key, route, run) -> list[Probe]:
    """Every unit: inside the subtree 200, outside 404. Pages whose building is costly (the
    dashboard and the big screen) are opened for the user's own unit and one station."""
    seen = subtree(world, run.who)
    costly = not key.startswith("units/")
    probes = []
    for code in UNITS:
        if code in seen and costly and code not in (run.user.unit.code, inside_station(world, run.who)):
            continue
        url = reverse_route(key, {"code": code})
        probes.append(Probe(f"unit {code}", "GET", url, {200} if code in seen else {404}))
    return probes


def panel_probes(world, key, route, run) -> list[Probe]:
    """Each panel's table of the user's own unit, as CSV and as Excel; another county's: 404."""
    unit = run.user.unit
    _form, period = period_from({})
    keys = [p.key for p in dashboard_panels(unit, period, user=run.user) if p.table is not None]
    assert keys, f"no panel of {unit.code} has a table"
    probes = [
        Probe(
            f"panel {panel} ({fmt})",
            "GET",
            reverse_route(key, {"code": unit.code, "key": panel}),
            {200},
            data={"format": fmt},
        )
        for panel in keys
        for fmt in ("csv", "xlsx")
    ]
    outside = outside_code(world, run.who)
    if outside:
        url = reverse_route(key, {"code": outside, "key": keys[0]})
        probes.append(Probe(f"panel of {outside}", "GET", url, {404}, data={"format": "xlsx"}))
    return probes


def object_probes(world, key, route, run, *, method=None, data=None, ok=None, as_json=False) -> list[Probe]:
    method = method or route.method
    ok = ok or ({200} if method == "GET" else {200, 302})
    api = key.startswith("api/")
    probes = []
    for side, obj in sides(world, route.obj).items():
        kwargs = url_kwargs(route.obj, obj, api=api)
        fmts = ["xlsx", "docx", "pdf"] if key == "bulletins/<int:pk>/download/<str:fmt>/" else [None]
        for fmt in fmts:
            if fmt:
                kwargs["fmt"] = fmt
            expect = expected_for(route, run.user, world, run.who, route.obj, side, ok)
            body = data if data is not None else (route.data or None) if method != "GET" else (route.query or None)
            probes.append(Probe(f"{route.obj} of {side}" + (f" ({fmt})" if fmt else ""), method,
                                reverse_route(key, kwargs), expect, data=body, json=as_json,
                                unchanged=expect <= {403, 404} and (method != "GET" or "download" in key)))  # fmt: skip
    return probes


def detail_probes(world, key, route, run) -> list[Probe]:
    return object_probes(world, key, route, run)


def action_probes(world, key, route, run) -> list[Probe]:
    return object_probes(world, key, route, run, method="POST")


def edit_probes(world, key, route, run) -> list[Probe]:
    return object_probes(world, key, route, run, method="GET") + object_probes(
        world, key, route, run, method="POST", data={}
    )


CREATE_ROWS = {"case_form": FraudCase, "activity_form": PublicityActivity, "bulletin_form": Bulletin,
               "bulletin_many": Bulletin, "import_form": FraudCase}  # fmt: skip


def create_payload(world: World, form: str, code: str) -> dict:
    """A valid form but for its unit, which is ``code``."""
    unit = world.units[code]
    if form == "case_form":
        return {"case_no": f"NEW-{code}", "reported_on": TODAY.isoformat(), "station": unit.pk,
                "fraud_type": FraudType.objects.get(code="01").pk, "loss": "100", "filed": "on"}  # fmt: skip
    if form == "activity_form":
        return {"held_on": TODAY.isoformat(), "unit": unit.pk, "title": f"NEW-{code}", "form": "community",
                "reach": "10", "materials": "0", "app_installs": "0"}  # fmt: skip
    if form == "bulletin_form":
        return {"kind": "month", "date": (LAST_MONTH - dt.timedelta(days=40)).isoformat(), "unit": code}
    if form == "bulletin_many":
        return {"ids": [d.pk for side, d in world.objects["draft"].items() if side == code]}
    if form == "import_form":
        from tests.imports.conftest import csv_bytes
        from tests.imports.test_cases_import import HEADER, case_row

        upload = ContentFile(csv_bytes([HEADER, case_row(f"NEW-{code}", station=code, reported=TODAY.isoformat())]))
        upload.name = "matrix.csv"
        return {"kind": "cases", "file": upload}
    raise AssertionError(form)


def created(form: str, code: str) -> bool:
    """Whether the POST made (or issued) something at ``code``."""
    if form in ("case_form", "import_form"):
        return FraudCase.objects.filter(case_no=f"NEW-{code}").exists()
    if form == "activity_form":
        return PublicityActivity.objects.filter(title=f"NEW-{code}").exists()
    if form == "bulletin_form":
        return Bulletin.objects.filter(unit__code=code, period_start__lt=LAST_MONTH).exists()
    return Bulletin.objects.filter(unit__code=code, status="issued", period_start=LAST_MONTH).exists()


def create_probes(world, key, route, run) -> list[Probe]:
    """The form (GET), then a POST naming a unit outside the subtree: nothing is made there
    (import uploads: nothing is imported there)."""
    url = reverse_route(key)
    may = allowed(run.user, route.perm)
    post_perm = "imports.add_importjob" if route.obj == "import_form" else route.perm
    may_post = allowed(run.user, post_perm)
    probes = []
    if route.method == "GET":
        probes.append(Probe("form", "GET", url, {200} if may else {403}))
    level = UnitLevel.STATION if route.obj in ("case_form", "import_form", "bulletin_many") else None
    outside = outside_code(world, run.who, level=level)
    if outside is not None:
        probes.append(Probe(f"create at {outside}", "POST", url, {200, 302, 400} if may_post else {403},
                            data=create_payload(world, route.obj, outside), unchanged=not may_post))  # fmt: skip
    return probes


def create_checks(world: World, key: str, route: Route, run: Run) -> None:
    """After the probes: nothing was made outside; and the same POST inside, by a role
    that may, does make it (so the refusal outside was about the unit, not the form)."""
    outside = outside_code(world, run.who, level=UnitLevel.STATION if route.obj != "bulletin_form" else None)
    if outside and created(route.obj, outside):
        run.failures.append(f"{key}: a POST by {run.who} naming {outside} (outside the subtree) made something there")
    post_perm = "imports.add_importjob" if route.obj == "import_form" else route.perm
    if not allowed(run.user, post_perm):
        return
    inside = inside_station(world, run.who) if route.obj in ("case_form", "import_form") else run.user.unit.code
    if route.obj == "bulletin_many":
        inside = next((c for c in world.objects["draft"] if c in subtree(world, run.who)), None)
    if route.obj == "bulletin_form" or inside is None:
        return  # drafting a past month by hand is tested in tests/bulletins
    with TestCase.captureOnCommitCallbacks(execute=True):
        run.client.post(reverse_route(key), create_payload(world, route.obj, inside))
    if not created(route.obj, inside):
        run.failures.append(f"{key}: the same POST naming {inside} (inside) made nothing: the payload is wrong")


def template_probes(world, key, route, run) -> list[Probe]:
    expect = {200} if allowed(run.user, route.perm) else {403}
    return [Probe(f"template {kind}", "GET", reverse_route(key, {"kind": kind}), expect) for kind in KINDS]


def token_probes(world, key, route, run) -> list[Probe]:
    """A job's progress by its token; outside the subtree the same as an unknown token."""
    expect = {200} if allowed(run.user, route.perm) else {403}
    unknown = Probe("unknown token", "GET", reverse_route(key, {"token": "no-such-token"}), expect)
    probes = [unknown]
    for side, job in world.objects["job"].items():
        url = reverse_route(key, {"token": job.progress_token})
        same = None if visible(world, run.who, "job", side) else unknown
        probes.append(Probe(f"job of {side}", "GET", url, expect, same_as=same))
    return probes


def token_checks(world: World, key: str, route: Route, run: Run) -> None:
    if not allowed(run.user, route.perm):
        return
    for side, job in world.objects["job"].items():
        answer = run.client.get(reverse_route(key, {"token": job.progress_token})).json()
        if not visible(world, run.who, "job", side) and answer != {"phase": "upload", "finished": False}:
            run.failures.append(f"{key}: the progress of {side}'s job is told to {run.who}: {answer}")


def notice_probes(world, key, route, run) -> list[Probe]:
    probes = []
    for owner, notification in world.objects["notification"].items():
        mine = owner == run.who
        if not mine and owner not in ("officer_b", "reviewer_x", "reviewer_y"):
            continue  # one of the same county, one of the other, is enough
        probes.append(Probe(f"notification of {owner}", "POST", reverse_route(key, {"pk": notification.pk}),
                            {302} if mine else {404}, unchanged=not mine))  # fmt: skip
    return probes


def admin_only_probes(world, key, route, run) -> list[Probe]:
    return [Probe("admins only", "GET", reverse_route(key), {200} if allowed(run.user, route.perm) else {403})]


# The REST API


def api_page_probes(world, key, route, run) -> list[Probe]:
    return [Probe("api", "GET", reverse_route(key), {200}, data=route.query or None)]


def api_not_found_probes(world, key, route, run) -> list[Probe]:
    return [Probe("no such path", method, "/api/v1/no-such-thing/", {404}, unchanged=method == "POST")
            for method in ("GET", "POST")]  # fmt: skip


def api_token_probes(world, key, route, run) -> list[Probe]:
    return [Probe("no credentials", "POST", reverse_route(key), {400}, unchanged=True)]


def api_list_probes(world, key, route, run) -> list[Probe]:
    name = ROUTE_NAMES[key]
    expect = {200} if allowed(run.user, route.perm) else {403}
    url = reverse(name)
    suffixed = reverse(name, kwargs={"format": "json"})
    probes = [Probe("list", "GET", url, expect), Probe("list .json", "GET", suffixed, expect)]
    return probes + unit_param_probes(world, key, url, route, run, expect)


def api_detail_probes(world, key, route, run) -> list[Probe]:
    probes = object_probes(world, key, route, run)
    # The format-suffix twin, for one object in scope.
    twin = next((p for p in probes if p.expect == {200}), None)
    if twin is not None and not key.endswith("/download/$"):
        probes.append(Probe(twin.label + " .json", "GET", twin.url.rstrip("/") + ".json", {200}))
    if route.write:
        write = Route(route.kind, obj=route.obj, perm=route.write)
        method = "POST" if key.endswith(("/events/$", "/attempts/$")) else "PATCH"
        probes += object_probes(world, key, write, run, method=method, data={}, ok={200, 201, 400}, as_json=True)
    return probes


def api_action_probes(world, key, route, run) -> list[Probe]:
    probes = object_probes(world, key, route, run, method="POST", ok={200, 201, 400, 409}, as_json=True)
    twin = next((p for p in probes if 200 in p.expect), None)  # the format-suffix twin, on one object
    if twin is not None:
        probes.append(Probe(twin.label + " .json", "POST", twin.url.rstrip("/") + ".json", twin.expect,
                            data=twin.data, json=True))  # fmt: skip
    return probes


API_CREATE = {
    "case_api": ("station", lambda w, c: {"case_no": f"API-{c}", "reported_on": TODAY.isoformat(), "station": c,
                                          "fraud_type": "01", "loss": "100.00"}),
    "activity_api": ("unit", lambda w, c: {"held_on": TODAY.isoformat(), "unit": c, "title": f"API-{c}",
                                           "form": "community", "reach": 10}),
    "task_api": ("station", lambda w, c: {"task_no": f"API-{c}", "issued_at": timezone.now().isoformat(),
                                          "level": "high", "station": c}),
    "target_api": ("unit", lambda w, c: {"unit": c, "month": f"{TODAY:%Y-%m}", "metric": "loss", "drop_pct": "5"}),
}  # fmt: skip


def api_create_probes(world, key, route, run) -> list[Probe]:
    """The list, then a POST naming a unit outside the subtree: refused (400), nothing made."""
    probes = api_list_probes(world, key, Route("api_list"), run)
    _, payload = API_CREATE[route.obj]
    outside = outside_code(world, run.who, level=UnitLevel.STATION)
    if outside is not None:
        may = allowed(run.user, route.perm)
        probes.append(Probe(f"create at {outside}", "POST", reverse(ROUTE_NAMES[key]), {400} if may else {403},
                            data=payload(world, outside), json=True, unchanged=True))  # fmt: skip
    if allowed(run.user, route.perm):
        inside = inside_station(world, run.who)
        probes.append(Probe(f"create at {inside}", "POST", reverse(ROUTE_NAMES[key]), {201},
                            data=payload(world, inside), json=True))  # fmt: skip
    return probes


def api_stats_probes(world, key, route, run) -> list[Probe]:
    """The figures of the user's own unit (every breakdown), then of every unit: 200 inside
    the subtree, 404 outside (an unknown unit answers the same)."""
    url = reverse(ROUTE_NAMES[key])
    seen = subtree(world, run.who)
    probes = []
    if key.endswith("breakdown/"):
        probes += [Probe(f"by {by}", "GET", url, {200}, data={"by": by}) for by in BY_LABELS]
    else:
        probes.append(Probe("own unit", "GET", url, {200}, data=route.query or None))
    suffixed = reverse(ROUTE_NAMES[key], kwargs={"format": "json"}) if "^" in key else None
    if suffixed:
        probes.append(Probe("own unit .json", "GET", suffixed, {200}, data=route.query or None))
    missing = Probe("unknown unit", "GET", url, {404}, data={**route.query, "unit": "NOSUCH"})
    probes.append(missing)
    for code in UNITS:
        params = {**route.query, "unit": code}
        probes.append(Probe(f"unit {code}", "GET", url, {200} if code in seen else {404}, data=params,
                            same_as=None if code in seen else missing))  # fmt: skip
    return probes


# The admin site


def admin_sample_url(world: World, key: str) -> str:
    found = admin_route(key)
    if found is not None:
        obj = next(iter(world.objects[found.obj].values())) if found.obj else None
        return admin_object_url(found.model, found.page, obj.pk if obj is not None else MISSING_PK)
    if APP_INDEX.match(key):
        return "/admin/orgs/"
    return {
        "admin/(?P<url>.*)$": "/admin/no-such-page/",
        "admin/autocomplete/": "/admin/autocomplete/",
        "admin/r/<path:content_type_id>/<path:object_id>/": f"/admin/r/1/{MISSING_PK}/",
    }.get(key, "/" + key)


def admin_object_url(model: str, page: str, pk, version=None) -> str:
    base = f"/admin/{model}/"
    return {
        "changelist": base, "add": f"{base}add/", "history": f"{base}{pk}/history/", "delete": f"{base}{pk}/delete/",
        "change": f"{base}{pk}/change/", "object": f"{base}{pk}/", "password": f"{base}{pk}/password/",
        "history_form": f"{base}{pk}/history/{version or MISSING_PK}/",
    }[page]  # fmt: skip


def not_staff(run: Run, url: str, method: str = "GET") -> list[Probe]:
    return [Probe("not staff", method, url, {302}, location="/admin/login/")]


def admin_site_probes(world, key, route, run) -> list[Probe]:
    url = admin_sample_url(world, key)
    if run.who not in STAFF:
        return not_staff(run, url)
    expect = {404} if key == "admin/(?P<url>.*)$" else {200}
    return [Probe("admin", "GET", url, expect)]


AUTOCOMPLETE = [("orgs", "area", "station"), ("orgs", "area", "parent"), ("orgs", "user", "unit"),
                ("orgs", "unit", "parent"), ("stats", "target", "unit")]  # fmt: skip


def admin_autocomplete_probes(world, key, route, run) -> list[Probe]:
    if run.who not in STAFF:
        return not_staff(run, "/admin/autocomplete/")
    return [
        Probe(
            f"autocomplete {app}.{model}.{name}",
            "GET",
            "/admin/autocomplete/",
            {200, 403},
            data={"app_label": app, "model_name": model, "field_name": name, "term": ""},
        )
        for app, model, name in AUTOCOMPLETE
    ]


def admin_view_on_site_probes(world, key, route, run) -> list[Probe]:
    kind = ContentType.objects.get_for_model(FraudCase)
    if run.who not in STAFF:
        return not_staff(run, f"/admin/r/{kind.pk}/{world.objects['case']['XA'].pk}/")
    missing = Probe("missing", "GET", f"/admin/r/{kind.pk}/{MISSING_PK}/", {302, 404})
    return [missing] + [
        Probe(
            f"case of {side}",
            "GET",
            f"/admin/r/{kind.pk}/{case.pk}/",
            {302, 404},
            same_as=None if visible(world, run.who, "case", side) else missing,
        )
        for side, case in world.objects["case"].items()
    ]


def admin_model_probes(world, key, route, run) -> list[Probe]:
    """A model's admin pages. Outside the subtree an object is as missing: the same answer
    as for an id that does not exist."""
    found = admin_route(key)
    if run.who not in STAFF:
        return not_staff(run, admin_sample_url(world, key))
    everything = {200, 302, 403, 404}  # what the admin may answer, by permission
    if found.page in ("changelist", "add"):
        return [Probe(found.page, "GET", admin_object_url(found.model, found.page, None), everything)]
    missing = Probe("missing", "GET", admin_object_url(found.model, found.page, MISSING_PK), everything)
    if found.obj is None:
        model = apps.get_model(*found.model.split("/"))
        first = model._base_manager.order_by("pk").first()
        probes = [missing]
        if first is not None:
            probes.append(Probe("a row", "GET", admin_object_url(found.model, found.page, first.pk), everything))
        return probes
    probes = [missing]
    # One object inside the subtree and one outside (the other county's when there is one).
    chosen = {}
    for side, obj in world.objects[found.obj].items():
        chosen.setdefault(visible(world, run.who, found.obj, side), (side, obj))
    for side, obj in chosen.values():
        version = None
        if found.page == "history_form":
            version = obj.history.order_by("-history_id").first().history_id
            missing_version = Probe("missing", "GET", admin_object_url(found.model, found.page, MISSING_PK, version),
                                    everything)  # fmt: skip
        url = admin_object_url(found.model, found.page, obj.pk, version)
        inside = visible(world, run.who, found.obj, side)
        same = None if inside else (missing_version if found.page == "history_form" else missing)
        probes.append(Probe(f"{found.obj} of {side}", "GET", url, everything, same_as=same))
    return probes


KIND_PROBES = {
    "public": public_probes,
    "account": account_probes,
    "own": own_probes,
    "page": page_probes,
    "export": page_probes,
    "unit": unit_probes,
    "panel": panel_probes,
    "detail": detail_probes,
    "download": detail_probes,
    "action": action_probes,
    "edit": edit_probes,
    "create": create_probes,
    "template": template_probes,
    "token": token_probes,
    "notice": notice_probes,
    "admin_only": admin_only_probes,
    "api_page": api_page_probes,
    "api_token_auth": api_token_probes,
    "api_not_found": api_not_found_probes,
    "api_list": api_list_probes,
    "api_detail": api_detail_probes,
    "api_action": api_action_probes,
    "api_create": api_create_probes,
    "api_stats": api_stats_probes,
    "admin_site": admin_site_probes,
    "admin_autocomplete": admin_autocomplete_probes,
    "admin_view_on_site": admin_view_on_site_probes,
    "admin_model": admin_model_probes,
}
AFTER = {"create": create_checks, "token": token_checks}


# ---------------------------------------------------------------------------------------
# The tests


def matrix_routes() -> dict[str, Route]:
    """ROUTES, and a route per admin model page present in the URLconf."""
    routes = dict(ROUTES)
    for found in enumerate_routes():
        page = admin_route(found.route)
        if page is not None and page.model in ADMIN_MODELS:
            routes[found.route] = Route("admin_model", obj=page.obj or "")
        elif APP_INDEX.match(found.route):
            routes[found.route] = Route("admin_site")
    return routes


MATRIX = matrix_routes()


def test_every_route_is_classified():
    """The URLconf and the classification are the same set of routes: a new endpoint
    fails here, by name, until it is classified (and so checked below)."""
    found = enumerate_routes()
    unclassified = [f"{r.route}  (name={r.name!r}, view={r.view})" for r in found if not classified(r.route)]
    present = {r.route for r in found}
    stale = [key for key in ROUTES if key not in {base_route(route) for route in present}]
    stale += [model for model in ADMIN_MODELS if f"admin/{model}/" not in present]
    message = []
    if unclassified:
        message.append("Routes in the URLconf that the scope matrix does not know:\n  " + "\n  ".join(unclassified))
    if stale:
        message.append("Classified routes (or admin models) no longer in the URLconf:\n  " + "\n  ".join(stale))
    assert not message, "\n".join(message) + "\n" + HOW_TO_CLASSIFY


def test_every_admin_model_brings_its_pages():
    present = {r.route for r in enumerate_routes()}
    missing = [f"admin/{m}/{rest}" for m in ADMIN_MODELS for rest in ADMIN_MODEL_ROUTES if f"admin/{m}/" in present
               and f"admin/{m}/{rest}" not in present]  # fmt: skip
    assert not missing and USER_PASSWORD in present, missing


# The admin's model pages answer everyone but staff with the admin's sign-in: those users
# share one test per page (each failure still names its user).
NOT_STAFF = "+".join(who for who in USERS if who not in STAFF)


def matrix_cases() -> list[tuple[str, str]]:
    cases = []
    for key in sorted(MATRIX):
        if MATRIX[key].kind == "admin_model":
            cases += [(key, who) for who in sorted(STAFF)] + [(key, NOT_STAFF)]
        else:
            cases += [(key, who) for who in USERS]
    return cases


@pytest.mark.parametrize(("key", "who"), matrix_cases())
def test_route(world, db, key, who):
    route = MATRIX[key]
    failures = []
    for user in who.split("+"):
        run = Run(world, user, key)
        for probe in probes_for(world, key, route, run):
            run.check(probe)
        if user != "anonymous" and route.kind in AFTER:
            AFTER[route.kind](world, key, route, run)
        failures += [f"as {user}: {failure}" for failure in run.failures]
    assert not failures, f"{key}:\n  " + "\n  ".join(failures)


def test_nested_objects_must_belong_together(world, db):
    """An event of another county's case, addressed under one's own case: 404."""
    client = Client()
    client.force_login(world.users["clerk"])
    own, foreign = world.objects["case"]["XA"], world.objects["event"]["YD"]
    before = fingerprint()
    page = client.post(reverse("case_event_void", args=[own.pk, foreign.pk]), {"reason": "矩阵测试"})
    api = client.post(f"/api/v1/cases/{own.pk}/events/{foreign.pk}/void/", {"reason": "矩阵测试"})
    assert (page.status_code, api.status_code) == (404, 404)
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("who", "url", "params", "marker"),
    [
        ("leader", "/cases/", {}, "REC-YD-CASE"),
        ("reviewer_y", "/cases/export/", {}, "REC-YD-CASE"),  # XLSX, decoded
        ("reviewer_x", "/dashboard/X/panels/children/", {"format": "xlsx"}, "LEAKXB"),
        ("reviewer_x", "/dashboard/X/panels/children/", {"format": "csv"}, "LEAKXA"),
        ("leader", "/api/v1/stats/breakdown/", {"by": "children"}, "LEAKY"),
        ("reviewer_y", "/warnings/", {}, "REC-YD-TASK"),
        ("analyst", "/imports/", {}, "REC-X-import"),
        ("reviewer_x", "/bulletins/{X}/download/xlsx/", {}, "LEAKXA"),  # the county's bulletin names its stations
    ],
)
def test_the_markers_are_seen_where_they_belong(world, db, who, url, params, marker):
    """The scan is not blind: each way of reading an answer finds a marker that is in scope."""
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]
    response = client.get(url.format(X=world.objects["bulletin"]["X"].pk), params)
    assert response.status_code == 200
    assert marker in readable(response)


def test_a_record_cannot_be_moved_outside_the_subtree(world, db):
    """Editing or transferring names a unit of the other county: refused, the record stays."""
    clerk, officer = Client(), Client()
    clerk.cookies[settings.SESSION_COOKIE_NAME] = world.sessions["clerk"]
    officer.cookies[settings.SESSION_COOKIE_NAME] = world.sessions["officer_a"]
    case, activity = world.objects["case"]["XA"], world.objects["activity"]["XA"]
    task, yd = world.objects["task"]["XA"], world.units["YD"]
    form = {**create_payload(world, "case_form", "YD"), "case_no": case.case_no}
    clerk.post(reverse("case_edit", args=[case.pk]), form)
    clerk.post(reverse("publicity_edit", args=[activity.pk]), {**create_payload(world, "activity_form", "Y")})
    officer.post(reverse("warning_transfer", args=[task.pk]), {"to_unit": yd.pk, "reason": "矩阵测试"})
    api_case = clerk.patch(f"/api/v1/cases/{case.pk}/", {"station": "YD"}, content_type="application/json")
    api_task = officer.post(f"/api/v1/warnings/{task.pk}/transfer/", {"to_unit": "YD", "reason": "矩阵测试"})
    assert (api_case.status_code, api_task.status_code) == (400, 400)
    for record in (case, activity, task):
        record.refresh_from_db()
    assert (case.station_id, activity.unit_id, task.station_id) == (world.units["XA"].pk,) * 3
