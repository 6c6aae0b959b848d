"""Pages of publicity activities: the list, one activity with its history, and the
form that records one. Reads through ``PublicityActivity.objects.for_user(user)``;
writes through ``publicity.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from orgs.history import change_history
from orgs.pages import LIVE, PAGE_SIZE, VoidForm, add_domain_error, compact_filter_form
from publicity import services
from publicity.filters import PublicityFilter
from publicity.forms import AUDIENCE_LIST_ID, ActivityForm
from publicity.models import AUDIENCE_SUGGESTIONS, PublicityActivity
from publicity.services import PublicityError


@login_required
@permission_required("publicity.view_publicityactivity", raise_exception=True)
def activity_list(request):
    user = request.user
    activities = PublicityActivity.objects.for_user(user).select_related("unit")
    show_voided = bool(request.GET.get("voided"))
    if not show_voided:
        activities = activities.live()
    activity_filter = PublicityFilter(request.GET, queryset=activities)
    compact_filter_form(activity_filter.form, user=user)
    activities = activity_filter.qs
    # Voided activities, when listed, are shown but never counted.
    totals = activities.aggregate(
        count=Count("pk", filter=LIVE), reach=Sum("reach", filter=LIVE), materials=Sum("materials", filter=LIVE),
        installs=Sum("app_installs", filter=LIVE), voided=Count("pk", filter=~LIVE),
    )  # fmt: skip
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": activity_filter.form,
        "page": page,
        "totals": totals,
        "show_voided": show_voided,
        "scope_is_empty": not page.object_list and not PublicityActivity.objects.for_user(user).exists(),
        "can_add": user.has_perm("publicity.add_publicityactivity"),
        "can_import": user.has_perm("imports.add_importjob"),
    }
    return render(request, "publicity/activity_list.html", context)


def _get_activity(request, pk: int) -> PublicityActivity:
    activities = PublicityActivity.objects.for_user(request.user).select_related("unit", "voided_by")
    return get_object_or_404(activities, pk=pk)


def _render_activity(request, activity: PublicityActivity, *, void_form: VoidForm | None = None):
    context = {
        "activity": activity,
        "history": change_history(activity),
        "can_change": request.user.has_perm("publicity.change_publicityactivity") and not activity.is_voided,
        "void_form": void_form or VoidForm(),
    }
    return render(request, "publicity/activity_detail.html", context)


@login_required
@permission_required("publicity.view_publicityactivity", raise_exception=True)
def activity_detail(request, pk: int):
    return _render_activity(request, _get_activity(request, pk))


def _render_form(request, form: ActivityForm, activity: PublicityActivity | None):
    context = {
        "form": form,
        "activity": activity,
        "audience_list_id": AUDIENCE_LIST_ID,
        "audience_suggestions": AUDIENCE_SUGGESTIONS,
    }
    return render(request, "publicity/activity_form.html", context)


@login_required
@permission_required("publicity.add_publicityactivity", raise_exception=True)
def activity_new(request):
    form = ActivityForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.publicity_create(user=request.user, **form.cleaned_data)
        except PublicityError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已登记宣传活动“{activity.title}”。")
            return redirect("publicity_detail", pk=activity.pk)
    return _render_form(request, form, None)


@login_required
@permission_required("publicity.change_publicityactivity", raise_exception=True)
def activity_edit(request, pk: int):
    activity = _get_activity(request, pk)
    if activity.is_voided:
        messages.error(request, "该活动已作废，不能修改。")
        return redirect("publicity_detail", pk=activity.pk)
    form = ActivityForm(request.POST if request.method == "POST" else None, user=request.user, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.publicity_update(activity=activity, user=request.user, **form.cleaned_data)
        except PublicityError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已保存修改。")
            return redirect("publicity_detail", pk=activity.pk)
    return _render_form(request, form, activity)


@login_required
@permission_required("publicity.change_publicityactivity", raise_exception=True)
@require_POST
def activity_void(request, pk: int):
    activity = _get_activity(request, pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.publicity_void(activity=activity, user=request.user, reason=form.cleaned_data["reason"])
        except PublicityError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"宣传活动“{activity.title}”已作废，不再计入统计。")
            return redirect("publicity_detail", pk=activity.pk)
    return _render_activity(request, activity, void_form=form)
