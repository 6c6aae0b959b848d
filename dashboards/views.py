"""The dashboards: one page per unit (city, county, station) over a chosen period, and each
panel's data as CSV or Excel."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from bulletins.models import BulletinStatus
from bulletins.services import latest_monthly, visible
from dashboards.forms import period_from
from dashboards.panels import Panel, dashboard_page, dashboard_panels
from orgs.models import Unit
from orgs.roles import Role
from orgs.selectors import visible_ancestors
from orgs.spreadsheets import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def own_unit(user) -> Unit:
    """The unit a user's dashboard and big screen open on (a superuser without one: the top)."""
    unit = user.unit or Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if unit is None:
        raise Http404("还没有任何单位。")
    return unit


@login_required
def dashboard_home(request):
    """Your own unit's dashboard."""
    unit = own_unit(request.user)
    query = request.GET.urlencode()
    target = redirect("dashboard", code=unit.code)
    if query:
        target["Location"] += f"?{query}"
    return target


@login_required
def dashboard(request, code):
    unit = get_object_or_404(Unit.objects.for_user(request.user), code=code)
    form, period = period_from(request.GET)
    page = dashboard_page(unit, period, user=request.user)
    context = {
        "cards": page.cards,
        "unit": unit,
        "breadcrumb": visible_ancestors(unit=unit, user=request.user),
        "form": form,
        "period": period,
        "answer": page.answer,
        "kpis": page.kpis,
        "query": request.GET.urlencode(),
        "refreshed_at": page.refreshed_at,
        **_bulletin_card(request.user, unit),
    }
    return render(request, "dashboards/dashboard.html", context)


def _bulletin_card(user, unit: Unit) -> dict:
    """On your own unit's dashboard (a leader's and an analyst's home): the latest issued
    monthly bulletin with its downloads, and for analysts the drafts of their subtree waiting
    to be issued."""
    if unit.pk != user.unit_id:
        return {}
    drafts = visible(user).filter(status=BulletinStatus.DRAFT) if user.role == Role.ANALYST else None
    return {"latest_bulletin": latest_monthly(user), "drafts_waiting": drafts.count() if drafts is not None else 0}


@login_required
def dashboard_panel_download(request, code, key):
    """One panel's table as CSV (UTF-8 with BOM, so Excel and WPS read the Chinese) or
    XLSX, for the same unit and period as the page."""
    unit = get_object_or_404(Unit.objects.for_user(request.user), code=code)
    _form, period = period_from(request.GET)
    panels = {p.key: p for p in dashboard_panels(unit, period, user=request.user)}
    panel = panels.get(key)
    if panel is None or panel.table is None:
        raise Http404("没有这个面板。")
    stem = f"{unit.name}_{panel.title}_{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(_xlsx(panel, unit, period), content_type=XLSX)
        suffix = "xlsx"
    else:
        response = HttpResponse(_csv(panel), content_type="text/csv; charset=utf-8")
        suffix = "csv"
    response["Content-Disposition"] = _attachment(f"{stem}.{suffix}")
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"dashboard.{filename.rsplit('.', 1)[1]}\"; filename*=UTF-8''{quote(filename)}"


def _csv(panel: Panel) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(c) for c in panel.table.columns])
    for row in panel.table.rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(panel: Panel, unit: Unit, period) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = panel.title[:31].translate(str.maketrans("[]:*?/\\", "（）：＊？／＼"))
    sheet.append([safe_cell(f"{unit.name} · {panel.title} · {period.label}")])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([safe_cell(c) for c in panel.table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in panel.table.rows:
        sheet.append([safe_cell(v) for v in row])
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    sheet.append([])
    sheet.append([safe_cell(f"导出时间：{stamp}。{panel.note}")])
    for i, column in enumerate(panel.table.columns, start=1):
        width = max([len(str(column))] + [len(str(r[i - 1] or "")) for r in panel.table.rows[:200]])
        sheet.column_dimensions[sheet.cell(row=2, column=i).column_letter].width = min(max(10, width * 1.6), 60)
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
