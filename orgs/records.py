"""What every record (case, event, warning task, publicity activity) has in common.

Records are never hard-deleted: they are voided, with who and why, and drop out of every
count. ``updated_at`` is indexed: the statistics refresh reads what changed since its
watermark instead of listening to signals, so imports, the admin, the API and services
all reach the dashboards by the same road.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from orgs.models import ScopedQuerySet


class RecordQuerySet(ScopedQuerySet):
    def live(self) -> RecordQuerySet:
        return self.filter(voided_at__isnull=True)

    def voided(self) -> RecordQuerySet:
        return self.filter(voided_at__isnull=False)


class Record(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作废人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    void_reason = models.CharField("作废原因", max_length=200, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    def mark_voided(self, *, user, reason: str) -> None:
        """Set the void fields (the caller saves, inside its service)."""
        self.voided_at = timezone.now()
        self.voided_by = user
        self.void_reason = reason
