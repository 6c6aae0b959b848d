"""Rollups: per-day, per-unit fact tables that every statistic reads instead of raw rows.

Each fact row sums the live records of one unit (the station a case or task sits at, or the
unit that held a publicity activity) on one day, split by a small dimension. Above them,
the subtree totals (``DayTotal``, ``MonthTotal``) hold every unit's whole subtree per day
and per month with the dimensions summed away, so a unit's figures over a period are a
few rows of its own, however many stations sit below it: the base metrics read those,
the breakdowns by fraud type, victim or area the fact rows.

The refresh (``stats.refresh``) recomputes the (day, unit) pairs that records changed
since its watermark touched. To know the pairs a record *used* to touch — a task moved to
another station, a case whose date was corrected — it keeps each record's ``Footprint``:
the unit and the days it counted on at the last refresh.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from orgs.models import ScopedQuerySet, Unit

MONEY_SUM = {"max_digits": 18, "decimal_places": 2, "default": 0}


class StatsState(models.Model):
    """The one row that says how fresh the rollups are (pk 1), and the lock refreshes take."""

    watermark = models.DateTimeField("水位线", null=True, help_text="记录在此之后的改动尚未计入")
    refreshed_at = models.DateTimeField("数据更新时间", null=True)
    rebuilt_at = models.DateTimeField("全量重建时间", null=True)
    last_pairs = models.PositiveIntegerField("上次刷新的（日, 单位）数", default=0)
    last_seconds = models.FloatField("上次刷新耗时（秒）", default=0)
    # The tree the subtree totals were summed over ({unit id: parent id}; None: never):
    # a unit moved or removed since makes the refresh sum them afresh.
    totals_tree = models.JSONField("汇总所依据的单位树", null=True, editable=False)

    class Meta:
        verbose_name = "统计状态"
        verbose_name_plural = "统计状态"

    def __str__(self) -> str:
        if not self.refreshed_at:
            return "统计数据尚未生成"
        return f"统计数据更新于 {timezone.localtime(self.refreshed_at):%Y-%m-%d %H:%M}"


class Source(models.IntegerChoices):
    CASE = 1, "案件"
    EVENT = 2, "案件进展"
    TASK = 3, "预警任务"
    PUBLICITY = 4, "宣传活动"


class Footprint(models.Model):
    """Where one record counted at the last refresh: its unit and up to five days
    (a task: issued, signed, handled, sign deadline, handle deadline)."""

    source = models.PositiveSmallIntegerField(choices=Source.choices)
    record_id = models.BigIntegerField()
    unit_id = models.IntegerField()
    d1 = models.DateField(null=True)
    d2 = models.DateField(null=True)
    d3 = models.DateField(null=True)
    d4 = models.DateField(null=True)
    d5 = models.DateField(null=True)
    seen = models.DateTimeField(null=True)  # the record's updated_at when it was read

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "record_id"], name="footprint_once")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.record_id}"

    @property
    def days(self) -> set:
        return {d for d in (self.d1, self.d2, self.d3, self.d4, self.d5) if d is not None}


class FactQuerySet(ScopedQuerySet):
    scope_field = "unit"


class Fact(models.Model):
    day = models.DateField()
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_constraint=False)

    objects = FactQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.unit_id} {self.day}"


class CaseFact(Fact):
    """Case reports by 受理日期, fraud type and 立案 flag; victim profile counts."""

    fraud_type_id = models.IntegerField()
    filed = models.BooleanField()
    n = models.IntegerField(default=0)
    loss = models.DecimalField(**MONEY_SUM)
    warned = models.IntegerField(default=0)  # 预警后被骗
    age_u18 = models.IntegerField(default=0)
    age_18_40 = models.IntegerField(default=0)
    age_41_65 = models.IntegerField(default=0)
    age_66p = models.IntegerField(default=0)
    age_unknown = models.IntegerField(default=0)
    male = models.IntegerField(default=0)
    female = models.IntegerField(default=0)
    gender_unknown = models.IntegerField(default=0)
    resident = models.IntegerField(default=0)
    transient = models.IntegerField(default=0)
    residency_unknown = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["unit", "day"]), models.Index(fields=["day"])]


class AreaFact(Fact):
    """Case reports by 受理日期 and 发案地 (community / village) for maps."""

    area_id = models.IntegerField(null=True)
    reports = models.IntegerField(default=0)
    cases = models.IntegerField(default=0)
    loss = models.DecimalField(**MONEY_SUM)

    class Meta:
        indexes = [models.Index(fields=["unit", "day"]), models.Index(fields=["day"])]


class EventFact(Fact):
    """Ledger events of live cases by their own date and kind (破案, 抓获, 冻结, 追赃, 返还)."""

    kind = models.CharField(max_length=16)
    n = models.IntegerField(default=0)
    people = models.IntegerField(default=0)
    amount = models.DecimalField(**MONEY_SUM)

    class Meta:
        indexes = [models.Index(fields=["unit", "day"]), models.Index(fields=["day"])]


# The WarningFact rows where a task started or stopped being overdue (a partial index).
OVERDUE_ROWS = Q(overdue_starts__gt=0) | Q(overdue_ends__gt=0)


class WarningFact(Fact):
    """Warning tasks by risk level: received on their issue day, signed on their signing
    day, handled on their handling day (with outcomes and on-time counts), and the days
    they started and stopped being overdue (the overdue count at the end of a day is the
    running sum of starts minus ends)."""

    level = models.CharField(max_length=8)
    received = models.IntegerField(default=0)
    signed = models.IntegerField(default=0)
    signed_on_time = models.IntegerField(default=0)
    sign_seconds = models.BigIntegerField(default=0)
    handled = models.IntegerField(default=0)
    handled_on_time = models.IntegerField(default=0)
    handle_seconds = models.BigIntegerField(default=0)
    dissuaded = models.IntegerField(default=0)
    defrauded = models.IntegerField(default=0)
    unreachable = models.IntegerField(default=0)
    not_ours = models.IntegerField(default=0)
    overdue_starts = models.IntegerField(default=0)
    overdue_ends = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["unit", "day"]),
            models.Index(fields=["day"]),
            # The overdue count at a day's end sums these rows over all history: only the
            # few rows where something started or stopped being overdue.
            models.Index(fields=["unit", "day"], name="warningfact_overdue",
                         condition=OVERDUE_ROWS),
        ]  # fmt: skip


class PublicityFact(Fact):
    """Publicity activities by 活动日期 and form."""

    form = models.CharField(max_length=16)
    n = models.IntegerField(default=0)
    reach = models.BigIntegerField(default=0)
    materials = models.BigIntegerField(default=0)
    app_installs = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["unit", "day"]), models.Index(fields=["day"])]


class Total(models.Model):
    """The sums of one unit's whole subtree (its own records and every descendant's) over
    a stretch of days, every fact table's dimensions summed away: one column per base
    metric of DATA.md (named by its key) and per sum a derived metric needs.

    A unit's figures over any period are then a few rows of its own rather than a sum over
    every station below it and every day: whole months from ``MonthTotal`` and the days at
    either end from ``DayTotal`` (``stats.totals`` keeps them; ``stats.metrics`` reads them).
    """

    # Indexed by the unique (unit, day) / (unit, month) constraint, which leads with it.
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    reports = models.IntegerField(default=0)
    cases = models.IntegerField(default=0)
    loss = models.DecimalField(**MONEY_SUM)
    warned_victims = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    arrests = models.IntegerField(default=0)
    frozen = models.DecimalField(**MONEY_SUM)
    recovered = models.DecimalField(**MONEY_SUM)
    returned = models.DecimalField(**MONEY_SUM)
    warnings_received = models.IntegerField(default=0)
    warnings_handled = models.IntegerField(default=0)
    warnings_on_time = models.IntegerField(default=0)
    dissuaded = models.IntegerField(default=0)
    signed = models.IntegerField(default=0)
    signed_on_time = models.IntegerField(default=0)
    sign_seconds = models.BigIntegerField(default=0)
    handle_seconds = models.BigIntegerField(default=0)
    publicity_activities = models.IntegerField(default=0)
    publicity_reach = models.BigIntegerField(default=0)
    # Tasks that started being overdue minus those that stopped: the overdue count at the
    # end of a day is the running sum of this up to that day.
    overdue_change = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DayTotal(Total):
    """A unit's subtree on one day."""

    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="daytotal_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}"


