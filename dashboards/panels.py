"""The panels of a unit's dashboard: each engine answer as a figure, a table and a note.

``dashboard_panels(unit, period, user=...)`` is shared by the dashboard page and the big
screen. A panel is a Plotly figure (a plain JSON-able dict, or None when there is nothing
to draw), the same data as a table (shown on demand and downloadable as CSV / Excel),
and a note: the 口径, or — when there is no data — what to do about it.

The figures come from the statistics engine (``stats``), read once per unit and period
by ``dashboard_data`` — a few grouped queries per answer, however many children or areas
the unit has — and kept for a minute: the rollups refresh once a minute, and the key
carries their ``refreshed_at``, so a refresh is seen at once. The page keeps its panels
ready to render (``dashboard_page``) under the same key: building the figures, their JSON
and the tables' rows was most of what a kept page cost.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from dashboards import charts
from dashboards.kpis import Kpi, kpi_cards
from earlywarnings.models import TaskStatus, WarningTask
from orgs.models import Area, Unit
from publicity.models import PublicityForm
from stats.answers import kept
from stats.breakdowns import by_area, by_children, by_fraud_type, by_profile, by_time
from stats.catalogue import METRICS
from stats.compare import change_pct
from stats.metrics import metrics
from stats.models import CardRule, CaseFact, PublicityFact, Target
from stats.periods import Period, PeriodKind, custom_period
from stats.projection import DAILY_SOURCES, MonthState, month_bounds, month_ranges, project_from_daily
from stats.refresh import refreshed_at
from stats.targets import TARGET_METRICS, Card, _status

CACHE_SECONDS = 60
TREND_DAYS = 30  # a short period's trend shows the 30 days up to its end
AVERAGE_LEAD = 6  # days read before the trend so its 7-day average starts on the first day
DAILY_LIMIT = 92  # up to a quarter by day, longer by ISO week


@dataclass
class Cell:
    value: object  # the raw value (sorting, downloads)
    text: str  # as shown
    numeric: bool = False
    link: str = ""


@dataclass
class Table:
    """A panel's data as rows of plain values (numbers stay numbers: downloads and sorting
    read them); money in 万元, changes and shares in per cent."""

    columns: list[str]
    rows: list[list]
    numeric: set[int] = field(default_factory=set)  # indexes of the right-aligned columns
    links: list[str] = field(default_factory=list)  # per row: where its name (first text cell) leads

    def cells(self) -> list[list[Cell]]:
        """The rows as shown: numbers with thousands separators, None as —."""
        out = []
        link_column = self._link_column
        for r, row in enumerate(self.rows):
            link = self.links[r] if r < len(self.links) else ""
            out.append(
                [
                    Cell(v, _shown(v, self.columns[i]), i in self.numeric, link if i == link_column else "")
                    for i, v in enumerate(row)
                ]
            )
        return out

    def body_html(self) -> str:
        """The rows as table rows, built here rather than in the template: a city's area
        table has hundreds of cells, and the template engine would take most of the page's
        time over them."""
        parts = []
        for row in self.cells():
            parts.append("<tr>")
            for cell in row:
                sort = "" if cell.value is None else escape(str(cell.value))
                text = escape(cell.text)
                if cell.link:
                    text = f'<a href="{escape(cell.link)}">{text}</a>'
                css = ' class="num"' if cell.numeric else ""
                parts.append(f'<td{css} data-sort="{sort}">{text}</td>')
            parts.append("</tr>\n")
        return mark_safe("".join(parts))

    def headers(self) -> list[tuple[str, bool]]:
        return [(column, i in self.numeric) for i, column in enumerate(self.columns)]

    @property
    def _link_column(self) -> int:
        return next((i for i, c in enumerate(self.columns) if i not in self.numeric), 0)


@dataclass
class Panel:
    """One card of a dashboard (and a slide of the big screen). ``figure`` is None when
    there is nothing to draw: ``note`` then says why and what to do."""

    key: str
    title: str
    figure: dict | None = None
    table: Table | None = None
    note: str = ""
    wide: bool = False  # spans the page's full width
    link: tuple[str, str] | None = None  # (label, url) of the page behind the panel


def _shown(value, column: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}" if "%" in column else f"{value:,.2f}"
    return str(value)


# ---------------------------------------------------------------------------- periods


def period_params(period: Period) -> dict[str, str]:
    """The query string that opens ``period`` on a dashboard (drill-down keeps it)."""
    if period.kind == PeriodKind.CUSTOM:
        return {"period": "custom", "start": period.start.isoformat(), "end": period.end.isoformat()}
    return {"period": str(period.kind), "date": period.end.isoformat()}


def dashboard_url(unit: Unit, period: Period) -> str:
    return f"{reverse('dashboard', args=[unit.code])}?{urlencode(period_params(period))}"


def trend_window(period: Period) -> tuple[Period, str, int, bool]:
    """The period the trend reads, "day" or "week", how many lead-in days it carries (for
    the 7-day average), and whether the window is wider than the period (to shade it)."""
    if period.days > DAILY_LIMIT:
        return period, "week", 0, False
    start = period.start
    wider = period.days < 28
    if wider:
        start = min(start, period.end - dt.timedelta(days=TREND_DAYS - 1))
    return custom_period(start - dt.timedelta(days=AVERAGE_LEAD), period.end), "day", AVERAGE_LEAD, wider


# ---------------------------------------------------------------------------- data


UNREAD = object()  # the refresh time, not read yet


def dashboard_data(unit: Unit, period: Period, *, now: dt.datetime | None = None, stamp=UNREAD) -> dict:
    """Everything a dashboard of ``unit`` over ``period`` shows, read from the engine (plain
    JSON-able data), kept in the cache for a minute unless ``now`` is given. ``stamp``: the
    rollups' refresh time when the caller has read it already."""
    stamp = refreshed_at() if stamp is UNREAD else stamp
    if now is not None:
        return _gather(unit, period, now=now, stamp=stamp)
    return _kept(stamp, "dashboard", unit, period, lambda: _gather(unit, period, now=timezone.now(), stamp=stamp))


