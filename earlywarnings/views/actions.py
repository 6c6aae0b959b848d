"""Actions on a task: each calls one service, then goes back to the page it came from
(``next``); when the service refuses, that page is shown again with the refusal on the
form, what was typed kept, nothing changed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from earlywarnings import services
from earlywarnings.forms import AttemptForm, HandleForm, ReviewForm, TransferForm, task_auto_id
from earlywarnings.models import Outcome, WarningTask
from earlywarnings.services import WarningError
from earlywarnings.views.common import CHANGE, REVIEW, Failed, Targets, back_url, done, page_of, task_for
from earlywarnings.views.pages import render_detail, render_queue, render_review_list
from orgs.pages import add_domain_error


def _refused(request, task: WarningTask, kind: str, form: forms.Form, exc: WarningError | None = None):
    """The service (or the form) said no: show the page again with the error on the form,
    and above the page. A refusal about the task's state (someone else signed it, it was
    handled meanwhile) concerns no field: then back to a fresh page, which shows the state."""
    if exc is not None:
        messages.error(request, f"{task.task_no}：{exc.message}")
        if exc.field is None:
            return redirect(back_url(request))
        add_domain_error(form, exc)
    else:
        errors = [error for errors in form.errors.values() for error in errors]
        messages.error(request, f"{task.task_no}：{' '.join(errors)}")
    failed = Failed(task.pk, kind, form)
    back = back_url(request)
    page, query = page_of(back), back.partition("?")[2]
    if page == "warning_detail":
        return render_detail(request, task.pk, failed=failed)
    if page == "warning_review_list":
        return render_review_list(request, QueryDict(query), failed=failed)
    return render_queue(request, QueryDict(query), failed=failed)


# ---------------------------------------------------------------------------------------
# Actions: each calls one service, then back to where it came from


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def warning_sign(request, pk: int):
    task = task_for(request, pk)
    try:
        services.warning_acknowledge(task=task, user=request.user)
    except WarningError as exc:
        messages.error(request, f"{task.task_no}：{exc.message}")
        return redirect(back_url(request))
    return done(request, task, f"已签收 {task.task_no}，请尽快联系预警对象。")


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def warning_attempt(request, pk: int):
    task = task_for(request, pk)
    form = AttemptForm(request.POST, auto_id=task_auto_id(task.pk, "attempt"))
    if not form.is_valid():
        return _refused(request, task, "attempt", form)
    try:
        attempt = services.warning_attempt_add(task=task, user=request.user, **form.cleaned_data)
    except WarningError as exc:
        return _refused(request, task, "attempt", form, exc)
    return done(request, task, f"{task.task_no}：已登记联系记录（{attempt.get_method_display()}）。")


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def warning_handle(request, pk: int):
    task = task_for(request, pk)
    form = HandleForm(request.POST, auto_id=task_auto_id(task.pk, "handle"))
    if not form.is_valid():
        return _refused(request, task, "handle", form)
    try:
        task = services.warning_handle(task=task, user=request.user, **form.cleaned_data)
    except WarningError as exc:
        return _refused(request, task, "handle", form, exc)
    outcome = Outcome(task.outcome).label
    return done(request, task, f"{task.task_no} 已反馈处置结果（{outcome}），等待县（区）局审核。")


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def warning_transfer(request, pk: int):
    task = task_for(request, pk)
    form = TransferForm(request.POST, auto_id=task_auto_id(task.pk, "transfer"), targets=Targets()(task))
    if not form.is_valid():
        return _refused(request, task, "transfer", form)
    to_unit = form.cleaned_data["to_unit"]
    try:
        services.warning_transfer(task=task, user=request.user, to_unit=to_unit, reason=form.cleaned_data["reason"])
    except WarningError as exc:
        return _refused(request, task, "transfer", form, exc)
    messages.success(request, f"{task.task_no} 已转派至{to_unit.name}。")
    back = back_url(request)
    # Once transferred, the task may be out of the user's sight: its page would be a 404.
    if page_of(back) == "warning_detail" and not _in_scope(request.user, task):
        back = reverse("warning_queue")
    return redirect(back)


def _in_scope(user, task: WarningTask) -> bool:
    return WarningTask.objects.for_user(user).filter(pk=task.pk).exists()


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_POST
def warning_review(request, pk: int):
    task = task_for(request, pk)
    form = ReviewForm(request.POST, auto_id=task_auto_id(task.pk, "review"))
    if not form.is_valid():
        return _refused(request, task, "review", form)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.warning_review(task=task, user=request.user, accept=accept, reason=form.cleaned_data["reason"])
    except WarningError as exc:
        return _refused(request, task, "review", form, exc)
    result = "审核通过，任务已办结" if accept else "已退回派出所重新处置"
    return done(request, task, f"{task.task_no}：{result}。")
