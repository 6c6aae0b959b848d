"""Early-warning tasks (预警劝阻): pushed down from the national / provincial platform or a
bank's fund alert, signed for by a station, worked (calls, texts, visits), handled with an
outcome, reviewed by the county — and the 四必查 reviews the work opens.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases.models import MONEY, FraudCase, FraudType
from earlywarnings.validators import validate_id_number, validate_mainland_phone
from orgs.models import Area, ScopedQuerySet, Unit
from orgs.records import Record, RecordQuerySet, record_history


def _done_by(verbose_name: str, *, blank: bool = True, db_index: bool = True,
             db_constraint: bool = True) -> models.ForeignKey:  # fmt: skip
    """Who signed, handled, reviewed or logged something: kept if the account goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=db_index,
        db_constraint=db_constraint,
    )


class RiskLevel(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class WarningKind(models.TextChoices):
    PHONE = "phone", "电话预警"
    FUND = "fund", "资金预警"
    SMS = "sms", "短信预警"
    APP = "app", "APP预警"
    URL = "url", "网址预警"
    OTHER = "other", "其他"


class WarningSource(models.TextChoices):
    NATIONAL = "national", "国家"
    PROVINCE = "province", "省"
    CITY = "city", "市"
    BANK = "bank", "银行"


class TaskStatus(models.TextChoices):
    PENDING = "pending", "待签收"
    HANDLING = "handling", "处置中"
    FEEDBACK = "feedback", "已反馈"
    CLOSED = "closed", "已办结"


OPEN_STATUSES = (TaskStatus.PENDING, TaskStatus.HANDLING)


class Outcome(models.TextChoices):
    DISSUADED = "dissuaded", "劝阻成功"
    DEFRAUDED = "defrauded", "已被骗"
    UNREACHABLE = "unreachable", "无法联系"
    NOT_OURS = "not_ours", "非本辖区"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "电话"
    SMS = "sms", "短信"
    VISIT = "visit", "见面"


class DeadlinePolicy(models.Model):
    """How long a station has to sign for and to handle a task of one risk level.
    Editable in the admin; a task keeps the deadlines it was issued with."""

    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices, unique=True)
    sign_minutes = models.PositiveIntegerField("签收时限（分钟）", validators=[MinValueValidator(1)])
    handle_minutes = models.PositiveIntegerField("处置时限（分钟）", validators=[MinValueValidator(1)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = "处置时限"
        verbose_name_plural = "处置时限"
        ordering = ["sign_minutes"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}风险：{self.sign_minutes} 分钟签收，{self.handle_minutes} 分钟处置"


class WarningTaskQuerySet(RecordQuerySet):
    scope_field = "station"

    def open(self) -> WarningTaskQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, at: dt.datetime | None = None) -> WarningTaskQuerySet:
        """Open past a deadline at ``at``: not signed in time, or not handled in time."""
        at = at or timezone.now()
        return self.open().filter(Q(status=TaskStatus.PENDING, sign_deadline__lt=at) | Q(handle_deadline__lt=at))


class WarningTask(Record):
    """One person probably being defrauded right now, and the station's work on it.

    ``station`` is where the task sits now: a station, or a county that took it back to
    re-dispatch. ``sign_deadline`` and ``handle_deadline`` are fixed when it is issued.
    Personal data (subject name, phone, ID number) is validated and never logged.
    """

    task_no = models.CharField("预警编号", max_length=64, unique=True)
    issued_at = models.DateTimeField("下发时间", db_index=True)
    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices)
    kind = models.CharField("预警类型", max_length=8, choices=WarningKind.choices, blank=True)
    source = models.CharField("预警来源", max_length=10, choices=WarningSource.choices, blank=True)
    # Indexes lead with the station (Meta): a station's column alone, or a deadline or time
    # alone, would only be more to maintain on every write of ten million tasks.
    station = models.ForeignKey(
        Unit, verbose_name="处置单位", on_delete=models.PROTECT, related_name="warning_tasks", db_index=False
    )
    subject_name = models.CharField("预警对象", max_length=50, blank=True)
    subject_phone = models.CharField("对象手机号", max_length=20, blank=True, validators=[validate_mainland_phone])
    subject_id_no = models.CharField("对象身份证号", max_length=18, blank=True, validators=[validate_id_number])
    fraud_type = models.ForeignKey(
        FraudType, verbose_name="涉诈类型", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=10, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    sign_deadline = models.DateTimeField("签收时限")
    handle_deadline = models.DateTimeField("处置时限")
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = _done_by("签收人", db_index=False)
    handled_at = models.DateTimeField("处置时间", null=True, blank=True)
    handled_by = _done_by("处置人", db_index=False)
    method = models.CharField("处置方式", max_length=8, choices=ContactMethod.choices, blank=True)
    outcome = models.CharField("处置结果", max_length=12, choices=Outcome.choices, blank=True)
    handling_note = models.TextField("处置情况", blank=True)
    loss_prevented = models.DecimalField("止损金额（元）", **MONEY, null=True, blank=True)
    loss = models.DecimalField("被骗金额（元）", **MONEY, null=True, blank=True)
    case = models.ForeignKey(
        FraudCase, verbose_name="关联案件", null=True, blank=True, on_delete=models.PROTECT, related_name="warnings"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = _done_by("审核人", db_index=False)

    objects = WarningTaskQuerySet.as_manager()
    history = record_history(excluded_fields=["created_at"])

    class Meta:
        verbose_name = "预警劝阻任务"
        verbose_name_plural = "预警劝阻任务"
        ordering = ["handle_deadline", "id"]
        permissions = [
            ("review_warningtask", "审核预警处置反馈"),
            # A deliberate, logged look at the subject's name, phone and ID number unmasked.
            ("view_personal_data", "查看预警对象个人信息"),
        ]
        indexes = [
            models.Index(fields=["station", "status", "handle_deadline"]),
            models.Index(fields=["status", "handle_deadline"]),  # the overdue scan across all stations
            models.Index(fields=["station", "issued_at"]),
            # The statistics refresh finds a station's tasks by any of their moments.
            models.Index(fields=["station", "acknowledged_at"]),
            models.Index(fields=["station", "handled_at"]),
            models.Index(fields=["station", "sign_deadline"]),
            models.Index(fields=["station", "handle_deadline"]),
            # The open tasks alone (a few in a hundred): the live overdue count of a subtree
            # reads them without visiting the millions of closed ones.
            models.Index(
                fields=["station", "handle_deadline", "sign_deadline", "status"],
                condition=Q(voided_at__isnull=True, status__in=OPEN_STATUSES),
                name="warningtask_open",
            ),
        ]

    def __str__(self) -> str:
        return self.task_no

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def current_deadline(self) -> dt.datetime | None:
        """The deadline the station is working against now (none once handled)."""
        if self.status == TaskStatus.PENDING:
            return min(self.sign_deadline, self.handle_deadline)
        if self.status == TaskStatus.HANDLING:
            return self.handle_deadline
        return None

    def is_overdue(self, at: dt.datetime | None = None) -> bool:
        deadline = self.current_deadline()
        return deadline is not None and deadline < (at or timezone.now())

    def handled_on_time(self) -> bool | None:
        if self.handled_at is None:
            return None
        return self.handled_at <= self.handle_deadline


class ContactAttempt(models.Model):
    """One call, text or visit to the person at risk; a task may have many."""

    task = models.ForeignKey(WarningTask, verbose_name="任务", on_delete=models.CASCADE, related_name="attempts")
    method = models.CharField("方式", max_length=8, choices=ContactMethod.choices)
    at = models.DateTimeField("时间")
    officer = _done_by("民警", blank=False)
    note = models.CharField("情况", max_length=500, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "联系记录"
        verbose_name_plural = "联系记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.at:%Y-%m-%d %H:%M}"


class Action(models.TextChoices):
    ISSUE = "issue", "下发"
    ACKNOWLEDGE = "acknowledge", "签收"
    HANDLE = "handle", "反馈处置结果"
    ACCEPT = "accept", "审核通过"
    RETURN = "return", "退回"
    TRANSFER = "transfer", "转派"


class TaskTransition(models.Model):
    """Who moved a task from one state to another, when, and why: the task's timeline."""

    task = models.ForeignKey(WarningTask, verbose_name="任务", on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=10, choices=TaskStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=TaskStatus.choices)
    # Read only as a task's timeline (by ``task``): four rows a task, forty million in a
    # province, so nothing else is indexed. Who and which units are attribution, written
    # only by the services and the intake beside the task itself, and users and units are
    # never deleted: the database does not check them again (a check per row at commit, a
    # third of a history import's time).
    by = _done_by("操作人", blank=False, db_index=False, db_constraint=False)
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True)
    from_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  db_index=False, db_constraint=False)  # fmt: skip
    to_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                db_index=False, db_constraint=False)  # fmt: skip

    class Meta:
        verbose_name = "任务流转"
        verbose_name_plural = "任务流转"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task} {self.get_action_display()}"


