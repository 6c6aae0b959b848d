"""The pages of the work on tasks: the station's queue (a county or city user's: every open
task of the subtree), one task with its timeline, and the county's review of the feedback."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from earlywarnings.forms import QueueFilterForm
from earlywarnings.models import Action, FourChecksReview, ReviewStatus, TaskStatus, WarningTask
from earlywarnings.views.common import (
    RECENT,
    REVIEW,
    VIEW,
    CardActions,
    Failed,
    Targets,
    attempts_prefetch,
    day_start,
    here_url,
    task_card,
    with_deadline,
)
from earlywarnings.views.reveal import RevealForm
from orgs.models import Unit, UnitLevel
from orgs.pages import PAGE_SIZE

# ---------------------------------------------------------------------------------------
# The queue


@login_required
@permission_required(VIEW, raise_exception=True)
def warning_queue(request):
    return render_queue(request, request.GET)


def render_queue(request, params: QueryDict, *, failed: Failed | None = None):
    """A station's officers see their open tasks as cards with the actions at hand; a
    county or city user sees the open tasks of the subtree as a table, by unit."""
    user, now = request.user, timezone.now()
    scope = WarningTask.objects.for_user(user).live()
    tasks = with_deadline(scope.open()).select_related("station", "fraud_type").order_by("deadline_at", "pk")
    station_view = bool(user.unit and user.unit.is_station and not user.is_superuser)

    filter_form = None
    if not station_view:
        units = list(Unit.objects.for_user(user).exclude(level=UnitLevel.PROVINCE))
        filter_form = QueueFilterForm(params, units=units)
        if filter_form.is_valid():
            code = filter_form.cleaned_data["station"]
            if code:
                tasks = tasks.within(next(u for u in units if u.code == code))
            if filter_form.cleaned_data["overdue"]:
                tasks = tasks.filter(deadline_at__lt=now)
    else:
        tasks = tasks.prefetch_related(attempts_prefetch())

    # Both counts in one query; the paginator takes its count from it.
    counts = tasks.order_by().aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(deadline_at__lt=now)))
    paginator = Paginator(tasks, PAGE_SIZE)
    paginator.count = counts["open"]
    page = paginator.get_page(params.get("page"))
    here = here_url("warning_queue", params)
    actions = CardActions(request, here=here, targets=Targets(), failed=failed)
    context = {
        "station_view": station_view,
        "filter_form": filter_form,
        "filtering": any(v for k, v in params.items() if k != "page"),
        "page": page,
        "cards": [actions.card(task) for task in page] if station_view else [],
        "open_count": counts["open"],
        "overdue_count": counts["overdue"],
        "handled_today": scope.filter(handled_at__gte=day_start(timezone.localdate(now)))
        .select_related("station", "handled_by")
        .order_by("-handled_at")[:RECENT],
        "now": now,
        "here": here,
    }
    return render(request, "earlywarnings/queue.html", context)


# ---------------------------------------------------------------------------------------
# One task


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # transition / attempt / escalation
    title: str
    who: str
    note: str = ""
    change: str = ""  # 待签收 → 处置中


@dataclass(frozen=True)
class DeadlineFact:
    label: str
    deadline: dt.datetime
    done_at: dt.datetime | None
    verdict: str
    colour: str  # green / red / ""


def _timeline(task: WarningTask) -> list[TimelineEntry]:
    """The task's life, oldest first: its transitions, contact attempts and escalations."""
    entries = []
    for t in task.transitions.select_related("by", "to_unit"):
        status = TaskStatus(t.to_status).label
        change = f"{TaskStatus(t.from_status).label} → {status}" if t.from_status else status
        note = t.note
        if t.action == Action.ISSUE and t.to_unit:
            note = f"下发至{t.to_unit.name}"
        elif t.action == Action.RETURN and note:
            note = f"退回原因：{note}"
        elif t.action == Action.ACCEPT and note:
            note = f"审核意见：{note}"
        who = t.by.display_name if t.by else "系统"
        entries.append(TimelineEntry(t.at, "transition", t.get_action_display(), who, note, change))
    for a in task.attempts.select_related("officer"):
        who = a.officer.display_name if a.officer else "—"
        entries.append(TimelineEntry(a.at, "attempt", f"联系（{a.get_method_display()}）", who, a.note))
    for e in task.escalations.select_related("unit"):
        note = f"通知{e.unit.name}（{e.get_step_display()}）{e.notified} 人"
        entries.append(TimelineEntry(e.at, "escalation", f"{e.get_deadline_display()}超期升级", "系统", note))
    entries.sort(key=lambda entry: entry.at)
    return entries