def _kept(stamp: dt.datetime | None, name: str, unit: Unit, period: Period, build: Callable[[], object], *,
          extra: str = "") -> object:  # fmt: skip
    """``stats.answers.kept`` — the same key, so the same answer — with the refresh time the
    caller read: a page reads it once, however many answers it keeps (``kept`` reads it
    again for each)."""
    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", CACHE_SECONDS)
    return kept(name, unit, period, build, extra=extra, seconds=seconds, stamp=stamp)


def _gather(unit: Unit, period: Period, *, now: dt.datetime, stamp) -> dict:
    window, by, lead, wider = trend_window(period)
    data = {
        "station": unit.is_station,
        "refreshed_at": stamp,
        "now": now,
        "metrics": metrics(unit, period, now=now),
        "trend": by_time(unit, window, by, metric="cases", now=now),
        "trend_lead": lead,
        "trend_highlight": _highlight(period) if wider else None,
        "fraud_type": by_fraud_type(unit, period),
        "areas": by_area(unit, period),
        "geometries": _geometries(unit),
        "backlog": _backlog(unit, now=now),
        "publicity": _publicity(unit, period),
        "targets": _targets(unit, period, now=now),
    }
    if not unit.is_station:
        data["children"] = by_children(unit, period, rank_by="cases", now=now)
        data["age"] = by_profile(unit, period, "age_band")
        data["gender"] = by_profile(unit, period, "gender")
    return data


def _highlight(period: Period) -> tuple[str, str]:
    return f"{period.start.month}月{period.start.day}日", f"{period.end.month}月{period.end.day}日"


GEOMETRY_SECONDS = 24 * 3600


def _geometries(unit: Unit) -> dict:
    """Map shapes of the subtree's areas, rounded to about 10 m: ``areas`` the finest ones
    (communities and villages, and any township or subdistrict without them), coloured on
    the map; ``outlines`` the townships and subdistricts above them, drawn as borders.

    Shapes change rarely and a city's take a while to decode, so they are kept for a day
    under the areas' latest change: one small query when kept, one more when read."""
    if not getattr(settings, "DASHBOARD_CACHE_SECONDS", CACHE_SECONDS):
        return _read_geometries(unit)
    latest = Area.objects.within(unit).aggregate(changed=Max("updated_at"), n=Count("pk"))
    changed = latest["changed"] and latest["changed"].timestamp()
    key = f"dashboard-shapes:{unit.pk}:{unit.path}:{changed}:{latest['n']}"
    shapes = cache.get(key)
    if shapes is None:
        shapes = _read_geometries(unit)
        cache.set(key, shapes, GEOMETRY_SECONDS)
    return shapes