class EscalationStep(models.TextChoices):
    STATION = "station", "派出所"
    COUNTY = "county", "县(区)局"
    CITY = "city", "市局"


class DeadlineKind(models.TextChoices):
    SIGN = "sign", "签收"
    HANDLE = "handle", "处置"


class Escalation(models.Model):
    """One escalation step of one missed deadline of one task: the unique key is what
    makes each step fire once, however often the periodic task runs."""

    task = models.ForeignKey(WarningTask, verbose_name="任务", on_delete=models.CASCADE, related_name="escalations")
    deadline = models.CharField("超期环节", max_length=8, choices=DeadlineKind.choices)
    step = models.CharField("通知层级", max_length=8, choices=EscalationStep.choices)
    unit = models.ForeignKey(Unit, verbose_name="通知单位", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    notified = models.PositiveIntegerField("通知人数", default=0)

    class Meta:
        verbose_name = "超期升级"
        verbose_name_plural = "超期升级"
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "deadline", "step"], name="escalation_step_once")]

    def __str__(self) -> str:
        return f"{self.task} {self.get_deadline_display()}超期 → {self.get_step_display()}"


class CheckKind(models.TextChoices):
    DISSUASION_FAILED = "dissuasion_failed", "劝阻失效"
    LARGE_CASE = "large_case", "大额警情"
    COMMUNITY_CLUSTER = "community_cluster", "社区多发"
    PLACE_CLUSTER = "place_cluster", "部位多发"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "待核查"
    CLOSED = "closed", "已结论"


