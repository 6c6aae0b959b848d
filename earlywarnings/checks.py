"""四必查: reviews opened automatically by a failed dissuasion, a large case, or many cases
in one community or at one place — and closed by the county with a conclusion.

``open_four_checks`` runs every ten minutes and after every applied import of cases.
Each trigger opens one review, whatever the number of runs (``trigger_key`` is unique):

- 劝阻失效 ``dissuasion_failed:task:<id>`` — a task handled with the outcome 已被骗;
  ``dissuasion_failed:case:<id>`` — a live filed case marked 预警后被骗 that no such task
  covers (the warning came from elsewhere, or the case was imported).
- 大额警情 ``large_case:case:<id>`` — a live case with a loss of at least
  ``FOUR_CHECKS_LARGE_LOSS`` yuan.
- 社区多发 ``community_cluster:area:<id>:<date>`` — at least ``FOUR_CHECKS_CLUSTER_MIN``
  live cases in one community or village reported within the last
  ``FOUR_CHECKS_WINDOW_DAYS`` days (today included); ``<date>`` is the day the area
  crossed. No new review for an area while one opened less than a window ago exists:
  a community still above the threshold a window later gets a new review then.
- 部位多发 ``place_cluster:county:<id>:<place digest>:<date>`` — the same for one
  ``place`` (发案部位, non-empty) within one county.

Single-case triggers only look back ``FOUR_CHECKS_SCAN_DAYS`` days (by report date, or
by handling time for tasks): the first scan after loading years of history opens reviews
for recent cases only, never for hundreds of long-closed ones — while a case reported
this week and imported today opens its review at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cases.models import FraudCase
from earlywarnings.models import CheckKind, FourChecksReview, Outcome, ReviewStatus, TaskStatus, WarningTask
from earlywarnings.services import WarningError
from orgs.models import Area, AreaKind, Unit, UnitLevel, User
from orgs.notifications import notify
from orgs.roles import Role


@transaction.atomic
def review_conclude(*, review: FourChecksReview, user, conclusion: str) -> FourChecksReview:
    """Close a review with its written conclusion (核查结论)."""
    if not conclusion.strip():
        raise WarningError("请填写核查结论。", field="conclusion")
    review = FourChecksReview.objects.select_for_update().get(pk=review.pk)
    if review.status == ReviewStatus.CLOSED:
        raise WarningError("该核查已有结论。")
    review.status, review.conclusion = ReviewStatus.CLOSED, conclusion.strip()
    review.closed_at, review.closed_by = timezone.now(), user
    review._history_user = user
    review.save()
    return review


@dataclass
class Trigger:
    """What would open one review: its key, its county and what it links to."""

    kind: str
    key: str
    county: Unit
    title: str
    task: WarningTask | None = None
    case: FraudCase | None = None
    area_id: int | None = None
    place: str = ""
    case_ids: list[int] = field(default_factory=list)


def open_four_checks(now: dt.datetime | None = None) -> int:
    """Open the review of every trigger that has none yet and tell the county's
    reviewers; returns how many were opened. A few queries to find the triggers, then a
    handful per new review only."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    triggers = [
        *_dissuasion_failures(now - dt.timedelta(days=settings.FOUR_CHECKS_SCAN_DAYS)),
        *_large_cases(today - dt.timedelta(days=settings.FOUR_CHECKS_SCAN_DAYS)),
        *_community_clusters(now, today),
        *_place_clusters(now, today),
    ]
    known = set(
        FourChecksReview.objects.filter(trigger_key__in=[t.key for t in triggers]).values_list("trigger_key", flat=True)
    )
    triggers = [t for t in triggers if t.key not in known]
    if not triggers:
        return 0
    reviewers = defaultdict(list)
    for user in User.objects.filter(
        is_active=True, role=Role.REVIEWER, unit__in={t.county.pk for t in triggers}
    ).order_by("pk"):
        reviewers[user.unit_id].append(user)
    due_on = today + dt.timedelta(days=settings.FOUR_CHECKS_DUE_DAYS)
    return sum(_open(trigger, due_on=due_on, reviewers=reviewers[trigger.county.pk]) for trigger in triggers)


@transaction.atomic
def _open(trigger: Trigger, *, due_on: dt.date, reviewers: list[User]) -> bool:
    review, created = FourChecksReview.objects.get_or_create(
        trigger_key=trigger.key,
        defaults={
            "kind": trigger.kind, "county": trigger.county, "title": trigger.title[:200], "due_on": due_on,
            "task": trigger.task, "case": trigger.case, "area_id": trigger.area_id, "place": trigger.place,
        },
    )  # fmt: skip
    if not created:
        return False  # another run opened it a moment ago
    if trigger.case_ids:
        review.cases.set(trigger.case_ids)
    notify(
        users=reviewers,
        key=f"review:{review.pk}",
        title=f"新的四必查核查：{review.title}",
        body=f"请于 {due_on:%Y-%m-%d} 前完成核查并填写结论。",
        url=review_url(review.pk),
    )
    return True


def review_url(review_id: int) -> str:
    try:
        return reverse("review_detail", args=[review_id])
    except NoReverseMatch:  # the review pages are not installed
        return f"/warnings/checks/{review_id}/"


def county_of(unit: Unit) -> Unit:
    """The county a record belongs to: its station's parent (or the unit itself)."""
    if unit.level == UnitLevel.STATION and unit.parent is not None:
        return unit.parent
    return unit


def wan(amount: Decimal | None) -> str:
    return f"{(amount or Decimal(0)) / 10000:,.2f}万元"