def _read_geometries(unit: Unit) -> dict:
    areas = list(Area.objects.within(unit).exclude(geometry=None).values_list("pk", "code", "parent_id", "geometry"))
    parents = {parent for _pk, _code, parent, _g in areas if parent}
    leaves = {code: charts.rounded_geometry(g) for pk, code, _p, g in areas if pk not in parents and g}
    return {
        "areas": leaves,
        "outlines": [charts.rounded_geometry(g) for pk, _c, _p, g in areas if pk in parents and g],
        "bounds": charts.geometry_bounds(leaves.values()) if leaves else None,
    }


def _backlog(unit: Unit, *, now: dt.datetime) -> list[dict]:
    """Open warning tasks per station of the subtree now, and how many are past a deadline
    (``WarningTask.overdue``'s test): one grouped query."""
    late = Q(status=TaskStatus.PENDING, sign_deadline__lt=now) | Q(handle_deadline__lt=now)
    rows = (
        WarningTask.objects.live()
        .within(unit)
        .open()
        .order_by()
        .values("station__code", "station__name", "station__path")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=late))
    )
    return sorted(
        (
            {
                "code": r["station__code"],
                "name": r["station__name"],
                "path": r["station__path"],
                "open": r["open"],
                "overdue": r["overdue"],
            }
            for r in rows
        ),
        key=lambda r: r["path"],
    )


def _publicity(unit: Unit, period: Period) -> list[dict]:
    """Publicity by form this period (and activities a year earlier): one grouped query
    over the rollups, the same 口径 as the metrics publicity_activities and _reach."""
    yoy = period.yoy()
    now_q = Q(day__gte=period.start, day__lte=period.end)
    yoy_q = Q(day__gte=yoy.start, day__lte=yoy.end)
    rows = {
        r["form"]: r
        for r in PublicityFact.objects.within(unit)
        .filter(now_q | yoy_q)
        .order_by()
        .values("form")
        .annotate(
            activities=Sum("n", filter=now_q, default=0),
            reach=Sum("reach", filter=now_q, default=0),
            materials=Sum("materials", filter=now_q, default=0),
            app_installs=Sum("app_installs", filter=now_q, default=0),
            yoy_activities=Sum("n", filter=yoy_q, default=0),
        )
    }
    out = []
    for form in PublicityForm:
        r = rows.get(form.value)
        if r and (r["activities"] or r["yoy_activities"]):
            out.append(
                {
                    "form": form.value,
                    "label": form.label,
                    "activities": r["activities"],
                    "reach": r["reach"],
                    "materials": r["materials"],
                    "app_installs": r["app_installs"],
                    "yoy_activities": r["yoy_activities"],
                    "yoy_pct": change_pct(r["activities"], r["yoy_activities"]),
                }
            )
    return out


def _targets(unit: Unit, period: Period, *, now: dt.datetime) -> dict:
    """The month of the period's end: the targets of the unit and its children against
    their figures (with cards and the month-end projection), and the unit's own projection
    of cases and loss. One query for the daily figures of every unit together, however many
    children have targets (``stats.targets.targets_for_children`` reads once per child)."""
    today = timezone.localtime(now).date()
    month = month_bounds(period.end)[0]
    answer = {"month": f"{month.year}年{month.month}月", "rows": [], "projection": []}
    if month > today:
        return answer
    children = list(Unit.objects.filter(parent=unit).order_by("path"))
    owners = [unit, *children]
    targets = list(Target.objects.filter(unit__in=owners, month=month))
    keys = list(TARGET_METRICS)
    daily = _daily_by_owner(unit, children if targets else [], keys, list(month_ranges(month, today)))
    ly_first, ly_last = month_ranges(month, today)[1]
    for metric in keys:
        projection = project_from_daily(metric, month, today, daily[unit.pk][metric], daily[unit.pk][metric])
        last_year = sum(v for day, v in daily[unit.pk][metric].items() if ly_first <= day <= ly_last)
        answer["projection"].append(
            {
                "metric": metric,
                "label": METRICS[metric].label,
                "unit": METRICS[metric].unit,
                "value": _plain(projection.value),
                "projected": _plain(projection.projected),
                "last_year": _plain(last_year),
                "method": projection.method_note,
                "finished": projection.state is MonthState.FINISHED,
            }
        )
    if not targets:
        return answer
    rule = CardRule.current()
    by_owner = {owner.pk: owner for owner in owners}
    ordered = sorted(targets, key=lambda t: (t.unit_id != unit.pk, by_owner[t.unit_id].path, keys.index(t.metric)))
    for target in ordered:
        owner = by_owner[target.unit_id]
        status = _status(target, owner, daily[owner.pk][target.metric], month, today, rule)
        card = status.card if status.met is not None or status.card != Card.NONE else "unknown"
        answer["rows"].append(
            {
                "unit": owner.name,
                "code": owner.code,
                "metric": target.metric,
                "label": status.label,
                "measure": status.measure,
                "drop_pct": float(status.drop_pct),
                "target_pct": -float(status.drop_pct),
                "value": _plain(status.value),
                "yoy_base": _plain(status.yoy_base),
                "yoy_pct": status.yoy_pct,
                "gap_pts": _plain(status.gap_pts),
                "met": status.met,
                "card": str(card),
                "projected": _plain(status.projection.projected) if status.projection else None,
                "projected_pct": status.projected_yoy_pct,
                "note": status.note,
                "projection_note": status.projection_note,
            }
        )
    return answer


