"""Bulletins (通报): issued documents, each a frozen snapshot of the figures.

A ``Bulletin`` is one revision of one unit's bulletin of one kind over one period. Its
``payload`` (``bulletins.payload.build_payload``) is the whole document; renderers read only
it and the issue fields, so an issued bulletin downloads the same forever (its files are
rendered on first download and kept in ``BulletinFile``).

Life of a bulletin: drafted (by the schedule or an analyst) → issued (numbered 第N期 per
unit, kind and the period's year; frozen) → superseded when a corrected revision is issued
in its place. A draft that could not be built is kept as ``failed`` with its error, so the
archive shows it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from orgs.models import ScopedQuerySet, Unit


class BulletinKind(models.TextChoices):
    DAY = "day", "日通报"
    WEEK = "week", "周研判"
    XUN = "xun", "旬调度"
    MONTH = "month", "月通报"
    QUARTER = "quarter", "季总结"
    YEAR = "year", "年度总结"


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已签发"
    SUPERSEDED = "superseded", "已被更正版替代"
    FAILED = "failed", "生成失败"


class BulletinFormat(models.TextChoices):
    DOCX = "docx", "Word"
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"


class BulletinQuerySet(ScopedQuerySet):
    def live(self):
        """What a reader looks for: issued bulletins, the current revision of each."""
        return self.filter(status=BulletinStatus.ISSUED)


class Bulletin(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="bulletins", verbose_name="单位")
    kind = models.CharField("类别", max_length=8, choices=BulletinKind.choices)
    period_start = models.DateField("期间起")
    period_end = models.DateField("期间止")
    period_label = models.CharField("期间", max_length=40)
    year = models.PositiveSmallIntegerField("年度", editable=False, help_text="期号按期间所在年计")
    revision = models.PositiveSmallIntegerField("版次", default=1)
    number = models.PositiveIntegerField(
        "期号", null=True, blank=True, help_text="签发时编号：每单位、每类别、每年（按期间所在年）从第1期起"
    )
    status = models.CharField("状态", max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT)
    payload = models.JSONField("内容", null=True, blank=True, editable=False)
    error = models.TextField("生成失败原因", blank=True, editable=False)
    drafted_at = models.DateTimeField("起草时间")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="起草人", help_text="空：定时任务起草",
    )  # fmt: skip
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="签发人",
    )  # fmt: skip
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by",
        verbose_name="更正的版本",
    )  # fmt: skip
    correction_note = models.TextField("更正说明", blank=True)
    changes = models.JSONField("更正的数字", default=list, blank=True, editable=False)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        ordering = ["-period_start", "kind", "unit__code", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "period_start", "revision"], name="bulletin_one_revision"),
            models.UniqueConstraint(
                fields=["unit", "kind", "year", "number", "revision"],
                condition=Q(number__isnull=False),
                name="bulletin_number_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "kind", "-period_start"], name="bulletin_archive")]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.period_label}{self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        self.year = self.period_start.year  # the year 第N期 counts in: the period's
        super().save(*args, **kwargs)

    @property
    def number_label(self) -> str:
        if self.number is None:
            return "草稿（签发时编号）"
        return f"{self.year}年第{self.number}期"

    @property
    def is_frozen(self) -> bool:
        return self.status in (BulletinStatus.ISSUED, BulletinStatus.SUPERSEDED)


class BulletinFile(models.Model):
    """A frozen bulletin rendered once, on its first download: the bytes everyone gets."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=4, choices=BulletinFormat.choices)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "通报文件"
        verbose_name_plural = "通报文件"
        constraints = [models.UniqueConstraint(fields=["bulletin", "format"], name="bulletin_file_once")]

    def __str__(self) -> str:
        return f"{self.bulletin} ({self.format})"


class DownloadQuerySet(ScopedQuerySet):
    scope_field = "bulletin__unit"


class BulletinDownload(models.Model):
    """Who downloaded which bulletin, in what format, when (下载记录)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="downloads", verbose_name="通报")
    format = models.CharField("格式", max_length=4, choices=BulletinFormat.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="下载人"
    )
    at = models.DateTimeField("下载时间", auto_now_add=True, db_index=True)
    via = models.CharField("途径", max_length=8, default="web")

    objects = DownloadQuerySet.as_manager()

    class Meta:
        verbose_name = "通报下载记录"
        verbose_name_plural = "通报下载记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.bulletin} ({self.format})"
