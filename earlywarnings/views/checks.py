"""四必查: the county's reviews, their list and page, and the conclusion that closes one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from earlywarnings import checks
from earlywarnings.forms import ConclusionForm, ReviewFilterForm
from earlywarnings.models import FourChecksReview, ReviewStatus
from earlywarnings.services import WarningError
from earlywarnings.views.common import CHANGE_CHECKS, VIEW_CHECKS
from orgs.pages import PAGE_SIZE, add_domain_error


@login_required
@permission_required(VIEW_CHECKS, raise_exception=True)
def review_list(request):
    user, today = request.user, timezone.localdate()
    reviews = (
        FourChecksReview.objects.for_user(user).select_related("county", "task", "case", "area")
        .annotate(is_overdue=ExpressionWrapper(Q(status=ReviewStatus.OPEN, due_on__lt=today),
                                               output_field=BooleanField()))
    )  # fmt: skip
    form = ReviewFilterForm(request.GET)
    if form.is_valid():
        if form.cleaned_data["status"]:
            reviews = reviews.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            reviews = reviews.filter(kind=form.cleaned_data["kind"])
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": form,
        "page": page,
        "filtering": any(v for k, v in request.GET.items() if k != "page"),
    }
    return render(request, "earlywarnings/check_list.html", context)


def _render_review(request, pk: int, form: ConclusionForm | None = None):
    reviews = FourChecksReview.objects.for_user(request.user).select_related(
        "county", "task__station", "case__station", "area__parent", "closed_by"
    )
    review = get_object_or_404(reviews, pk=pk)
    context = {
        "review": review,
        "cases": review.cases.select_related("station", "fraud_type").order_by("-reported_on", "case_no"),
        "is_overdue": review.status == ReviewStatus.OPEN and review.due_on < timezone.localdate(),
        "can_conclude": request.user.has_perm(CHANGE_CHECKS) and review.status == ReviewStatus.OPEN,
        "form": form or ConclusionForm(),
        "can_view_case": request.user.has_perm("cases.view_fraudcase"),
    }
    return render(request, "earlywarnings/check_detail.html", context)


@login_required
@permission_required(VIEW_CHECKS, raise_exception=True)
def review_detail(request, pk: int):
    return _render_review(request, pk)


@login_required
@permission_required(CHANGE_CHECKS, raise_exception=True)
@require_POST
def review_conclude(request, pk: int):
    review = get_object_or_404(FourChecksReview.objects.for_user(request.user), pk=pk)
    form = ConclusionForm(request.POST)
    if form.is_valid():
        try:
            checks.review_conclude(review=review, user=request.user, conclusion=form.cleaned_data["conclusion"])
        except WarningError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已提交核查结论：{review.title}。")
            return redirect("review_detail", pk=review.pk)
    return _render_review(request, pk, form)
