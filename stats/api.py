"""REST API of the figures: ``/api/v1/stats/`` (DATA.md's stats JSON, a contract) and
``/api/v1/stats/breakdown/`` (by child unit, fraud type, victim profile, area, day, week).

Signed-in users only. ``unit`` defaults to the caller's own unit (a superuser without one:
the top of the tree); a unit outside the caller's subtree, or unknown, answers 404. A
parameter that cannot be answered — an unknown period, a malformed date — answers 400
``{"detail": …, "field": …}`` naming it. The serializers below only document the answers
for the schema: the figures come as ``stats.metrics`` and ``stats.breakdowns`` build them.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.models import Unit
from stats.answers import kept
from stats.breakdowns import BY_LABELS, PERIOD_KINDS, SERIES_METRICS, breakdown, period_from_params
from stats.catalogue import BASE_METRICS, METRICS
from stats.metrics import metrics
from stats.periods import Period

# Parameters


def _unit_of(request: Request) -> Unit:
    """The unit asked for, within the caller's subtree (404 otherwise)."""
    scope = Unit.objects.for_user(request.user)
    code = request.query_params.get("unit", "").strip()
    if code:
        if "\x00" in code:  # no code holds a NUL, and PostgreSQL cannot compare with one
            raise Http404
        return get_object_or_404(scope, code=code)
    if request.user.unit_id:
        return request.user.unit
    root = scope.filter(parent__isnull=True).first()  # a superuser without a unit: the top
    if root is None:
        raise Http404
    return root


def _period_of(request: Request) -> Period:
    """``period`` (default month) and ``date`` (default today), or ``start`` and ``end``."""
    params = request.query_params
    start, end = params.get("start", "").strip(), params.get("end", "").strip()
    custom = bool(start or end)
    return period_from_params(
        kind=params.get("period", "").strip() or (None if custom else "month"),
        date=params.get("date", "").strip() or (None if custom else timezone.localdate().isoformat()),
        start=start,
        end=end,
    )


UNIT_PARAMETER = OpenApiParameter("unit", str, description="单位编码（含下级）；默认为本人所属单位")
PERIOD_PARAMETERS = [
    UNIT_PARAMETER,
    OpenApiParameter(
        "period",
        str,
        enum=list(PERIOD_KINDS),
        description="统计周期：day 日、week 周（ISO，周一至周日）、xun 旬、month 月、quarter 季、year 年、"
        "ytd 年累计（1月1日至 date）。默认 month；给出 start 和 end 时不用",
    ),
    OpenApiParameter("date", OpenApiTypes.DATE, description="周期内的任一天（YYYY-MM-DD），默认今天"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="自定义周期开始日期（含），须与 end 同用"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="自定义周期结束日期（含）"),
]

# The answers, for the schema


class StatsUnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField(help_text="province / city / county / station")


class StatsPeriodSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="day / week / xun / month / quarter / year / ytd / custom")
    start = serializers.DateField()
    end = serializers.DateField(help_text="含当日")
    label = serializers.CharField(help_text="如 2024年5月、2024年第22周、2024年1—5月")


class StatsDateRangeSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


def _number(**kwargs) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, **kwargs)


class StatsMetricEntrySerializer(serializers.Serializer):
    label = serializers.CharField()
    value = _number(help_text="金额为元，两位小数；比率无法计算时为 null")
    yoy_base = _number(help_text="同比基数")
    yoy_pct = _number(help_text="同比增减 %，一位小数（四舍五入，远离零）；基数为 0 时为 null")
    mom_base = _number(help_text="环比基数")
    mom_pct = _number(help_text="环比增减 %")
    unit = serializers.CharField(help_text="起 / 元 / 人 / 次 / % / 分钟 / 起/万人 / 元/万人")
    yoy_notable = serializers.BooleanField(required=False, help_text="计数指标：同比变化是否显著（|z| ≥ 1.96）")
    mom_notable = serializers.BooleanField(required=False, help_text="计数指标：环比变化是否显著")


def _per_metric(name: str, field: type[serializers.Serializer], keys) -> type[serializers.Serializer]:
    """A serializer with one ``field`` per metric key, its 口径 as help text."""
    fields = {key: field(help_text=f"{METRICS[key].label}：{METRICS[key].basis}") for key in keys}
    return type(name, (serializers.Serializer,), fields)


StatsMetricsSerializer = _per_metric("StatsMetricsSerializer", StatsMetricEntrySerializer, METRICS)


