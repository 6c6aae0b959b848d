"""Import history: every file that came in, who sent it, what it did."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from orgs.models import ScopedQuerySet, Unit


class ImportKind(models.TextChoices):
    UNITS = "units", "单位"
    AREAS = "areas", "区域"
    CASES = "cases", "电诈案件"
    CASE_EVENTS = "case_events", "案件进展"
    WARNINGS = "warnings", "预警任务"
    PUBLICITY = "publicity", "宣传活动"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "处理中"
    APPLIED = "applied", "已导入"
    CHECKED = "checked", "检查通过（未写入）"
    REFUSED = "refused", "已拒绝"
    FAILED = "failed", "出错"


FINISHED = {ImportStatus.APPLIED, ImportStatus.CHECKED, ImportStatus.REFUSED, ImportStatus.FAILED}


class ImportJobQuerySet(ScopedQuerySet):
    scope_field = "unit"


def upload_path(job, filename: str) -> str:
    return f"imports/{timezone.localdate():%Y/%m}/{job.sha256[:16]}-{filename}"


class ImportJob(models.Model):
    """One file through the intake, from the CLI, the web page or the API.

    Scoped by the unit of the person who sent it. ``errors`` keeps the first rows that
    were refused for display; the full report is ``error_report`` (CSV).
    """

    kind = models.CharField("数据类型", max_length=16, choices=ImportKind.choices)
    file = models.FileField("文件", upload_to=upload_path, max_length=300)
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(Unit, verbose_name="导入单位", null=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField("来源", max_length=8, choices=[("web", "网页"), ("cli", "命令行"), ("api", "接口")])
    dry_run = models.BooleanField("仅检查", default=False)
    partial = models.BooleanField("跳过错误行", default=False)
    status = models.CharField("状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    message = models.TextField("说明", blank=True)
    encoding = models.CharField("编码", max_length=32, blank=True)
    rows_read = models.PositiveIntegerField("读取行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    refused = models.PositiveIntegerField("错误行", default=0)
    unknown_columns = models.JSONField("未识别的列", default=list, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    errors = models.JSONField("错误（前若干条）", default=list, blank=True)
    error_report = models.FileField("错误报告", upload_to="imports/reports/", blank=True, max_length=300)
    progress_token = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def rows_per_second(self) -> float | None:
        seconds = self.duration_seconds
        return self.rows_read / seconds if seconds else None
