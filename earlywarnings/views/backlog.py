"""The backlog (日日清零): each unit's open and overdue tasks, and the day's handling."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, F, Min, Q
from django.shortcuts import render
from django.utils import timezone

from earlywarnings.forms import BacklogForm
from earlywarnings.models import WarningTask
from earlywarnings.views.common import VIEW, day_start, with_deadline
from orgs.models import Unit, UnitLevel


@dataclass
class BacklogRow:
    """One unit's backlog: open tasks and how long the overdue ones have waited at
    ``at``, and the day's handling. ``kind``: station, holding (a county's own tasks,
    waiting to be re-dispatched), group (a county's subtotal) or total."""

    unit: Unit | None
    at: dt.datetime
    kind: str = "station"
    open: int = 0
    overdue: int = 0
    under_1h: int = 0
    under_24h: int = 0
    over_24h: int = 0
    oldest: dt.datetime | None = None  # the earliest missed deadline
    handled: int = 0
    on_time: int = 0

    COUNTS = ("open", "overdue", "under_1h", "under_24h", "over_24h", "handled", "on_time")

    def add(self, other: BacklogRow) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.oldest is not None and (self.oldest is None or other.oldest < self.oldest):
            self.oldest = other.oldest

    @property
    def oldest_overdue(self) -> dt.timedelta | None:
        return self.at - self.oldest if self.oldest else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.handled if self.handled else None


@dataclass
class Backlog:
    day: dt.date
    at: dt.datetime
    rows: list[BacklogRow]
    total: BacklogRow
    grouped: bool = field(default=False)


def backlog_for(user, day: dt.date, now: dt.datetime | None = None) -> Backlog:
    """Each unit's backlog at the end of ``day`` (now, for today), in two queries: the
    units, and one aggregate over the tasks grouped by unit.

    For a past day the state then is read from the task's times: open if issued by then
    and not handled by then, still to be signed if not signed by then. A task is counted
    where it sits now, and one returned by the county counts as open since it was issued.
    """
    now = now or timezone.now()
    start = day_start(day)
    at = min(start + dt.timedelta(days=1), now)
    open_then = Q(issued_at__lte=at) & (Q(handled_at__isnull=True) | Q(handled_at__gt=at))
    overdue = open_then & Q(deadline_at__lt=at)
    handled = Q(handled_at__gte=start, handled_at__lt=start + dt.timedelta(days=1))
    hour, day_span = at - dt.timedelta(hours=1), at - dt.timedelta(hours=24)
    tasks = with_deadline(
        WarningTask.objects.for_user(user).live().filter(Q(handled_at__isnull=True) | Q(handled_at__gte=start)),
        at=at,
    )
    figures = {
        row.pop("station"): row
        for row in tasks.values("station")
        .annotate(
            open=Count("pk", filter=open_then),
            overdue=Count("pk", filter=overdue),
            under_1h=Count("pk", filter=overdue & Q(deadline_at__gte=hour)),
            under_24h=Count("pk", filter=overdue & Q(deadline_at__lt=hour, deadline_at__gte=day_span)),
            over_24h=Count("pk", filter=overdue & Q(deadline_at__lt=day_span)),
            oldest=Min("deadline_at", filter=overdue),
            handled=Count("pk", filter=handled),
            on_time=Count("pk", filter=handled & Q(handled_at__lte=F("handle_deadline"))),
        )
        .order_by()
    }
    units = list(Unit.objects.for_user(user).order_by("path"))
    grouped = sum(unit.level == UnitLevel.COUNTY for unit in units) > 1
    rows, groups, total = [], [], BacklogRow(None, at, kind="total")
    for unit in units:
        if grouped and unit.level == UnitLevel.COUNTY:
            groups.append(BacklogRow(unit, at, kind="group"))
            rows.append(groups[-1])
        if unit.is_station or unit.pk in figures:
            row = BacklogRow(unit, at, kind="station" if unit.is_station else "holding", **figures.get(unit.pk, {}))
            rows.append(row)
            total.add(row)
            for group in groups:
                if unit.path.startswith(group.unit.path):
                    group.add(row)
    return Backlog(day=day, at=at, rows=rows, total=total, grouped=grouped)


@login_required
@permission_required(VIEW, raise_exception=True)
def warning_backlog(request):
    form = BacklogForm(request.GET or None, initial={"date": timezone.localdate()})
    day = form.cleaned_data["date"] if form.is_valid() else timezone.localdate()
    backlog = backlog_for(request.user, day)
    context = {"form": form, "backlog": backlog, "is_today": day == timezone.localdate(), "now": timezone.now()}
    return render(request, "earlywarnings/backlog.html", context)
