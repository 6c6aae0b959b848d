"""Writes to publicity activities."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from orgs.errors import DomainError
from orgs.records import record_void
from publicity.models import PublicityActivity


class PublicityError(DomainError):
    pass


def _check(activity: PublicityActivity) -> None:
    if activity.held_on and activity.held_on > timezone.localdate():
        raise PublicityError("活动日期不能晚于今天。", field="held_on")
    duplicate = PublicityActivity.objects.filter(
        held_on=activity.held_on, unit=activity.unit, title=activity.title, activity_no__isnull=True
    ).exclude(pk=activity.pk)
    if not activity.activity_no and duplicate.exists():
        raise PublicityError("同一单位同一天已登记过同名活动。", field="title")
    if activity.activity_no:
        taken = PublicityActivity.objects.filter(activity_no=activity.activity_no).exclude(pk=activity.pk)
        if taken.exists():
            raise PublicityError(f"活动编号“{activity.activity_no}”已存在。", field="activity_no")


@transaction.atomic
def publicity_create(*, user, **fields) -> PublicityActivity:
    fields["activity_no"] = fields.get("activity_no") or None
    activity = PublicityActivity(**fields)
    _check(activity)
    activity._history_user = user
    activity.save()
    return activity


@transaction.atomic
def publicity_update(*, activity: PublicityActivity, user, **fields) -> PublicityActivity:
    activity = PublicityActivity.objects.select_for_update().get(pk=activity.pk)
    if activity.is_voided:
        raise PublicityError("该活动已作废，不能修改。")
    if "activity_no" in fields:
        fields["activity_no"] = fields["activity_no"] or None
    for name, value in fields.items():
        setattr(activity, name, value)
    _check(activity)
    activity._history_user = user
    activity.save()
    return activity


def publicity_void(*, activity: PublicityActivity, user, reason: str) -> PublicityActivity:
    return record_void(activity, user=user, reason=reason, error=PublicityError, what="活动")
