"""What the early-warning pages share: a task as a card with the action forms its state and
the user's permissions allow, and where an action comes back to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db.models import Case, F, Prefetch, Q, When
from django.db.models.functions import Least
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from earlywarnings import services
from earlywarnings.forms import AttemptForm, HandleForm, ReviewForm, TransferForm, task_auto_id
from earlywarnings.models import ContactAttempt, TaskStatus, WarningTask
from orgs.models import Unit, UnitLevel

VIEW = "earlywarnings.view_warningtask"
CHANGE = "earlywarnings.change_warningtask"
REVIEW = "earlywarnings.review_warningtask"
VIEW_CHECKS = "earlywarnings.view_fourchecksreview"
CHANGE_CHECKS = "earlywarnings.change_fourchecksreview"
RECENT = 20  # tasks in "handled today"


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def with_deadline(tasks, *, at: dt.datetime | None = None):
    """Annotate ``deadline_at``: the deadline a task is worked against (the model's
    ``current_deadline()``), now or — for the backlog of a past day — at ``at``, when a
    task not yet signed for then was still against its sign deadline."""
    if at is None:
        pending = Q(status=TaskStatus.PENDING)
    else:
        pending = Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gt=at)
    return tasks.annotate(
        deadline_at=Case(When(pending, then=Least("sign_deadline", "handle_deadline")), default=F("handle_deadline"))
    )


def attempts_prefetch() -> Prefetch:
    return Prefetch("attempts", queryset=ContactAttempt.objects.select_related("officer"))


# ---------------------------------------------------------------------------------------
# A task and the forms that act on it


@dataclass
class Failed:
    """A form the service refused, to show again on its task."""

    task_pk: int
    kind: str  # attempt / handle / transfer / review
    form: forms.Form


@dataclass
class TaskCard:
    """A task with the action forms its state and the user's permissions allow."""

    task: WarningTask
    can_sign: bool = False
    attempt_form: AttemptForm | None = None
    handle_form: HandleForm | None = None
    transfer_form: TransferForm | None = None
    review_form: ReviewForm | None = None
    opened: str = ""  # the <details> shown open: the form that failed

    @property
    def can_act(self) -> bool:
        return bool(self.can_sign or self.attempt_form or self.handle_form or self.transfer_form or self.review_form)


class Targets:
    """Where tasks may be transferred, read once per station of the page."""

    def __init__(self):
        self._by_station: dict[int, list[Unit]] = {}

    def __call__(self, task: WarningTask) -> list[Unit]:
        if task.station_id not in self._by_station:
            units = services.transfer_targets(task).exclude(pk=task.station_id)
            # The stations first; 退回县局 last.
            self._by_station[task.station_id] = sorted(units, key=lambda u: (not u.is_station, u.path))
        return self._by_station[task.station_id]


def task_card(task: WarningTask, *, user, targets: Targets, failed: Failed | None = None) -> TaskCard:
    card = TaskCard(task)
    if task.is_voided:
        return card
    pk, can_change = task.pk, user.has_perm(CHANGE)
    if can_change and task.status == TaskStatus.PENDING:
        card.can_sign = task.station.level == UnitLevel.STATION
    if can_change and task.status == TaskStatus.HANDLING:
        attempts = list(task.attempts.all())
        last_method = attempts[-1].method if attempts else ""
        card.attempt_form = AttemptForm(auto_id=task_auto_id(pk, "attempt"), initial={"method": last_method})
        card.handle_form = HandleForm(auto_id=task_auto_id(pk, "handle"), initial={"method": last_method})
    if can_change and task.is_open:
        card.transfer_form = TransferForm(auto_id=task_auto_id(pk, "transfer"), targets=targets(task))
    if user.has_perm(REVIEW) and task.status == TaskStatus.FEEDBACK:
        card.review_form = ReviewForm(auto_id=task_auto_id(pk, "review"))
    if failed is not None and failed.task_pk == pk:
        setattr(card, f"{failed.kind}_form", failed.form)
        card.opened = failed.kind
    return card


def here_url(url_name: str, params: QueryDict) -> str:
    """The page's own address, where its forms come back to (also when it is shown
    again by an action whose form failed)."""
    query = params.urlencode()
    return reverse(url_name) + (f"?{query}" if query else "")


def task_for(request, pk: int) -> WarningTask:
    tasks = WarningTask.objects.for_user(request.user).select_related("station__parent")
    return get_object_or_404(tasks, pk=pk)


def back_url(request) -> str:
    """The page an action came from (``next``, a path on this site), else the queue."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("warning_queue")


def page_of(url: str) -> str | None:
    """The URL name of a path on this site (with or without its query string)."""
    try:
        return resolve(url.partition("?")[0]).url_name
    except Resolver404:
        return None


def done(request, task: WarningTask, message: str):
    messages.success(request, message)
    return redirect(f"{back_url(request)}#task-{task.pk}")