class ReviewQuerySet(ScopedQuerySet):
    scope_field = "county"


class FourChecksReview(models.Model):
    """A 四必查 review, opened automatically once per trigger: a failed dissuasion, a large
    case, many cases in one community or at one place. It belongs to the county, is due
    by a date, and is closed with a written conclusion. ``trigger_key`` identifies what
    opened it, so the same trigger never opens a second review."""

    kind = models.CharField("类型", max_length=20, choices=CheckKind.choices)
    county = models.ForeignKey(Unit, verbose_name="负责单位", on_delete=models.PROTECT, related_name="reviews")
    trigger_key = models.CharField("触发标识", max_length=120, unique=True)
    title = models.CharField("标题", max_length=200)
    opened_at = models.DateTimeField("发起时间", auto_now_add=True)
    due_on = models.DateField("完成期限")
    status = models.CharField("状态", max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    conclusion = models.TextField("核查结论", blank=True)
    closed_at = models.DateTimeField("结论时间", null=True, blank=True)
    closed_by = _done_by("结论人")
    task = models.ForeignKey(WarningTask, verbose_name="预警任务", null=True, blank=True, on_delete=models.PROTECT)
    case = models.ForeignKey(
        FraudCase, verbose_name="案件", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(Area, verbose_name="社区/村", null=True, blank=True, on_delete=models.PROTECT)
    place = models.CharField("发案部位", max_length=200, blank=True)
    cases = models.ManyToManyField(FraudCase, verbose_name="涉及案件", blank=True, related_name="reviews")

    objects = ReviewQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["opened_at"])

    class Meta:
        verbose_name = "四必查"
        verbose_name_plural = "四必查"
        ordering = ["-status", "due_on", "id"]  # "open" sorts after "closed": open ones first

    def __str__(self) -> str:
        return self.title