def _deadline_facts(task: WarningTask, now: dt.datetime) -> list[DeadlineFact]:
    def fact(label, deadline, done_at, done_word):
        if done_at is not None:
            on_time = done_at <= deadline
            return DeadlineFact(label, deadline, done_at, f"{'按时' if on_time else '超时'}{done_word}",
                                "green" if on_time else "red")  # fmt: skip
        if task.is_open and deadline < now:
            return DeadlineFact(label, deadline, None, f"未{done_word}，已超期", "red")
        return DeadlineFact(label, deadline, None, f"未{done_word}" if task.is_open else "—", "")

    return [
        fact("签收", task.sign_deadline, task.acknowledged_at, "签收"),
        fact("处置", task.handle_deadline, task.handled_at, "处置"),
    ]


@login_required
@permission_required(VIEW, raise_exception=True)
def warning_detail(request, pk: int):
    return render_detail(request, pk)


def render_detail(request, pk: int, *, failed: Failed | None = None):
    user, now = request.user, timezone.now()
    tasks = WarningTask.objects.for_user(user).select_related(
        "station__parent", "fraud_type", "acknowledged_by", "handled_by", "reviewed_by", "case", "voided_by"
    )
    task = get_object_or_404(tasks.prefetch_related(attempts_prefetch()), pk=pk)
    context = {
        "task": task,
        "card": task_card(task, user=user, targets=Targets(), failed=failed),
        "timeline": _timeline(task),
        "deadlines": _deadline_facts(task, now),
        "can_view_case": user.has_perm("cases.view_fraudcase"),
        "reveal_form": RevealForm() if user.has_perm("earlywarnings.view_personal_data") else None,
        "now": now,
        "here": reverse("warning_detail", args=[task.pk]),
    }
    return render(request, "earlywarnings/task_detail.html", context)


# ---------------------------------------------------------------------------------------
# The county's review of the feedback


@login_required
@permission_required(REVIEW, raise_exception=True)
def warning_review_list(request):
    return render_review_list(request, request.GET)


def render_review_list(request, params: QueryDict, *, failed: Failed | None = None):
    """Feedback waiting for the county, oldest first; below, its open 四必查 reviews."""
    user, today = request.user, timezone.localdate()
    tasks = (
        WarningTask.objects.for_user(user).live().filter(status=TaskStatus.FEEDBACK)
        .select_related("station", "handled_by", "case").prefetch_related(attempts_prefetch())
        .order_by("handled_at", "pk")
    )  # fmt: skip
    page = Paginator(tasks, PAGE_SIZE).get_page(params.get("page"))
    here = here_url("warning_review_list", params)
    actions = CardActions(request, here=here, targets=Targets(), failed=failed)
    reviews = (
        FourChecksReview.objects.for_user(user).filter(status=ReviewStatus.OPEN).select_related("county")
        .annotate(is_overdue=ExpressionWrapper(Q(due_on__lt=today), output_field=BooleanField()))
        .order_by("due_on", "pk")
    )  # fmt: skip
    context = {
        "page": page,
        "cards": [actions.card(task) for task in page],
        "reviews": reviews,
        "now": timezone.now(),
        "here": here,
    }
    return render(request, "earlywarnings/review_list.html", context)
