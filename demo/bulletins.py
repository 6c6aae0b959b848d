"""The demo's bulletin history: the month before last issued for the city and its counties
(drafted on the 1st of last month, issued by the city's analyst on the 2nd), so a leader's
home has a bulletin to download at once. Last month's drafts are left to the schedule
(``run_schedule`` drafts them when the demo starts) and to the analyst to issue."""

import datetime as dt

from django.utils import timezone

from bulletins.models import BulletinStatus
from bulletins.services import draft, issue
from orgs.models import Unit, UnitLevel, User
from orgs.roles import Role


def demo_bulletins_seed(today: dt.date) -> int:
    """Issue the month before last's bulletins that are not issued yet; how many were."""
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    month = (last_month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    drafted_at = timezone.make_aware(dt.datetime.combine(last_month.replace(day=1), dt.time(1, 30)))
    issued_at = timezone.make_aware(dt.datetime.combine(last_month.replace(day=2), dt.time(10, 30)))
    analyst = User.objects.filter(role=Role.ANALYST, unit__level=UnitLevel.CITY).order_by("username").first()
    issued = 0
    for unit in Unit.objects.filter(level__in=(UnitLevel.CITY, UnitLevel.COUNTY)).order_by("path"):
        bulletin, _ = draft(unit, "month", month, now=drafted_at)
        if bulletin.status == BulletinStatus.DRAFT and bulletin.revision == 1:
            issue(bulletin, user=analyst, now=issued_at)
            issued += 1
    return issued
