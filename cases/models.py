"""Fraud cases (电诈案件), their event ledger and the fraud-type taxonomy."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from orgs.models import Area, Unit, UnitLevel
from orgs.records import Record, RecordQuerySet, record_history

MONEY = {"max_digits": 14, "decimal_places": 2}


class FraudType(models.Model):
    """One kind of fraud (诈骗类型): the MPS list of ten common types plus 其他, editable.

    ``aliases`` lists other names upstream exports use for the same type (comma
    separated), so an import can match "杀猪盘" to 网络婚恋交友.
    """

    code = models.CharField("编码", max_length=16, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    aliases = models.CharField("别名", max_length=200, blank=True, help_text="其他系统使用的名称，用逗号分隔")
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "诈骗类型"
        verbose_name_plural = "诈骗类型"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.replace("，", ",").split(",") if a.strip()]


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Residency(models.TextChoices):
    RESIDENT = "resident", "常住"
    TRANSIENT = "transient", "流动"


class CaseQuerySet(RecordQuerySet):
    scope_field = "station"


class FraudCase(Record):
    """One report (警情) of telecom or online fraud, filed (立案) or not.

    Money is in yuan. The later progress of the case — solved, arrests, frozen,
    recovered, returned — lives in its ``events`` ledger, each dated by when it
    happened; ``solved_on`` mirrors the ledger's solved event for cheap filtering.
    """

    case_no = models.CharField("案件编号", max_length=64, unique=True)
    reported_on = models.DateField("受理日期", db_index=True)
    occurred_on = models.DateField("发案日期", null=True, blank=True)
    station = models.ForeignKey(
        Unit, verbose_name="办案单位", on_delete=models.PROTECT, related_name="cases",
        limit_choices_to={"level": UnitLevel.STATION},
    )  # fmt: skip
    area = models.ForeignKey(
        Area, verbose_name="发案地", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    place = models.CharField("发案部位", max_length=200, blank=True)
    fraud_type = models.ForeignKey(FraudType, verbose_name="诈骗类型", on_delete=models.PROTECT, related_name="cases")
    loss = models.DecimalField("损失金额（元）", **MONEY, validators=[MinValueValidator(Decimal("0"))])
    filed = models.BooleanField("是否立案", default=True)
    victim_age = models.PositiveSmallIntegerField(
        "受害人年龄", null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    victim_gender = models.CharField("受害人性别", max_length=8, choices=Gender.choices, blank=True)
    victim_occupation = models.CharField("受害人职业", max_length=50, blank=True)
    residency = models.CharField("户籍类型", max_length=16, choices=Residency.choices, blank=True)
    warned_before = models.BooleanField("预警后被骗", default=False)
    solved_on = models.DateField("破案日期", null=True, blank=True, db_index=True)

    objects = CaseQuerySet.as_manager()
    history = record_history(excluded_fields=["created_at"])

    class Meta:
        verbose_name = "电诈案件"
        verbose_name_plural = "电诈案件"
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["station", "reported_on"])]

    def __str__(self) -> str:
        return self.case_no


class EventKind(models.TextChoices):
    SOLVED = "solved", "破案"
    ARREST = "arrest", "抓获"
    FREEZE = "freeze", "冻结"
    RECOVER = "recover", "追赃"
    RETURN = "return", "返还"


MONEY_EVENTS = {EventKind.FREEZE, EventKind.RECOVER, EventKind.RETURN}


class CaseEventQuerySet(RecordQuerySet):
    scope_field = "case__station"


class CaseEvent(Record):
    """One entry of a case's ledger: solved, an arrest (``count`` people), or money
    frozen / recovered / returned (``amount`` yuan). Counted by its own date. A negative
    count or amount is a correction (更正) when a later export lowers a total."""

    case = models.ForeignKey(FraudCase, verbose_name="案件", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事件", max_length=16, choices=EventKind.choices)
    occurred_on = models.DateField("日期", db_index=True)
    count = models.IntegerField("人数", null=True, blank=True)
    amount = models.DecimalField("金额（元）", **MONEY, null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = CaseEventQuerySet.as_manager()
    history = record_history(excluded_fields=["created_at"])

    class Meta:
        verbose_name = "案件进展"
        verbose_name_plural = "案件进展"
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self) -> str:
        return f"{self.case.case_no} {self.get_kind_display()} {self.occurred_on}"
