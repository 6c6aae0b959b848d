"""The big screen (大屏) on the command centre's wall: one unit, dark, large type.

It shows the unit, a clock, today's and this month's key figures with 同比, and cycles
through the dashboard's key panels (``dashboard_panels``). The browser fetches the page
again every minute and swaps the figures in place (``static/js/screen.js``), so the wall
never goes blank. Scoped like the dashboard: a unit outside the user's subtree is a 404.

Query parameters: the dashboard's period (``period``, ``date``, ``start``, ``end``; default
this month so far) for the panels, ``cycle`` (seconds a panel stays, default 15) and
``refresh`` (seconds between data refreshes, default 60).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from dashboards.forms import period_from
from dashboards.kpis import Change, Kpi, kpi_cards
from dashboards.panels import Panel, dashboard_data, dashboard_panels
from dashboards.views import own_unit
from orgs.models import Unit
from stats.metrics import metrics
from stats.periods import PeriodKind, period_for
from stats.refresh import refreshed_at

# The slides the wall cycles through, in this order: each the dashboard panels of these
# keys that it has (the warning work shares its slide with the backlog, or a station's queue).
SLIDES = (("trend",), ("children",), ("fraud_type",), ("map",), ("warnings", "backlog", "queue"))
NOW_PANELS = {"backlog", "queue"}  # they show the state now, whatever the period
TODAY_KEYS = ("reports", "cases", "loss", "warnings_received", "dissuaded", "warnings_overdue")
MONTH_KEYS = ("reports", "cases", "loss", "solved", "arrests", "recovered", "on_time_rate", "dissuaded",
              "warned_victim_rate")  # fmt: skip

CYCLE_SECONDS = (15, 3, 600)  # default, lowest, highest
REFRESH_SECONDS = (60, 5, 3600)


@dataclass(frozen=True)
class Slide:
    key: str
    title: str
    panels: list[Panel]


def _seconds(params, name: str, bounds: tuple[int, int, int]) -> int:
    default, low, high = bounds
    try:
        return min(max(int(params.get(name, default)), low), high)
    except ValueError:
        return default


def screen_slides(panels: list[Panel]) -> list[Slide]:
    """The wall's slides from the dashboard's panels (those with something to draw); a
    dashboard with none of the key panels shows each of its panels on a slide of its own."""
    shown = {p.key: p for p in panels if p.figure or p.table}
    slides = []
    for keys in SLIDES:
        found = [shown[key] for key in keys if key in shown]
        if found:
            slides.append(Slide(found[0].key, found[0].title, found))
    return slides or [Slide(p.key, p.title, [p]) for p in shown.values()]


@dataclass(frozen=True)
class KpiGroup:
    key: str
    title: str
    note: str
    cards: list[tuple[Kpi, Change | None]]  # each card with its 同比 (the wall shows 同比 only)


def kpi_group(key: str, title: str, note: str, answer: dict, keys: tuple[str, ...]) -> KpiGroup:
    cards = kpi_cards(answer, keys=keys)
    return KpiGroup(key, title, note, [(card, next((c for c in card.changes if c.label == "同比"), None))
                                       for card in cards])  # fmt: skip


@login_required
def screen_home(request):
    """The big screen of your own unit."""
    target = redirect("screen", code=own_unit(request.user).code)
    if request.GET:
        target["Location"] += f"?{request.GET.urlencode()}"
    return target


@login_required
def screen(request, code: str):
    unit = get_object_or_404(Unit.objects.for_user(request.user), code=code)
    now = timezone.now()
    today = timezone.localdate(now)
    _, period = period_from(request.GET, today)
    stamp = refreshed_at()
    data = dashboard_data(unit, period, stamp=stamp)  # what the dashboard shows (cached a minute)
    month = period_for(PeriodKind.MONTH, today).to_date(today)
    month_answer = data["metrics"] if period == month else metrics(unit, month, now=now)
    day_answer = metrics(unit, period_for(PeriodKind.DAY, today), now=now)
    month_note = f"截至{month.end.day}日" if month.is_partial else month.label
    kpi_groups = [
        # Today's figures are the day so far; last year's day is whole: say so.
        kpi_group("today", "今日", f"截至{timezone.localtime(now):%H:%M} · 同比去年同日全天", day_answer, TODAY_KEYS),
        kpi_group("month", "本月", f"{month_note} · 同比去年同期", month_answer, MONTH_KEYS),
    ]
    context = {
        "unit": unit,
        "period": period,
        "now": now,
        "kpi_groups": kpi_groups,
        "slides": screen_slides(dashboard_panels(unit, period, user=request.user, data=data)),
        "now_panels": NOW_PANELS,
        "refreshed_at": stamp,
        "cycle": _seconds(request.GET, "cycle", CYCLE_SECONDS),
        "refresh": _seconds(request.GET, "refresh", REFRESH_SECONDS),
        "time_zone": settings.TIME_ZONE,
        "query": request.GET.urlencode(),
    }
    response = render(request, "dashboards/screen.html", context)
    response["Cache-Control"] = "no-store"  # the wall re-reads it every minute
    return response
