"""The reviewer's home (审核员): what waits for the county now — station feedback to review
(反馈专人审), open 四必查 reviews and their due dates, and the stations' overdue backlog
(日日清零) — each a short list that links to the page where the work is done.

Importing this module registers the page as the reviewer's home.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import render
from django.utils import timezone

from earlywarnings.models import FourChecksReview, ReviewStatus, TaskStatus, WarningTask
from earlywarnings.views import backlog_for
from earlywarnings.views.backlog import Backlog, BacklogRow
from orgs.navigation import register_home
from orgs.roles import Role

OLDEST_FEEDBACK = 5  # the feedback shown; the rest is one click away
REVIEWS_SHOWN = 8
VIEW = "earlywarnings.view_warningtask"


@dataclass(frozen=True)
class WaitingFeedback:
    task: WarningTask
    waiting: dt.timedelta  # since the station handed in its feedback


@dataclass(frozen=True)
class ReviewerHome:
    feedback_count: int
    oldest_feedback: list[WaitingFeedback]
    reviews_open: int
    reviews_overdue: int
    reviews: list[FourChecksReview]  # open ones, the earliest due first; ``is_overdue`` annotated
    backlog: Backlog
    stations: list[BacklogRow]  # units with open tasks, the most overdue first

    @property
    def nothing_waiting(self) -> bool:
        return not (self.feedback_count or self.reviews_open or self.backlog.total.open)


def reviewer_home_for(user, *, now: dt.datetime | None = None) -> ReviewerHome:
    """Everything on the reviewer's home, read within the user's subtree (seven queries)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    feedback = (
        WarningTask.objects.for_user(user).live().filter(status=TaskStatus.FEEDBACK)
        .select_related("station", "handled_by").order_by("handled_at", "pk")
    )  # fmt: skip
    oldest = [WaitingFeedback(task, now - (task.handled_at or now)) for task in feedback[:OLDEST_FEEDBACK]]
    reviews = (
        FourChecksReview.objects.for_user(user).filter(status=ReviewStatus.OPEN).select_related("county")
        .annotate(is_overdue=ExpressionWrapper(Q(due_on__lt=today), output_field=BooleanField()))
        .order_by("due_on", "pk")
    )  # fmt: skip
    backlog = backlog_for(user, today, now=now)
    stations = sorted(
        (row for row in backlog.rows if row.kind in ("station", "holding") and row.open),
        key=lambda row: (-row.overdue, -row.open, row.unit.path),
    )
    return ReviewerHome(
        feedback_count=len(oldest) if len(oldest) < OLDEST_FEEDBACK else feedback.count(),
        oldest_feedback=oldest,
        reviews_open=reviews.count(),
        reviews_overdue=reviews.filter(due_on__lt=today).count(),
        reviews=list(reviews[:REVIEWS_SHOWN]),
        backlog=backlog,
        stations=stations,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def reviewer_home(request):
    home = reviewer_home_for(request.user)
    return render(request, "dashboards/reviewer_home.html", {"home": home, "unit": request.user.unit})


register_home(Role.REVIEWER, "reviewer_home")
