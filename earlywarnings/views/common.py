"""What the early-warning pages share: a task as a card with the action forms its state and
the user's permissions allow, and where an action comes back to."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Case, F, Prefetch, Q, When
from django.db.models.functions import Least
from django.http import QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe

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
    actions: SafeString | None = None  # the forms already rendered (``CardActions``, pages of cards)

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


def last_method(task: WarningTask) -> str:
    """How the station last contacted the subject (the forms offer it again), "" before any."""
    attempts = list(task.attempts.all())
    return attempts[-1].method if attempts else ""


def task_card(task: WarningTask, *, user, targets: Targets, failed: Failed | None = None) -> TaskCard:
    can_change = user.has_perm(CHANGE) and not task.is_voided
    return _card(
        task,
        can_change=can_change,
        can_review=user.has_perm(REVIEW),
        method=last_method(task) if can_change and task.status == TaskStatus.HANDLING else "",
        targets=targets(task) if can_change and task.is_open else [],
        failed=failed,
    )


def _card(task: WarningTask, *, can_change: bool, can_review: bool, method: str, targets: list[Unit],
          failed: Failed | None = None) -> TaskCard:  # fmt: skip
    card = TaskCard(task)
    if task.is_voided:
        return card
    pk = task.pk
    if can_change and task.status == TaskStatus.PENDING:
        card.can_sign = task.station.level == UnitLevel.STATION
    if can_change and task.status == TaskStatus.HANDLING:
        card.attempt_form = AttemptForm(auto_id=task_auto_id(pk, "attempt"), initial={"method": method})
        card.handle_form = HandleForm(auto_id=task_auto_id(pk, "handle"), initial={"method": method})
    if can_change and task.is_open:
        card.transfer_form = TransferForm(auto_id=task_auto_id(pk, "transfer"), targets=targets)
    if can_review and task.status == TaskStatus.FEEDBACK:
        card.review_form = ReviewForm(auto_id=task_auto_id(pk, "review"))
    if failed is not None and failed.task_pk == pk:
        setattr(card, f"{failed.kind}_form", failed.form)
        card.opened = failed.kind
    return card


# ---------------------------------------------------------------------------------------
# The forms of a page of cards, rendered once for every card alike


@dataclass(frozen=True)
class CardFacts:
    """Everything a card's forms (``_actions.html``) depend on but the task's id, the page's
    address and the CSRF token: two tasks with the same facts get the same forms."""

    status: str
    voided: bool
    station_level: str
    station_name: str  # 任务在…待分派
    method: str  # the last contact's, the forms' initial choice
    can_change: bool
    can_review: bool
    targets: tuple[tuple[int, str, str], ...]  # (pk, name, level) of where it may be transferred


# What stands in for the task's id, the CSRF token and the page's address while the forms
# are rendered for all cards alike; each card gets its own put in their place.
STAND_IN_PK = 2718281828459045
STAND_IN_TOKEN = "\x00csrf\x00"
STAND_IN_HERE = "\x00here\x00"


@functools.lru_cache(maxsize=256)
def shared_actions(facts: CardFacts) -> str:
    """``_actions.html`` for a stand-in task with these facts. Kept per process: the facts
    are all it depends on (with the forms' code), so there is nothing to invalidate."""
    task = WarningTask(pk=STAND_IN_PK, status=facts.status, voided_at=timezone.now() if facts.voided else None,
                       station=Unit(level=facts.station_level, name=facts.station_name))  # fmt: skip
    card = _card(
        task,
        can_change=facts.can_change,
        can_review=facts.can_review,
        method=facts.method,
        targets=[Unit(pk=pk, name=name, level=level) for pk, name, level in facts.targets],
    )
    return render_to_string("earlywarnings/_actions.html", {"card": card, "here": STAND_IN_HERE,
                                                           "csrf_token": STAND_IN_TOKEN})  # fmt: skip


class CardActions:
    """The action forms of a page of cards (``_actions.html``), rendered once for all the
    cards alike.

    Building and rendering each card's forms was most of a queue page's time (≈3 ms a card
    in the state 处置中), yet the cards of one station in one state differ in nothing but
    the task's id, and the method of the last contact that the forms offer again
    (``CardFacts``). So the forms are rendered once per kind of card for a stand-in task
    (``shared_actions``, kept per process), and each card gets the rendering with its own id,
    the page's address and the CSRF token put in. A card whose form was refused is rendered
    on its own: it shows what was typed and the errors."""

    def __init__(self, request, *, here: str, targets: Targets, failed: Failed | None = None):
        self.request, self.here, self.targets, self.failed = request, here, targets, failed
        self.can_change, self.can_review = request.user.has_perm(CHANGE), request.user.has_perm(REVIEW)
        self.token = get_token(request)
        if settings.DEBUG:  # templates edited while the server runs show at once
            shared_actions.cache_clear()

    def card(self, task: WarningTask) -> TaskCard:
        facts = self.facts(task)
        if (self.failed is not None and self.failed.task_pk == task.pk) or str(STAND_IN_PK) in repr(facts):
            card = task_card(task, user=self.request.user, targets=self.targets, failed=self.failed)
            context = {"card": card, "here": self.here, "csrf_token": self.token}
            card.actions = render_to_string("earlywarnings/_actions.html", context)
            return card
        # The id first: nothing put in afterwards can be mistaken for the stand-in's.
        html = (
            shared_actions(facts)
            .replace(str(STAND_IN_PK), str(task.pk))
            .replace(STAND_IN_TOKEN, self.token)
            .replace(STAND_IN_HERE, conditional_escape(self.here))
        )
        return TaskCard(task, actions=mark_safe(html))

    def facts(self, task: WarningTask) -> CardFacts:
        can_change = self.can_change and not task.is_voided
        open_ = can_change and task.is_open
        return CardFacts(
            status=task.status,
            voided=task.is_voided,
            station_level=task.station.level,
            station_name=task.station.name,
            method=last_method(task) if can_change and task.status == TaskStatus.HANDLING else "",
            can_change=self.can_change,
            can_review=self.can_review,
            targets=tuple((u.pk, u.name, u.level) for u in self.targets(task)) if open_ else (),
        )


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
