"""Pages of fraud cases: the list and its Excel export, one case with its ledger and
change history, and the forms that register, correct and void cases.

Every read goes through ``FraudCase.objects.for_user(user)`` (a case outside the user's
subtree is a 404); every write goes through ``cases.services``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import services
from cases.exports import XLSX_CONTENT_TYPE, write_case_workbook
from cases.filters import CaseFilter
from cases.forms import CaseEventForm, CaseForm
from cases.models import CaseEvent, EventKind, FraudCase
from cases.services import CaseError
from orgs.history import change_history
from orgs.pages import LIVE, PAGE_SIZE, VoidForm, add_domain_error, compact_filter_form

# ---------------------------------------------------------------------------------------
# The list and its export


def _case_filter(request) -> CaseFilter:
    """The user's cases (live ones unless ``?voided=1``) under the list's filters."""
    cases = FraudCase.objects.for_user(request.user).select_related("station", "area", "fraud_type")
    if not request.GET.get("voided"):
        cases = cases.live()
    return CaseFilter(request.GET, queryset=cases)


@login_required
@permission_required("cases.view_fraudcase", raise_exception=True)
def case_list(request):
    case_filter = _case_filter(request)
    compact_filter_form(case_filter.form, user=request.user)
    cases = case_filter.qs
    # Voided cases, when listed, are shown but never counted.
    totals = cases.aggregate(
        count=Count("pk", filter=LIVE), loss=Sum("loss", filter=LIVE), voided=Count("pk", filter=~LIVE)
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    filtering = any(value for key, value in request.GET.items() if key != "page")
    user = request.user
    context = {
        "filter_form": case_filter.form,
        "page": page,
        "totals": totals,
        "filtering": filtering,
        "show_voided": bool(request.GET.get("voided")),
        "scope_is_empty": not page.object_list and not FraudCase.objects.for_user(user).exists(),
        "can_add": user.has_perm("cases.add_fraudcase"),
        "can_import": user.has_perm("imports.add_importjob"),
    }
    return render(request, "cases/case_list.html", context)


@login_required
@permission_required("cases.view_fraudcase", raise_exception=True)
def case_export(request):
    """The whole filtered list (every page) as 案件清单_YYYYMMDD.xlsx."""
    case_filter = _case_filter(request)
    stream = io.BytesIO()
    write_case_workbook(case_filter.qs, stream, with_void=bool(request.GET.get("voided")))
    stamp = f"{timezone.localdate():%Y%m%d}"
    response = HttpResponse(stream.getvalue(), content_type=XLSX_CONTENT_TYPE)
    # An ASCII name for old clients, the Chinese one (RFC 5987) for everyone else.
    response["Content-Disposition"] = (
        f"attachment; filename=\"cases_{stamp}.xlsx\"; filename*=UTF-8''{quote(f'案件清单_{stamp}.xlsx')}"
    )
    return response


# ---------------------------------------------------------------------------------------
# One case


def _get_case(request, pk: int) -> FraudCase:
    cases = FraudCase.objects.for_user(request.user).select_related("station", "area__parent", "fraud_type")
    return get_object_or_404(cases, pk=pk)


LEDGER_LINES = (
    (EventKind.ARREST, "抓获", "人"),
    (EventKind.FREEZE, "冻结", "元"),
    (EventKind.RECOVER, "追赃", "元"),
    (EventKind.RETURN, "返还", "元"),
)


@dataclass(frozen=True)
class EventRow:
    event: CaseEvent
    recorded_by: str


def _event_rows(case: FraudCase) -> list[EventRow]:
    """The ledger, oldest first, each event with who recorded it (from the events'
    first history versions, read in one query)."""
    events = list(case.events.select_related("voided_by"))
    firsts = CaseEvent.history.filter(id__in=[e.pk for e in events], history_type="+").select_related("history_user")
    recorders = {version.id: version.history_user for version in firsts}
    rows = []
    for event in events:
        user = recorders.get(event.pk)
        rows.append(EventRow(event, user.display_name if user else "系统"))
    return rows


def _render_case(request, case: FraudCase, **forms):
    """The case page; ``forms`` are bound forms that failed and show their errors."""
    user = request.user
    totals = services.case_totals(case)
    context = {
        "case": case,
        "ledger": [(label, totals.get(kind) or 0, unit) for kind, label, unit in LEDGER_LINES],
        "event_rows": _event_rows(case),
        "history": change_history(case),
        "can_change": user.has_perm("cases.change_fraudcase") and not case.is_voided,
        "can_add_event": user.has_perm("cases.add_caseevent") and not case.is_voided,
        "can_void_event": user.has_perm("cases.change_caseevent") and not case.is_voided,
        "event_form": forms.get("event_form") or CaseEventForm(initial={"occurred_on": timezone.localdate()}),
        "void_form": forms.get("void_form") or VoidForm(),
        "event_void_form": forms.get("event_void_form"),
        "failed_event_id": forms.get("failed_event_id"),
    }
    return render(request, "cases/case_detail.html", context)


@login_required
@permission_required("cases.view_fraudcase", raise_exception=True)
def case_detail(request, pk: int):
    return _render_case(request, _get_case(request, pk))


@login_required
@permission_required("cases.add_caseevent", raise_exception=True)
@require_POST
def case_event_add(request, pk: int):
    case = _get_case(request, pk)
    form = CaseEventForm(request.POST)
    if form.is_valid():
        try:
            event = services.case_event_add(case=case, user=request.user, **form.cleaned_data)
        except CaseError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已登记进展：{event.get_kind_display()}。")
            return redirect("case_detail", pk=case.pk)
    return _render_case(request, case, event_form=form)


@login_required
@permission_required("cases.change_caseevent", raise_exception=True)
@require_POST
def case_event_void(request, pk: int, event_pk: int):
    case = _get_case(request, pk)
    event = get_object_or_404(case.events.all(), pk=event_pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.case_event_void(event=event, user=request.user, reason=form.cleaned_data["reason"])
        except CaseError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已作废 {event.occurred_on:%Y-%m-%d} 的{event.get_kind_display()}记录。")
            return redirect("case_detail", pk=case.pk)
    return _render_case(request, case, event_void_form=form, failed_event_id=event.pk)


@login_required
@permission_required("cases.change_fraudcase", raise_exception=True)
@require_POST
def case_void(request, pk: int):
    case = _get_case(request, pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.case_void(case=case, user=request.user, reason=form.cleaned_data["reason"])
        except CaseError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"案件 {case.case_no} 已作废，不再计入统计。")
            return redirect("case_detail", pk=case.pk)
    return _render_case(request, case, void_form=form)


# ---------------------------------------------------------------------------------------
# Register and correct


@login_required
@permission_required("cases.add_fraudcase", raise_exception=True)
def case_new(request):
    form = CaseForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(user=request.user, **form.cleaned_data)
        except CaseError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已登记案件 {case.case_no}。")
            return redirect("case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": None})


@login_required
@permission_required("cases.change_fraudcase", raise_exception=True)
def case_edit(request, pk: int):
    case = _get_case(request, pk)
    if case.is_voided:
        messages.error(request, "该案件已作废，不能修改。")
        return redirect("case_detail", pk=case.pk)
    form = CaseForm(request.POST if request.method == "POST" else None, user=request.user, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, user=request.user, **form.cleaned_data)
        except CaseError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已保存案件 {case.case_no} 的修改。")
            return redirect("case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case})