class StatsSerializer(serializers.Serializer):
    unit = StatsUnitSerializer()
    period = StatsPeriodSerializer()
    yoy_period = StatsDateRangeSerializer(help_text="同比周期")
    mom_period = StatsDateRangeSerializer(help_text="环比周期")
    metrics = StatsMetricsSerializer()
    refreshed_at = serializers.DateTimeField(allow_null=True, help_text="数据更新时间（汇总表上次刷新）")


class StatsErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="中文说明")
    field = serializers.CharField(allow_null=True, help_text="出错的参数")


class StatsEnvelopeSerializer(serializers.Serializer):
    by = serializers.CharField()
    by_label = serializers.CharField()
    unit = StatsUnitSerializer()
    period = StatsPeriodSerializer()
    yoy_period = StatsDateRangeSerializer(help_text="同比周期")
    refreshed_at = serializers.DateTimeField(allow_null=True)


class StatsChildMetricSerializer(serializers.Serializer):
    value = _number()
    yoy_base = _number()
    yoy_pct = _number()
    share = _number(help_text="占上级合计的 %（比率指标为 null）")


class StatsTotalMetricSerializer(serializers.Serializer):
    value = _number()
    yoy_base = _number()
    yoy_pct = _number()


class StatsChildRowSerializer(serializers.Serializer):
    unit = StatsUnitSerializer()
    population = serializers.IntegerField(allow_null=True)
    metrics = _per_metric("StatsChildMetricsSerializer", StatsChildMetricSerializer, METRICS)()
    rank = serializers.IntegerField(allow_null=True, help_text="按 rank_by 的值排名，1 为最高，并列同名次")
    yoy_rank = serializers.IntegerField(allow_null=True, help_text="按 rank_by 的同比增幅排名，1 为升幅最大")


class StatsChildrenTotalSerializer(serializers.Serializer):
    population = serializers.IntegerField(allow_null=True)
    metrics = _per_metric("StatsTotalMetricsSerializer", StatsTotalMetricSerializer, METRICS)()


class StatsChildrenBreakdownSerializer(StatsEnvelopeSerializer):
    rank_by = serializers.CharField()
    rank_by_label = serializers.CharField()
    total = StatsChildrenTotalSerializer(help_text="本单位（含全部下级）合计")
    own = _per_metric("StatsOwnValuesSerializer", _number, [m.key for m in BASE_METRICS])(
        help_text="本单位自身（不属于任何下级）的记录，如县局自己开展的宣传活动"
    )
    rows = StatsChildRowSerializer(many=True)


class StatsCodeNameSerializer(serializers.Serializer):
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField()


class StatsFraudTypeRowSerializer(serializers.Serializer):
    fraud_type = StatsCodeNameSerializer()
    reports = serializers.IntegerField(help_text="警情数（立案与否）")
    cases = serializers.IntegerField(help_text="发案数（已立案）")
    cases_share = _number(help_text="占发案总数的 %")
    cases_rank = serializers.IntegerField()
    cases_yoy_base = serializers.IntegerField()
    cases_yoy_pct = _number()
    loss = serializers.FloatField(help_text="损失金额（元）")
    loss_share = _number(help_text="占损失总额的 %")
    loss_rank = serializers.IntegerField()
    loss_yoy_base = serializers.FloatField()
    loss_yoy_pct = _number()


class StatsFraudTypeTotalSerializer(serializers.Serializer):
    reports = serializers.IntegerField()
    cases = serializers.IntegerField()
    cases_yoy_base = serializers.IntegerField()
    cases_yoy_pct = _number()
    loss = serializers.FloatField()
    loss_yoy_base = serializers.FloatField()
    loss_yoy_pct = _number()


class StatsFraudTypeBreakdownSerializer(StatsEnvelopeSerializer):
    total = StatsFraudTypeTotalSerializer()
    rows = StatsFraudTypeRowSerializer(many=True)


class StatsProfileRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="如 age_18_40、female、transient、age_unknown")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="已立案案件数")
    share = _number()
    yoy_base = serializers.IntegerField()
    yoy_pct = _number()


class StatsProfileTotalSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    yoy_base = serializers.IntegerField()
    yoy_pct = _number()


class StatsProfileBreakdownSerializer(StatsEnvelopeSerializer):
    total = StatsProfileTotalSerializer()
    rows = StatsProfileRowSerializer(many=True)


class StatsAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="township / subdistrict / community / village")
    kind_display = serializers.CharField()
    parent = serializers.CharField(allow_null=True, help_text="上级区域名称")
    station = StatsCodeNameSerializer()