def _dissuasion_failures(since: dt.datetime) -> list[Trigger]:
    tasks = (
        WarningTask.objects.live()
        .filter(outcome=Outcome.DEFRAUDED, status__in=(TaskStatus.FEEDBACK, TaskStatus.CLOSED), handled_at__gte=since)
        .select_related("station__parent", "case")
    )
    triggers = [
        Trigger(
            kind=CheckKind.DISSUASION_FAILED,
            key=f"dissuasion_failed:task:{task.pk}",
            county=county_of(task.station),
            # An imported 已被骗 row carries no loss: say nothing rather than "0.00万元".
            title=f"劝阻失效：预警{task.task_no}（已被骗{wan(task.loss) if task.loss else ''}，{task.station.name}）",
            task=task,
            case=task.case,
            case_ids=[task.case_id] if task.case_id else [],
        )
        for task in tasks
    ]
    # A case marked 预警后被骗 that no defrauded task covers (the warning came from another
    # system, or the case was imported): the case itself is the trigger.
    covered = WarningTask.objects.live().filter(case=OuterRef("pk"), outcome=Outcome.DEFRAUDED)
    cases = (
        FraudCase.objects.live()
        .filter(filed=True, warned_before=True, reported_on__gte=timezone.localdate(since))
        .exclude(Exists(covered))
        .select_related("station__parent")
    )
    triggers += [
        Trigger(
            kind=CheckKind.DISSUASION_FAILED,
            key=f"dissuasion_failed:case:{case.pk}",
            county=county_of(case.station),
            title=f"劝阻失效：{case.case_no}（预警后被骗，{wan(case.loss)}，{case.station.name}）",
            case=case,
            case_ids=[case.pk],
        )
        for case in cases
    ]
    return triggers


def _large_cases(since: dt.date) -> list[Trigger]:
    cases = (
        FraudCase.objects.live()
        .filter(loss__gte=settings.FOUR_CHECKS_LARGE_LOSS, reported_on__gte=since)
        .select_related("station__parent")
    )
    return [
        Trigger(
            kind=CheckKind.LARGE_CASE,
            key=f"large_case:case:{case.pk}",
            county=county_of(case.station),
            title=f"大额警情：{case.case_no}（{wan(case.loss)}，{case.station.name}）",
            case=case,
            case_ids=[case.pk],
        )
        for case in cases
    ]


def _window(today: dt.date):
    """Live cases reported within the cluster window, today included."""
    start = today - dt.timedelta(days=settings.FOUR_CHECKS_WINDOW_DAYS - 1)
    return FraudCase.objects.live().filter(reported_on__gte=start, reported_on__lte=today)


def _community_clusters(now: dt.datetime, today: dt.date) -> list[Trigger]:
    cases = _window(today).filter(area__kind__in=(AreaKind.COMMUNITY, AreaKind.VILLAGE))
    hot = dict(cases.values_list("area_id").annotate(n=Count("pk")).filter(n__gte=settings.FOUR_CHECKS_CLUSTER_MIN))
    recent = FourChecksReview.objects.filter(
        kind=CheckKind.COMMUNITY_CLUSTER, area_id__in=hot, opened_at__gt=now - _window_length()
    ).values_list("area_id", flat=True)
    for area_id in recent:
        hot.pop(area_id, None)
    if not hot:
        return []
    members = defaultdict(list)
    for area_id, case_id in cases.filter(area_id__in=hot).values_list("area_id", "pk").order_by("pk"):
        members[area_id].append(case_id)
    days = settings.FOUR_CHECKS_WINDOW_DAYS
    triggers = []
    for area in Area.objects.filter(pk__in=hot).select_related("station__parent"):
        triggers.append(
            Trigger(
                kind=CheckKind.COMMUNITY_CLUSTER,
                key=f"community_cluster:area:{area.pk}:{today.isoformat()}",
                county=county_of(area.station),
                title=f"社区多发：{area.name}（近{days}天{hot[area.pk]}起，{area.station.name}）",
                area_id=area.pk,
                case_ids=members[area.pk],
            )
        )
    return triggers


def _place_clusters(now: dt.datetime, today: dt.date) -> list[Trigger]:
    cases = _window(today).exclude(place="")
    hot = {
        (county_id, place): n
        for county_id, place, n in cases.values_list("station__parent_id", "place")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.FOUR_CHECKS_CLUSTER_MIN)
        if county_id is not None
    }
    if not hot:
        return []
    recent = FourChecksReview.objects.filter(
        kind=CheckKind.PLACE_CLUSTER, county_id__in={c for c, _ in hot}, place__in={p for _, p in hot},
        opened_at__gt=now - _window_length(),
    ).values_list("county_id", "place")  # fmt: skip
    for pair in recent:
        hot.pop(pair, None)
    if not hot:
        return []
    members = defaultdict(list)
    rows = cases.filter(station__parent_id__in={c for c, _ in hot}, place__in={p for _, p in hot})
    for county_id, place, case_id in rows.values_list("station__parent_id", "place", "pk").order_by("pk"):
        if (county_id, place) in hot:
            members[county_id, place].append(case_id)
    counties = Unit.objects.in_bulk({c for c, _ in hot})
    days = settings.FOUR_CHECKS_WINDOW_DAYS
    return [
        Trigger(
            kind=CheckKind.PLACE_CLUSTER,
            key=f"place_cluster:county:{county_id}:{_digest(place)}:{today.isoformat()}",
            county=counties[county_id],
            title=f"部位多发：{place[:60]}（近{days}天{n}起，{counties[county_id].name}）",
            place=place,
            case_ids=members[county_id, place],
        )
        for (county_id, place), n in hot.items()
    ]


def _window_length() -> dt.timedelta:
    return dt.timedelta(days=settings.FOUR_CHECKS_WINDOW_DAYS)


def _digest(place: str) -> str:
    """A short fixed-length stand-in for a place name in the 120-character trigger key."""
    return hashlib.sha256(place.encode()).hexdigest()[:16]