class MonthTotal(Total):
    """A unit's subtree over one calendar month (``month`` is its first day): the sum of
    the unit's ``DayTotal`` rows of that month."""

    month = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="monthtotal_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m}"


class TargetMetric(models.TextChoices):
    CASES = "cases", "发案数"
    LOSS = "loss", "损失金额"


class TargetQuerySet(ScopedQuerySet):
    scope_field = "unit"


class Target(models.Model):
    """A unit's goal for one month: its 发案数 or 损失金额 down by at least ``drop_pct``
    per cent 同比 (the same month a year earlier). Set by analysts."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="targets")
    month = models.DateField("月份", help_text="该月1日")
    metric = models.CharField("指标", max_length=8, choices=TargetMetric.choices)
    drop_pct = models.DecimalField(
        "同比压降目标（%）", max_digits=5, decimal_places=1,
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text="例如 10 表示同比下降至少 10%；负数表示允许上升",
    )  # fmt: skip
    note = models.CharField("备注", max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设定人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "压降目标"
        verbose_name_plural = "压降目标"
        ordering = ["-month", "unit__path", "metric"]
        constraints = [models.UniqueConstraint(fields=["unit", "month", "metric"], name="target_once")]

    def __str__(self) -> str:
        goal = f"同比下降{self.drop_pct}%" if self.drop_pct >= 0 else f"同比上升不超过{-self.drop_pct}%"
        return f"{self.unit} {self.month.year}年{self.month.month}月 {self.get_metric_display()}{goal}"

    def save(self, *args, **kwargs):
        self.month = self.month.replace(day=1)  # a month is its 1st, however it was entered
        super().save(*args, **kwargs)


class CardRule(models.Model):
    """How a missed target turns into a 红牌 / 黄牌 (the one row, pk 1, editable in the admin).

    A unit that met its target gets no card. One that missed it by at most
    ``yellow_margin`` percentage points gets a yellow card; by more, a red card. A rise
    of ``red_rise_pct`` per cent or more 同比 is a red card whatever the target."""

    yellow_margin = models.DecimalField(
        "黄牌容差（百分点）", max_digits=5, decimal_places=1, default=10, validators=[MinValueValidator(0)]
    )
    red_rise_pct = models.DecimalField(
        "同比上升即红牌（%）", max_digits=6, decimal_places=1, default=30, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = "红黄牌规则"
        verbose_name_plural = "红黄牌规则"

    def __str__(self) -> str:
        return f"未达目标 {self.yellow_margin} 个百分点以内黄牌，以上红牌；同比上升 {self.red_rise_pct}% 及以上红牌"

    @classmethod
    def current(cls) -> CardRule:
        return cls.objects.get_or_create(pk=1)[0]
