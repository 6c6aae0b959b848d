"""Every URL of the site, classified for the scope matrix (``test_scope_matrix.py``).

``enumerate_routes()`` walks the URLconf (pages, the API router, the admin). ``ROUTES``
says, for each route, what kind of endpoint it is, which object its URL names and which
permission it needs; ``ADMIN_MODELS`` does the same for every model registered in the
admin (each brings the same seven routes). The matrix test fails on any route that is
in one and not the other — so a new endpoint cannot escape the matrix: classify it here.

Kinds (what the matrix asserts for each user; "allowed" = the role holds ``perm``):

    public      anyone, anonymous included: no data in it
    account     the signed-in user's own account (password, logout)
    own         a redirect to the user's own unit's page (dashboard, big screen)
    page        a page or list of the user's subtree: 200 if allowed, else 403; scanned
    export      a list's download (XLSX / CSV): as ``page``, the file decoded and scanned
    unit        a page named by a unit code: 200 inside the subtree, 404 outside
    panel       a dashboard panel's CSV / XLSX, named by a unit code: as ``unit``, decoded
    detail      an object's page: 200 inside, 404 outside, 403 without ``perm``
    download    an object's file: as ``detail``, the file decoded where it can be
    action      a POST on an object: 403 without ``perm``, 404 outside; nothing changes
    edit        an object's form: GET as ``detail``, POST as ``action``
    create      a form that creates: a POST naming a unit outside the subtree creates nothing
    template    a blank file (an import template): the same for everyone allowed
    token       a lookup by the browser's token: outside the subtree it is as unknown
    notice      a notification: the owner's only, anyone else's is 404
    admin_only  superusers only: 403 for every role
    api_*       the same for the REST API (anonymous: 401/403), ``api_stats`` takes ``?unit=``
    admin_*     the admin site (staff roles only; outside the subtree as a missing object)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

from orgs.roles import Role

HOW_TO_CLASSIFY = (
    "Every route must be classified for the scope matrix: add it to ROUTES in tests/security/routes.py "
    "(or, for a model newly registered in the admin, to ADMIN_MODELS) with its kind, the object its URL names "
    "and the permission it needs — see the kinds in that module's docstring — so that "
    "tests/security/test_scope_matrix.py checks it for every role and for a user of the sibling county."
)


def issues_bulletins(user) -> bool:
    return user.is_superuser or user.role == Role.ANALYST


def reads_download_log(user) -> bool:
    return issues_bulletins(user) or user.role == Role.LEADER


def superuser_only(user) -> bool:
    return user.is_superuser


@dataclass(frozen=True)
class Route:
    kind: str
    obj: str = ""  # the object kind its URL names (see OBJECTS in the test module)
    perm: str | Callable | None = None  # a permission codename, or a test of the user; None: signed-in is enough
    method: str = "GET"
    data: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    scope_first: bool = False  # the view finds the object before it checks the permission
    decode: str = ""  # how to read the answer's file: xlsx, csv
    write: str | None = None  # api_detail: the permission a write (PATCH, POST) to it needs


def public(**kw) -> Route:
    return Route("public", **kw)


def page(perm=None, **kw) -> Route:
    return Route("page", perm=perm, **kw)


def detail(obj, perm=None, **kw) -> Route:
    return Route("detail", obj=obj, perm=perm, **kw)


def action(obj, perm=None, data=None, **kw) -> Route:
    return Route("action", obj=obj, perm=perm, method="POST", data=data or {}, **kw)


def api(kind, obj="", perm=None, **kw) -> Route:
    return Route(f"api_{kind}", obj=obj, perm=perm, **kw)


VOID = {"reason": "矩阵测试"}

ROUTES: dict[str, Route] = {
    # Sign-in, the health check, the account.
    "accounts/login/": public(),
    "healthz": public(),
    "accounts/logout/": Route("account", method="POST"),
    "accounts/password/": Route("account"),
    "accounts/password/done/": Route("account"),
    # Home, units, notifications.
    "": page(query={"overview": "1"}),  # without it, roles with a home of their own are sent there
    "units/": page(),
    "units/<str:code>/": Route("unit", obj="unit"),
    "notifications/": page(),
    "notifications/<int:pk>/read/": Route("notice", obj="notification", method="POST"),
    # Cases.
    "cases/": page("cases.view_fraudcase"),
    "cases/export/": Route("export", perm="cases.view_fraudcase", decode="xlsx"),
    "cases/new/": Route("create", obj="case_form", perm="cases.add_fraudcase"),
    "cases/<int:pk>/": detail("case", "cases.view_fraudcase"),
    "cases/<int:pk>/edit/": Route("edit", obj="case", perm="cases.change_fraudcase"),
    "cases/<int:pk>/void/": action("case", "cases.change_fraudcase", VOID),
    "cases/<int:pk>/events/": action(
        "case", "cases.add_caseevent", {"kind": "recover", "occurred_on": "2026-01-02", "amount": "10"}
    ),
    "cases/<int:pk>/events/<int:event_pk>/void/": action("event", "cases.change_caseevent", VOID),
    # Publicity.
    "publicity/": page("publicity.view_publicityactivity"),
    "publicity/new/": Route("create", obj="activity_form", perm="publicity.add_publicityactivity"),
    "publicity/<int:pk>/": detail("activity", "publicity.view_publicityactivity"),
    "publicity/<int:pk>/edit/": Route("edit", obj="activity", perm="publicity.change_publicityactivity"),
    "publicity/<int:pk>/void/": action("activity", "publicity.change_publicityactivity", VOID),
    # Early warnings and 四必查.
    "warnings/": page("earlywarnings.view_warningtask"),
    "warnings/review/": page("earlywarnings.review_warningtask"),
    "warnings/backlog/": page("earlywarnings.view_warningtask"),
    "warnings/<int:pk>/": detail("task", "earlywarnings.view_warningtask"),
    "warnings/<int:pk>/sign/": action("task", "earlywarnings.change_warningtask"),
    "warnings/<int:pk>/attempts/": action(
        "task_handling", "earlywarnings.change_warningtask", {"method": "phone", "note": "矩阵测试"}
    ),
    "warnings/<int:pk>/handle/": action(
        "task_handling",
        "earlywarnings.change_warningtask",
        {"outcome": "dissuaded", "method": "phone", "note": "矩阵测试"},
    ),
    "warnings/<int:pk>/transfer/": action("task", "earlywarnings.change_warningtask", {"reason": "矩阵测试"}),
    "warnings/<int:pk>/review/": action(
        "task_feedback", "earlywarnings.review_warningtask", {"decision": "accept", "reason": ""}
    ),
    "warnings/<int:pk>/reveal/": action(
        "task", "earlywarnings.view_personal_data", {"reason": "电话劝阻联系"}
    ),  # shows the personal data, and writes the audit log
    "warnings/checks/": page("earlywarnings.view_fourchecksreview"),
    "warnings/checks/<int:pk>/": detail("review", "earlywarnings.view_fourchecksreview"),
    "warnings/checks/<int:pk>/conclude/": action(
        "review", "earlywarnings.change_fourchecksreview", {"conclusion": "矩阵测试结论"}
    ),
    # Imports.
    "imports/": Route("create", obj="import_form", perm="imports.view_importjob"),
    "imports/<int:pk>/": detail("job", "imports.view_importjob"),
    "imports/<int:pk>/status/": detail("job", "imports.view_importjob"),
    "imports/<int:pk>/errors.csv": Route("download", obj="job", perm="imports.view_importjob", decode="csv"),
    "imports/progress/<str:token>/": Route("token", obj="job", perm="imports.view_importjob"),
    "imports/template/<str:kind>.csv": Route("template", perm="imports.view_importjob"),
    # Dashboards, the big screen, the reviewer's home.
    "dashboard/": Route("own", query={"period": "month"}),
    "dashboard/<str:code>/": Route("unit", obj="unit"),
    "dashboard/<str:code>/panels/<slug:key>/": Route("panel", obj="unit"),
    "screen/": Route("own"),
    "screen/<str:code>/": Route("unit", obj="unit"),
    "reviewer/": page("earlywarnings.view_warningtask"),
    # Bulletins.
    "bulletins/": page(),
    "bulletins/new/": Route("create", obj="bulletin_form", perm=issues_bulletins),
    "bulletins/issue/": Route("create", obj="bulletin_many", perm=issues_bulletins, method="POST"),
    "bulletins/downloads/": page(reads_download_log),
    "bulletins/<int:pk>/": detail("bulletin"),
    "bulletins/<int:pk>/download/<str:fmt>/": Route("download", obj="bulletin"),
    "bulletins/<int:pk>/issue/": action("draft", issues_bulletins, scope_first=True),
    "bulletins/<int:pk>/redraft/": action("draft", issues_bulletins, scope_first=True),
    "bulletins/<int:pk>/correct/": action("bulletin", issues_bulletins, {"note": ""}, scope_first=True),
    # The audit log: superusers only.
    "audit/": Route("admin_only", perm=superuser_only),
    # The REST API (format-suffix twins of these routes are the same views: see ``base_route``).
    "api/v1/": api("page"),
    "api/v1/^.*/$": api("not_found"),  # any other path under the API: its JSON 404
    "api/schema/": api("page"),
    "api/docs/": page(),  # a page: signs anonymous visitors in
    "api/v1/auth/token/": api("token_auth", method="POST"),
    "api/v1/me/": api("page"),
    "api/v1/stats/": api("stats"),
    "api/v1/stats/breakdown/": api("stats", query={"by": "children"}),
    "api/v1/^units/$": api("list"),
    "api/v1/^units/(?P<code>)/$": api("detail", "unit"),
    "api/v1/^fraud-types/$": api("list"),
    "api/v1/^fraud-types/(?P<code>)/$": api("detail", "fraudtype"),
    "api/v1/^cases/$": api("create", "case_api", "cases.add_fraudcase"),
    "api/v1/^cases/(?P<pk>)/$": api("detail", "case", write="cases.change_fraudcase"),
    "api/v1/^cases/(?P<pk>)/events/$": api("detail", "case", write="cases.add_caseevent"),
    "api/v1/^cases/(?P<pk>)/void/$": api("action", "case", "cases.change_fraudcase", data=VOID),
    "api/v1/^cases/(?P<pk>)/events/(?P<event_id>)/void/$": api("action", "event", "cases.change_caseevent", data=VOID),
    "api/v1/^publicity/$": api("create", "activity_api", "publicity.add_publicityactivity"),
    "api/v1/^publicity/(?P<pk>)/$": api("detail", "activity", write="publicity.change_publicityactivity"),
    "api/v1/^publicity/(?P<pk>)/void/$": api("action", "activity", "publicity.change_publicityactivity", data=VOID),
    "api/v1/^imports/$": api("list", perm="imports.view_importjob"),
    "api/v1/^imports/(?P<pk>)/$": api("detail", "job", "imports.view_importjob"),
    "api/v1/^warnings/$": api("create", "task_api", "earlywarnings.add_warningtask"),
    "api/v1/^warnings/(?P<pk>)/$": api("detail", "task"),
    "api/v1/^warnings/(?P<pk>)/acknowledge/$": api("action", "task", "earlywarnings.change_warningtask"),
    "api/v1/^warnings/(?P<pk>)/attempts/$": api("detail", "task_handling", write="earlywarnings.change_warningtask"),
    "api/v1/^warnings/(?P<pk>)/handle/$": api(
        "action",
        "task_handling",
        "earlywarnings.change_warningtask",
        data={"outcome": "dissuaded", "method": "phone", "note": "矩阵测试"},
    ),
    "api/v1/^warnings/(?P<pk>)/review/$": api(
        "action", "task_feedback", "earlywarnings.review_warningtask", data={"decision": "accept"}
    ),
    "api/v1/^warnings/(?P<pk>)/transfer/$": api(
        "action", "task", "earlywarnings.change_warningtask", data={"reason": "矩阵测试"}
    ),
    "api/v1/^reviews/$": api("list"),
    "api/v1/^reviews/(?P<pk>)/$": api("detail", "review"),
    "api/v1/^reviews/(?P<pk>)/conclude/$": api(
        "action", "review", "earlywarnings.change_fourchecksreview", data={"conclusion": "矩阵测试结论"}
    ),
    "api/v1/^targets/$": api("create", "target_api", "stats.add_target"),
    "api/v1/^targets/status/$": api("stats"),
    "api/v1/^targets/(?P<pk>)/$": api("detail", "target", write="stats.change_target"),
    "api/v1/^bulletins/$": api("list"),
    "api/v1/^bulletins/(?P<pk>)/$": api("detail", "bulletin"),
    "api/v1/^bulletins/(?P<pk>)/download/$": api("detail", "bulletin", query={"format": "xlsx"}),
    # The admin site, apart from its models' pages (ADMIN_MODELS).
    "admin/": Route("admin_site"),
    "admin/login/": public(),
    "admin/logout/": Route("account", method="POST"),
    "admin/password_change/": Route("admin_site"),
    "admin/password_change/done/": Route("admin_site"),
    "admin/autocomplete/": Route("admin_autocomplete"),
    "admin/jsi18n/": Route("admin_site"),
    "admin/r/<path:content_type_id>/<path:object_id>/": Route("admin_view_on_site"),
    "admin/(?P<url>.*)$": Route("admin_site"),
}

# Every model registered in the admin, with the object kind (OBJECTS in the test module)
# that has one instance inside and one outside a county's subtree — None for models that
# belong to no unit (reference data and settings, superusers' or everyone's alike).
ADMIN_MODELS: dict[str, str | None] = {
    "orgs/unit": "unit",
    "orgs/area": "area",
    "orgs/user": "user",
    "cases/fraudtype": None,
    "cases/fraudcase": "case",
    "publicity/publicityactivity": "activity",
    "earlywarnings/deadlinepolicy": None,
    "earlywarnings/warningtask": "task",
    "earlywarnings/fourchecksreview": "review",
    "stats/target": "target",
    "stats/cardrule": None,
    "stats/statsstate": None,
    "bulletins/bulletin": "bulletin",
    "bulletins/bulletindownload": None,
    "auth/group": None,
    "authtoken/tokenproxy": None,
    "django_celery_beat/periodictask": None,
    "django_celery_beat/clockedschedule": None,
    "django_celery_beat/crontabschedule": None,
    "django_celery_beat/solarschedule": None,
    "django_celery_beat/intervalschedule": None,
    "axes/accessattempt": None,
    "axes/accessfailurelog": None,
    "axes/accesslog": None,
}

# The routes every registered model has; history forms come with django-simple-history,
# the password form with the user admin.
ADMIN_MODEL_ROUTES = {
    "": "changelist",
    "add/": "add",
    "<path:object_id>/history/": "history",
    "<path:object_id>/delete/": "delete",
    "<path:object_id>/change/": "change",
    "<path:object_id>/": "object",
}
HISTORY_FORM = "^([^/]+)/history/([^/]+)/$"
USER_PASSWORD = "admin/orgs/user/<id>/password/"
APP_INDEX = re.compile(r"^admin/\^\(\?P<app_label>.*\)/\$$")


@dataclass(frozen=True)
class AdminRoute:
    model: str  # app_label/model_name
    page: str  # changelist, add, history, delete, change, object, history_form, password
    obj: str | None


def admin_route(route: str) -> AdminRoute | None:
    """The admin model page a route is, if it is one (of a model in ADMIN_MODELS or not)."""
    if route == USER_PASSWORD:
        return AdminRoute("orgs/user", "password", "user")
    match = re.match(r"^admin/([a-z_]+/[a-z_]+)/(.*)$", route)
    if match is None:
        return None
    model, rest = match.groups()
    page_ = "history_form" if rest == HISTORY_FORM else ADMIN_MODEL_ROUTES.get(rest)
    if page_ is None:
        return None
    return AdminRoute(model, page_, ADMIN_MODELS.get(model))


FORMAT_SUFFIX = re.compile(r"\\\.\(\?P<format>\[a-z0-9\]\+\)/\?\$$")
GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def base_route(route: str) -> str:
    """The key a route is classified under. A DRF format-suffix twin (``cases\\.(?P<format>…)/?$``,
    ``<drf_format_suffix:format>``) is the same view as its base route, and is checked with it;
    the router's lookup patterns are left out (``cases/(?P<pk>)/$``): they say what an id
    looks like, not what the route is."""
    if route == "api/v1/<drf_format_suffix:format>":
        return "api/v1/"
    route = FORMAT_SUFFIX.sub("/$", route)
    return GROUP.sub(r"(?P<\1>)", route) if route.startswith("api/v1/^") else route


@dataclass(frozen=True)
class Enumerated:
    route: str
    name: str | None
    view: str


def enumerate_routes() -> list[Enumerated]:
    """Every pattern of the URLconf, with its full route, URL name and view."""

    def walk(patterns, prefix: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                callback = pattern.callback
                view = f"{getattr(callback, '__module__', '?')}.{getattr(callback, '__name__', '?')}"
                yield Enumerated(prefix + str(pattern.pattern), pattern.name, view)

    return list(walk(get_resolver().url_patterns, ""))


def classified(route: str) -> bool:
    if base_route(route) in ROUTES or APP_INDEX.match(route):
        return True
    found = admin_route(route)
    return found is not None and found.model in ADMIN_MODELS


def admin_routes_expected() -> set[str]:
    """The admin model routes ADMIN_MODELS implies (present or not, history forms aside)."""
    return {f"admin/{model}/{rest}" for model in ADMIN_MODELS for rest in ADMIN_MODEL_ROUTES}