class StatsAreaRowSerializer(serializers.Serializer):
    area = StatsAreaSerializer(allow_null=True, help_text="null：发案地不详")
    label = serializers.CharField()
    population = serializers.IntegerField(allow_null=True)
    reports = serializers.IntegerField()
    cases = serializers.IntegerField()
    loss = serializers.FloatField()
    cases_yoy_base = serializers.IntegerField()
    cases_yoy_pct = _number()
    cases_per_10k = _number(help_text="万人发案率；人口不详时为 null")
    loss_per_10k = _number(help_text="万人损失（元）")


class StatsAreaBreakdownSerializer(StatsEnvelopeSerializer):
    rows = StatsAreaRowSerializer(many=True)


class StatsPointSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="如 5月3日、第19周")
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    value = _number(help_text="尚未到来的日期为 null")
    yoy_start = serializers.DateField(allow_null=True)
    yoy_end = serializers.DateField(allow_null=True)
    yoy_value = _number()


class StatsSeriesBreakdownSerializer(StatsEnvelopeSerializer):
    metric = serializers.CharField()
    metric_label = serializers.CharField()
    metric_unit = serializers.CharField()
    rows = StatsPointSerializer(many=True)


BREAKDOWN_RESPONSE = PolymorphicProxySerializer(
    component_name="StatsBreakdown",
    serializers={
        "children": StatsChildrenBreakdownSerializer,
        "fraud_type": StatsFraudTypeBreakdownSerializer,
        "age_band": StatsProfileBreakdownSerializer,
        "gender": StatsProfileBreakdownSerializer,
        "residency": StatsProfileBreakdownSerializer,
        "area": StatsAreaBreakdownSerializer,
        "day": StatsSeriesBreakdownSerializer,
        "week": StatsSeriesBreakdownSerializer,
    },
    resource_type_field_name="by",
)
ERRORS = {
    400: OpenApiResponse(StatsErrorSerializer, description="参数有误（周期、日期、by 等），field 指出哪个参数"),
    404: OpenApiResponse(description="单位不存在或不在本人辖区内"),
}

# Views


@extend_schema(
    parameters=PERIOD_PARAMETERS,
    responses={200: StatsSerializer, **ERRORS},
    description="The figures of one unit's subtree over one period, with 同比 and 环比 — exactly the JSON "
    '`python manage.py stats --json` prints (DATA.md, "Figures out"). Money in yuan with two decimals; a '
    "change is (value − base) / base × 100 to one decimal, null when the base is 0.",
)
@api_view(["GET"])
def stats_view(request: Request) -> Response:
    """统计指标: every metric of the catalogue for one unit and period."""
    unit, period = _unit_of(request), _period_of(request)
    return Response(kept("metrics", unit, period, lambda: metrics(unit, period)))


@extend_schema(
    parameters=[
        *PERIOD_PARAMETERS,
        OpenApiParameter(
            "by",
            str,
            required=True,
            enum=list(BY_LABELS),
            description="children 下级单位（含排名）、fraud_type 诈骗类型、age_band 年龄段、gender 性别、"
            "residency 户籍类型、area 社区/村、day 按日、week 按周（ISO 周）",
        ),
        OpenApiParameter(
            "rank_by",
            str,
            enum=list(METRICS),
            description="by=children：排名所依据的指标，默认 cases",
        ),
        OpenApiParameter(
            "metric",
            str,
            enum=list(SERIES_METRICS),
            description="by=day / week：趋势所用的指标，默认 cases",
        ),
    ],
    responses={200: BREAKDOWN_RESPONSE, **ERRORS},
    description="One unit's figures over one period broken down `by` child unit (every metric, shares of "
    "the parent's total, ranks), fraud type, victim age band / gender / residency, area (per 10,000 "
    "residents), or by day / ISO week next to last year's aligned series. Read from the rollups.",
)
@api_view(["GET"])
def stats_breakdown_view(request: Request) -> Response:
    """统计分项: the figures of one unit and period broken down one way."""
    unit = _unit_of(request)
    params, period = request.query_params, _period_of(request)
    by, rank_by = params.get("by", "").strip(), params.get("rank_by", "").strip() or None
    metric = params.get("metric", "").strip() or None
    answer = kept(
        "breakdown", unit, period, lambda: breakdown(unit, period, by, rank_by=rank_by, metric=metric),
        extra=f"{by}:{rank_by}:{metric}",
    )  # fmt: skip
    return Response(answer)
