"""Publicity activities (反诈宣传)."""

from django.db import models
from django.db.models import Q

from orgs.models import Unit
from orgs.records import Record, RecordQuerySet, record_history


class PublicityForm(models.TextChoices):
    LECTURE = "lecture", "讲座"
    SCHOOL = "school", "进校园"
    COMMUNITY = "community", "进社区"
    ENTERPRISE = "enterprise", "进企业"
    STALL = "stall", "摆摊"
    VIDEO = "video", "短视频"
    SMS = "sms", "短信群发"
    ROBOCALL = "robocall", "智能外呼"
    WECHAT = "wechat", "微信推送"
    POSTER = "poster", "海报横幅"
    OTHER = "other", "其他"


AUDIENCE_SUGGESTIONS = ("老年人", "学生", "企业员工", "财务人员", "流动人口", "个体商户", "全体群众")


class PublicityQuerySet(RecordQuerySet):
    scope_field = "unit"


class PublicityActivity(Record):
    """A lecture, stall, visit, video, SMS or robocall campaign… held by any unit (a
    station, or a county running a county-wide SMS push). Keyed by ``activity_no`` when
    the source system has one, else by (date, unit, title)."""

    activity_no = models.CharField("活动编号", max_length=64, unique=True, null=True, blank=True)
    held_on = models.DateField("活动日期", db_index=True)
    unit = models.ForeignKey(Unit, verbose_name="开展单位", on_delete=models.PROTECT, related_name="publicity")
    title = models.CharField("活动名称", max_length=200)
    form = models.CharField("活动形式", max_length=16, choices=PublicityForm.choices)
    audience = models.CharField("宣传对象", max_length=50, blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    reach = models.PositiveIntegerField("覆盖人数", default=0)
    materials = models.PositiveIntegerField("发放资料数", default=0)
    app_installs = models.PositiveIntegerField("反诈APP安装数", default=0)

    objects = PublicityQuerySet.as_manager()
    history = record_history(excluded_fields=["created_at"])

    class Meta:
        verbose_name = "宣传活动"
        verbose_name_plural = "宣传活动"
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["held_on", "unit", "title"],
                condition=Q(activity_no__isnull=True),
                name="publicity_unique_without_number",
            )
        ]
        indexes = [models.Index(fields=["unit", "held_on"])]

    def __str__(self) -> str:
        return self.title