def _daily_by_owner(unit: Unit, children: list[Unit], metrics_: list[str], ranges) -> dict[int, dict[str, dict]]:
    """Daily values of ``metrics_`` (case facts) over ``ranges`` for ``unit``'s whole subtree
    and for each of ``children``'s subtrees: one query grouped by unit and day."""
    days = Q(pk__in=[])
    for start, end in ranges:
        days |= Q(day__gte=start, day__lte=end)
    sums = {m: Sum(DAILY_SOURCES[m][1], filter=Q(**DAILY_SOURCES[m][2]), default=0) for m in metrics_}
    rows = CaseFact.objects.within(unit).filter(days).order_by().values("unit__path", "day").annotate(**sums)
    result = {owner.pk: {m: {} for m in metrics_} for owner in [unit, *children]}
    for row in rows:
        owners = [unit] + [c for c in children if row["unit__path"].startswith(c.path)]
        for owner in owners:
            for m in metrics_:
                bucket = result[owner.pk][m]
                bucket[row["day"]] = bucket.get(row["day"], 0) + row[m]
    return result


def _plain(value):
    """A Decimal as a float (JSON, cache); other values as they are."""
    if isinstance(value, Decimal):
        return float(value)
    return value


# ---------------------------------------------------------------------------- the page


@dataclass(frozen=True)
class RenderedPanel:
    """A panel as the dashboard page shows it, ready to render and small to keep: the figure
    as its JSON script element and the table's rows as HTML (the costly parts), without the
    figure and the rows themselves."""

    key: str
    title: str
    note: str
    wide: bool
    link: tuple[str, str] | None
    script: SafeString  # "" when there is nothing to draw
    headers: list[tuple[str, bool]]  # [] when the table has no rows
    body: SafeString

    @classmethod
    def of(cls, panel: Panel) -> RenderedPanel:
        rows = panel.table is not None and bool(panel.table.rows)
        return cls(
            key=panel.key,
            title=panel.title,
            note=panel.note,
            wide=panel.wide,
            link=panel.link,
            script=figure_script(panel),
            headers=panel.table.headers() if rows else [],
            body=panel.table.body_html() if rows else mark_safe(""),
        )


@dataclass(frozen=True)
class DashboardPage:
    """What ``unit``'s dashboard page shows over a period, kept until the rollups change."""

    refreshed_at: dt.datetime | None
    answer: dict  # stats.metrics.metrics()
    kpis: list[Kpi]
    cards: list[RenderedPanel]


def dashboard_page(unit: Unit, period: Period, *, user) -> DashboardPage:
    """The dashboard page of ``unit`` over ``period`` for ``user``, who may see ``unit``
    (the caller checks): the same for everyone but for the station's queue link, which
    leads one's own station's officers to their queue. Reads the refresh time once."""
    stamp = refreshed_at()
    own = getattr(user, "unit_id", None) == unit.pk

    def build() -> DashboardPage:
        data = dashboard_data(unit, period, stamp=stamp)
        panels = dashboard_panels(unit, period, user=user, data=data)
        answer = data["metrics"]
        return DashboardPage(data["refreshed_at"], answer, kpi_cards(answer), [RenderedPanel.of(p) for p in panels])

    return _kept(stamp, "dashboard-page", unit, period, build, extra="own" if own else "")


