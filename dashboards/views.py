"""The dashboards: one page per unit (city, county, station) over a chosen period."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from dashboards.forms import period_from
from dashboards.kpis import kpi_cards
from orgs.models import Unit
from orgs.selectors import visible_ancestors
from stats.metrics import metrics
from stats.refresh import refreshed_at


def _top_unit(user) -> Unit:
    unit = user.unit or Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if unit is None:
        raise Http404("还没有任何单位。")
    return unit


@login_required
def dashboard_home(request):
    """Your own unit's dashboard."""
    unit = _top_unit(request.user)
    query = request.GET.urlencode()
    target = redirect("dashboard", code=unit.code)
    if query:
        target["Location"] += f"?{query}"
    return target


@login_required
def dashboard(request, code):
    unit = get_object_or_404(Unit.objects.for_user(request.user), code=code)
    form, period = period_from(request.GET)
    answer = metrics(unit, period)
    context = {
        "unit": unit,
        "breadcrumb": visible_ancestors(unit=unit, user=request.user),
        "form": form,
        "period": period,
        "answer": answer,
        "kpis": kpi_cards(answer),
        "query": request.GET.urlencode(),
        "refreshed_at": refreshed_at(),
    }
    return render(request, "dashboards/dashboard.html", context)
