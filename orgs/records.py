"""What every record (case, event, warning task, publicity activity) has in common.

Records are never hard-deleted: they are voided, with who and why, and drop out of every
count. ``updated_at`` is indexed: the statistics refresh reads what changed since its
watermark instead of listening to signals, so imports, the admin, the API and services
all reach the dashboards by the same road.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from orgs.errors import DomainError
from orgs.models import ScopedQuerySet


class RecordQuerySet(ScopedQuerySet):
    def live(self) -> RecordQuerySet:
        return self.filter(voided_at__isnull=True)

    def voided(self) -> RecordQuerySet:
        return self.filter(voided_at__isnull=False)


class _AllButId:
    """Every field name but ``id`` (``no_db_index`` asks ``name in …``)."""

    def __contains__(self, name: str) -> bool:
        return name != "id"


def record_history(**options) -> HistoricalRecords:
    """The audit trail of a record kept by the million (cases, events, warning tasks,
    publicity). It is read one record at a time (``id``) in time order, so the history
    table keeps no copy of the record's own indexes: simple-history copies each one, and
    every import of millions of rows would maintain them all twice."""
    return HistoricalRecords(no_db_index=_AllButId(), **options)


class Record(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(  # unindexed: accounts are deactivated, never deleted
        settings.AUTH_USER_MODEL,
        verbose_name="作废人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
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


@transaction.atomic
def record_void(record: Record, *, user, reason: str, error: type[DomainError] = DomainError, what: str = "记录"):
    """Void a record, with who and why: the one way a record leaves every count.

    The row is locked first, so two people voiding at once void it once. ``error`` is
    the app's DomainError subclass; ``what`` names the record in its message (该案件…)."""
    if not reason.strip():
        raise error("请填写作废原因。", field="reason")
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if record.is_voided:
        raise error(f"该{what}已经作废。")
    record.mark_voided(user=user, reason=reason.strip())
    record._history_user = user
    record.save()
    return record