def figure_script(panel: Panel) -> SafeString:
    """The panel's figure as a JSON script element (what ``json_script`` makes, compact and
    escaped with three replaces: the city's map alone is a few hundred kilobytes)."""
    if panel.figure is None:
        return mark_safe("")
    text = json.dumps(panel.figure, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    return format_html('<script id="fig-{}" type="application/json">{}</script>', panel.key, mark_safe(text))


# ---------------------------------------------------------------------------- panels


def dashboard_panels(unit: Unit, period: Period, *, user, data: dict | None = None) -> list[Panel]:
    """The panels of ``unit``'s dashboard over ``period`` in reading order. A station gets
    its trend, queue, warning work, map, fraud types and publicity; a city or county also
    its children's ranking, victims and targets. ``data`` is ``dashboard_data``'s answer
    when the caller already has it."""
    data = data if data is not None else dashboard_data(unit, period)
    if data["station"]:
        panels = [
            trend_panel(data, period),
            queue_panel(data, unit, user=user),
            warnings_panel(data),
            map_panel(data),
            fraud_type_panel(data),
            publicity_panel(data),
        ]
        if data["targets"]["rows"]:
            panels.append(targets_panel(data))
        return panels
    return [
        trend_panel(data, period),
        children_panel(data, period),
        map_panel(data),
        fraud_type_panel(data),
        profile_panel(data),
        warnings_panel(data),
        backlog_panel(data, unit, user=user),
        publicity_panel(data),
        targets_panel(data),
    ]


def _empty(key: str, title: str, message: str, **extra) -> Panel:
    """A panel with nothing to draw: its note says what to do."""
    return Panel(key=key, title=title, note=message, **extra)


def trend_panel(data: dict, period: Period) -> Panel:
    answer = data["trend"]
    lead = data["trend_lead"]
    daily = answer["by"] == "day"
    title = "发案趋势（按日）" if daily else "发案趋势（按周）"
    figure = charts.trend_figure(answer, lead_days=lead, highlight=data["trend_highlight"])
    if figure is None:
        return _empty(
            "trend",
            title,
            "本期及去年同期都没有立案记录。如果刚导入案件，请等待统计刷新（每分钟一次）后再看；"
            "仍为空请到“导入”页面检查案件是否导入成功。",
            wide=True,
        )
    rows = answer["rows"][lead:]
    values = [r["value"] for r in answer["rows"]]
    average = charts.moving_average(values)[lead:] if daily else [None] * len(rows)
    columns = ["日期" if daily else "周", "发案数（起）", "7日均值（起）", "去年同期日期", "去年同期（起）"]
    table = Table(
        columns,
        [
            [r["label"], r["value"], avg, charts._day_label(r["yoy_start"], r["yoy_end"]), r["yoy_value"]]
            for r, avg in zip(rows, average, strict=True)
        ],
        {1, 2, 4},
    )
    if not daily:
        table = Table(
            [c for i, c in enumerate(columns) if i != 2],
            [[c for i, c in enumerate(row) if i != 2] for row in table.rows],
            {1, 3},
        )
    note = f"发案数口径：{METRICS['cases'].basis}去年同期按日（周）对齐，2月29日对应2月28日。"
    if daily:
        note += "7日均值为当日及前6日的平均。"
    else:
        note += "首尾两周按所选周期截断，可能不满7天（悬停可见所含日期）。"
    if data["trend_highlight"]:
        note += f"金色底纹为所选周期（{period.label}）。"
    return Panel("trend", title, figure, table, note, wide=True)


def children_panel(data: dict, period: Period) -> Panel:
    answer = data["children"]
    title = "下级单位对比"
    if not answer["rows"]:
        return _empty("children", title, "本单位没有下级单位。请管理员在“单位”页面维护单位层级。", wide=True)
    figure = charts.children_figure(answer)
    columns = [
        "排名",
        "单位",
        "常住人口",
        "警情数（起）",
        "发案数（起）",
        "发案同比%",
        "万人发案率（起/万人）",
        "损失金额（万元）",
        "损失同比%",
        "破案数（起）",
        "按时处置率%",
        "超期未处置（起）",
    ]
    rows, links = [], []
    for row in answer["rows"]:
        m = row["metrics"]
        rows.append(
            [
                row["rank"],
                row["unit"]["name"],
                row["population"],
                m["reports"]["value"],
                m["cases"]["value"],
                m["cases"]["yoy_pct"],
                m["cases_per_10k"]["value"],
                charts.wan(m["loss"]["value"]),
                m["loss"]["yoy_pct"],
                m["solved"]["value"],
                m["on_time_rate"]["value"],
                m["warnings_overdue"]["value"],
            ]
        )
        links.append(dashboard_url(_unit_stub(row["unit"]), period))
    table = Table(columns, rows, {0, *range(2, len(columns))}, links)
    note = (
        "点击单位名称进入其态势页（保持所选周期）；点击表头排序。柱为发案数，柱上为同比（绿：向好，红：向坏），"
        f"菱形为万人发案率（{METRICS['cases_per_10k'].basis}）"
    )
    if figure is None:
        return Panel("children", title, None, table, "本期及去年同期各下级单位都没有立案记录。" + note, wide=True)
    return Panel("children", title, figure, table, note, wide=True)


def _unit_stub(unit_json: dict) -> Unit:
    return Unit(code=unit_json["code"], name=unit_json["name"], level=unit_json["level"])


def map_panel(data: dict) -> Panel:
    answer, geometries = data["areas"], data["geometries"]
    title = "发案地图"
    rows = answer["rows"]
    columns = [
        "发案地",
        "类型",
        "上级区域",
        "派出所",
        "常住人口",
        "警情数（起）",
        "发案数（起）",
        "万人发案率（起/万人）",
        "损失金额（万元）",
        "去年同期发案（起）",
        "发案同比%",
    ]
    table = Table(
        columns,
        [
            [
                r["label"],
                r["area"]["kind_display"] if r["area"] else "",
                (r["area"] or {}).get("parent") or "",
                r["area"]["station"]["name"] if r["area"] else "",
                r["population"],
                r["reports"],
                r["cases"],
                r["cases_per_10k"],
                charts.wan(r["loss"]),
                r["cases_yoy_base"],
                r["cases_yoy_pct"],
            ]
            for r in rows
        ],
        {4, 5, 6, 7, 8, 9, 10},
    )
    if not rows:
        return _empty(
            "map",
            title,
            "本单位辖区还没有登记社区/村。请管理员在“单位”页面为派出所添加辖区区域，并填写地图范围（GeoJSON）。",
        )
    figure = charts.area_map_figure(
        answer, geometries["areas"], outlines=geometries["outlines"], bounds=geometries["bounds"]
    )
    if figure is None:
        return Panel(
            "map",
            title,
            None,
            table,
            "辖区的社区/村尚未录入地图范围，暂以表格显示。"
            "请管理员在管理后台“区域”中为各社区/村填写地图范围（GeoJSON）。",
        )
    note = (
        f"颜色为万人发案率（本期发案数 ÷ 常住人口 × 10000），灰色为人口不详。发案数口径：{METRICS['cases'].basis}"
        "乡镇/街道本级（未细化到社区/村）的案件见表格。"
    )
    if not any(r["cases"] for r in rows):
        note = "本期辖区没有立案记录。" + note
    return Panel("map", title, figure, table, note)


def fraud_type_panel(data: dict) -> Panel:
    answer = data["fraud_type"]
    title = "诈骗类型结构"
    figure = charts.fraud_type_figure(answer)
    if figure is None:
        return _empty("fraud_type", title, "本期没有立案记录，暂无诈骗类型结构。换一个更长的周期（如“年累计”）再看。")
    columns = ["诈骗类型", "发案数（起）", "占比%", "发案同比%", "损失金额（万元）", "损失占比%", "损失同比%"]
    table = Table(
        columns,
        [
            [
                r["fraud_type"]["name"],
                r["cases"],
                r["cases_share"],
                r["cases_yoy_pct"],
                charts.wan(r["loss"]),
                r["loss_share"],
                r["loss_yoy_pct"],
            ]
            for r in answer["rows"]
        ],
        {1, 2, 3, 4, 5, 6},
    )
    note = f"左：发案数，右：损失金额（万元），柱旁为占比。口径：{METRICS['cases'].basis}{METRICS['loss'].basis}"
    return Panel("fraud_type", title, figure, table, note)


def profile_panel(data: dict) -> Panel:
    age, gender = data["age"], data["gender"]
    title = "受害人画像"
    figure = charts.profile_figure(age, gender)
    if figure is None:
        return _empty("profile", title, "本期没有立案记录，暂无受害人年龄、性别分布。换一个更长的周期再看。")
    columns = ["维度", "类别", "受害人数（起）", "占比%", "去年同期（起）", "同比%"]
    rows = [["年龄段", r["label"], r["count"], r["share"], r["yoy_base"], r["yoy_pct"]] for r in age["rows"]]
    rows += [["性别", r["label"], r["count"], r["share"], r["yoy_base"], r["yoy_pct"]] for r in gender["rows"]]
    note = "按已立案案件的受害人统计（一案一人），占比含“不详”。"
    return Panel("profile", title, figure, Table(columns, rows, {2, 3, 4, 5}), note)


WARNING_TABLE_KEYS = (
    "warnings_received",
    "warnings_handled",
    "warnings_on_time",
    "on_time_rate",
    "dissuaded",
    "dissuasion_rate",
    "mean_sign_minutes",
    "mean_handle_minutes",
    "warnings_overdue",
    "warned_victims",
    "warned_victim_rate",
)


def warnings_panel(data: dict) -> Panel:
    answer = data["metrics"]
    title = "预警劝阻工作"
    columns = ["指标", "本期", "单位", "去年同期", "同比%", "口径"]
    rows = []
    for key in WARNING_TABLE_KEYS:
        entry, metric = answer["metrics"][key], METRICS[key]
        rows.append([metric.label, entry["value"], metric.unit, entry["yoy_base"], entry["yoy_pct"], metric.basis])
    table = Table(columns, rows, {1, 3, 4})
    figure = charts.warning_indicators_figure(answer)
    if figure is None:
        return _empty(
            "warnings",
            title,
            "本期没有处置或下发的预警劝阻任务。新任务由上级平台推送，"
            "或由数据员在“导入”页面导入；派出所在“预警”页面签收、处置。",
        )
    m = answer["metrics"]
    note = (
        f"本期下发 {m['warnings_received']['value']} 起，处置 {m['warnings_handled']['value']} 起，"
        f"劝阻成功 {m['dissuaded']['value']} 起，期末超期未处置 {m['warnings_overdue']['value']} 起。"
        f"按时处置率 = {METRICS['on_time_rate'].basis} 预后被骗率 = {METRICS['warned_victim_rate'].basis}"
    )
    return Panel("warnings", title, figure, table, note)


def _queue_url(unit: Unit, user) -> str:
    url = reverse("warning_queue")
    if user is not None and getattr(user, "unit_id", None) == unit.pk:
        return url
    return f"{url}?{urlencode({'station': unit.code})}"


def queue_panel(data: dict, unit: Unit, *, user) -> Panel:
    """A station's queue now: open tasks, how many are overdue, and the way to the queue."""
    rows = data["backlog"]
    open_now = sum(r["open"] for r in rows)
    overdue = sum(r["overdue"] for r in rows)
    title = "预警任务队列（当前）"
    link = ("打开预警队列", _queue_url(unit, user))
    table = Table(
        ["单位", "在办任务（件）", "其中已超期（件）"], [[r["name"], r["open"], r["overdue"]] for r in rows], {1, 2}
    )
    at = timezone.localtime(data["now"])
    if not open_now:
        message = f"截至{at:%H:%M}，没有在办的预警任务，已“日日清零”。"
        return Panel("queue", title, None, table, message, link=link)
    figure = _queue_figure(open_now, overdue)
    note = f"截至{at:%H:%M}：在办 {open_now} 件，其中已超过签收或处置时限 {overdue} 件。目标“日日清零”。"
    return Panel("queue", title, figure, table, note, link=link)


def _queue_figure(open_now: int, overdue: int) -> dict:
    data = [
        {
            "type": "indicator",
            "mode": "number",
            "value": open_now,
            "title": {"text": "在办任务", "font": {"size": 14}},
            "number": {"suffix": "件", "font": {"size": 40, "color": charts.BLUE}},
            "domain": {"x": [0, 0.48], "y": [0, 1]},
        },
        {
            "type": "indicator",
            "mode": "number",
            "value": overdue,
            "title": {"text": "已超期", "font": {"size": 14}},
            "number": {"suffix": "件", "font": {"size": 40, "color": charts.RED if overdue else charts.GREEN}},
            "domain": {"x": [0.52, 1], "y": [0, 1]},
        },
    ]
    return {"data": data, "layout": charts.base_layout(height=170, margin={"l": 8, "r": 8, "t": 24, "b": 8})}


def backlog_panel(data: dict, unit: Unit, *, user) -> Panel:
    rows = data["backlog"]
    title = "超期积压（当前，按派出所）"
    table = Table(
        ["派出所", "在办任务（件）", "其中已超期（件）"], [[r["name"], r["open"], r["overdue"]] for r in rows], {1, 2}
    )
    link = ("查看积压明细", reverse("warning_backlog"))
    at = timezone.localtime(data["now"])
    figure = charts.backlog_figure(rows)
    if figure is None:
        message = f"截至{at:%H:%M}，辖区没有在办的预警任务，已“日日清零”。"
        return Panel("backlog", title, None, table, message, link=link)
    open_now, overdue = sum(r["open"] for r in rows), sum(r["overdue"] for r in rows)
    note = (
        f"截至{at:%H:%M}：在办 {open_now} 件，其中已超期 {overdue} 件（红色）。"
        "超期：未在签收时限内签收，或未在处置时限内反馈处置结果。最多显示 15 个派出所，完整名单见表格。"
    )
    return Panel("backlog", title, figure, table, note, link=link)


def publicity_panel(data: dict) -> Panel:
    rows = data["publicity"]
    title = "反诈宣传（按形式）"
    columns = ["宣传形式", "活动次数", "覆盖人数", "发放资料", "反诈APP安装", "去年同期（次）", "同比%"]
    table = Table(
        columns,
        [
            [
                r["label"],
                r["activities"],
                r["reach"],
                r["materials"],
                r["app_installs"],
                r["yoy_activities"],
                r["yoy_pct"],
            ]
            for r in rows
        ],
        {1, 2, 3, 4, 5, 6},
    )
    figure = charts.publicity_figure(rows)
    if figure is None:
        return _empty(
            "publicity", title, "本期没有登记反诈宣传活动。各单位可在“宣传”页面登记活动，或由数据员批量导入。"
        )
    m = data["metrics"]["metrics"]
    note = (
        f"本期宣传活动 {m['publicity_activities']['value']:,} 次，覆盖 {m['publicity_reach']['value']:,} 人。"
        f"口径：{METRICS['publicity_activities'].basis}"
    )
    return Panel("publicity", title, figure, table, note)


def targets_panel(data: dict) -> Panel:
    answer = data["targets"]
    title = f"压降目标（{answer['month']}）"
    rows = answer["rows"]
    if rows:
        columns = [
            "单位",
            "指标",
            "目标（同比%）",
            "本月实际",
            "去年同期",
            "同比%",
            "差距（百分点）",
            "月底预计",
            "预计同比%",
            "评定",
            "说明",
        ]
        table = Table(
            columns,
            [
                [
                    r["unit"],
                    r["label"],
                    r["target_pct"],
                    _measure_value(r["value"], r["measure"]),
                    _measure_value(r["yoy_base"], r["measure"]),
                    r["yoy_pct"],
                    r["gap_pts"],
                    _measure_value(r["projected"], r["measure"]),
                    r["projected_pct"],
                    charts.CARD_LABELS[r["card"]],
                    r["note"],
                ]
                for r in rows
            ],
            {2, 3, 4, 5, 6, 7, 8},
        )
        reds = [r["unit"] for r in rows if r["card"] == "red"]
        yellows = [r["unit"] for r in rows if r["card"] == "yellow"]
        note = "柱为同比变化（绿：达标，金：黄牌，红：红牌），横线为目标，菱形为月底预计。金额单位万元。"
        if reds or yellows:
            note = (
                f"红牌：{'、'.join(dict.fromkeys(reds)) or '无'}；黄牌：{'、'.join(dict.fromkeys(yellows)) or '无'}。"
                + note
            )
        return Panel("targets", title, charts.targets_figure(rows), table, note, wide=True)
    projection = answer["projection"]
    table = Table(
        ["指标", "本月至今", "月底预计", "去年同月", "推算方法"],
        [
            [
                p["label"] + ("（万元）" if p["unit"] == "元" else f"（{p['unit']}）"),
                _measure_value(p["value"], p["unit"]),
                _measure_value(p["projected"], p["unit"]),
                _measure_value(p["last_year"], p["unit"]),
                p["method"],
            ]
            for p in projection
        ],
        {1, 2, 3},
    )
    message = (
        f"{answer['month']}尚未下达压降目标。研判员可在管理后台“压降目标”中为各单位设定发案数、损失金额的"
        "同比压降目标，设定后这里显示达标情况和红黄牌。"
    )
    figure = charts.projection_figure(projection)
    if figure is None:
        return _empty("targets", title, message, wide=True)
    if projection[0]["finished"]:
        message += "图为本单位该月实际与去年同月。"
    else:
        message += "图为本单位本月至今、月底预计（按去年同月日分布推算）与去年同月。"
    return Panel("targets", title, figure, table, message)


def _measure_value(value, unit: str):
    """Money in 万元 for a table cell; counts as they are."""
    if value is None:
        return None
    if unit == "元":
        return charts.wan(value)
    return value
