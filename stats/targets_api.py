"""REST API of monthly targets (压降目标): ``/api/v1/targets/`` and the targets board
``/api/v1/targets/status/``.

Reading needs only scope: a target outside the caller's subtree is not there (404).
Setting, changing and withdrawing a target needs the model permission (``add_`` /
``change_`` / ``delete_target``: the analyst role, and superusers), and only for a unit in
the caller's subtree; writes go through ``stats.targets``.
"""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django import forms
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.response import Response

from orgs.filters import filter_unit_subtree
from orgs.models import Unit
from orgs.scoping import ScopedCodeField, ScopedModelViewSet
from stats import targets as services
from stats.breakdowns import FIRST_DAY, LAST_DAY
from stats.models import CardRule, Target, TargetMetric
from stats.projection import MonthState
from stats.refresh import refreshed_at
from stats.targets import Card, target_status, targets_for_children, unit_targets

MONTH_ERROR = "月份格式应为 YYYY-MM，例如 2026-05。"
MONTH_RANGE_ERROR = f"月份须在 {FIRST_DAY:%Y-%m} 至 {LAST_DAY:%Y-%m} 之间。"
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")
MONTH_SCHEMA = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-05"}
TRUE_VALUES = {"1", "true", "True", "yes", "on"}


def parse_month(text: str) -> dt.date:
    """``"2026-05"`` → 1 May 2026; ValueError on anything else."""
    match = MONTH_PATTERN.match(text.strip())
    if not match:
        raise ValueError(text)
    return dt.date(int(match[1]), int(match[2]), 1)


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.Field):
    """A month written and read as ``YYYY-MM``, held as its first day. Only the years the
    figures can be worked out for (the period maths looks a year back): a target for year 1
    would be stored, then fail every status computed for it."""

    default_error_messages = {"invalid": MONTH_ERROR, "range": MONTH_RANGE_ERROR}

    def to_internal_value(self, data) -> dt.date:
        try:
            month = parse_month(str(data))
        except ValueError:
            self.fail("invalid")
        if not FIRST_DAY <= month <= LAST_DAY:
            self.fail("range")
        return month

    def to_representation(self, value: dt.date) -> str:
        return f"{value:%Y-%m}"


@extend_schema_field(OpenApiTypes.NUMBER)
class FigureField(serializers.Field):
    """A count (integer) or an amount in yuan (number with two decimals)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value if isinstance(value, int) else round(float(value), 2)


def _pct_field(**kwargs) -> serializers.DecimalField:
    # A percentage with one decimal; a rise from a small base may run to thousands.
    return serializers.DecimalField(max_digits=12, decimal_places=1, coerce_to_string=False, **kwargs)


# ---------------------------------------------------------------------------------------
# Status serializers (read-only shapes of stats.targets' dataclasses)


class UnitBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()


MONTH_STATES = [(MonthState.UPCOMING, "尚未开始"), (MonthState.RUNNING, "进行中"), (MonthState.FINISHED, "已结束")]


class ProjectionSerializer(serializers.Serializer):
    month_state = serializers.ChoiceField(source="state", choices=MONTH_STATES, label="月份状态")
    value = FigureField(label="本月截至当日")
    days_elapsed = serializers.IntegerField(label="已过天数")
    days_total = serializers.IntegerField(label="本月天数")
    projected = FigureField(label="月底预计值")
    method = serializers.CharField(allow_null=True, label="推算方法（去年同期日分布 / 线性外推）")
    method_note = serializers.CharField(label="方法说明")
    last_year_same_days = FigureField(label="去年同期相同日期")
    last_year_rest = FigureField(label="去年该月剩余日期")
    scale = serializers.DecimalField(
        max_digits=12, decimal_places=4, coerce_to_string=False, allow_null=True, label="系数"
    )


class TargetStatusSerializer(serializers.Serializer):
    target_id = serializers.IntegerField()
    metric = serializers.CharField(label="指标（cases / loss）")
    label = serializers.CharField()
    measure = serializers.CharField(label="计量单位（起 / 元）")
    drop_pct = _pct_field(label="同比压降目标（%）")
    month_state = serializers.ChoiceField(source="state", choices=MONTH_STATES, label="月份状态")
    period = PeriodSerializer(allow_null=True, label="统计区间")
    yoy_period = PeriodSerializer(allow_null=True, label="同比区间")
    value = FigureField()
    yoy_base = FigureField()
    yoy_pct = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True, label="是否达标（去年同期为0时为null）")
    gap_pts = _pct_field(allow_null=True, label="与目标差距（百分点，正数为未达标）")
    card = serializers.ChoiceField(choices=Card.choices, label="红黄牌")
    card_label = serializers.CharField()
    note = serializers.CharField(label="说明")
    projection = ProjectionSerializer(allow_null=True, label="月底预测（仅进行中的月份）")
    projected_yoy_base = FigureField(label="去年同月全月")
    projected_yoy_pct = serializers.FloatField(allow_null=True)
    projected_met = serializers.BooleanField(allow_null=True)
    projection_note = serializers.CharField()


class UnitTargetsSerializer(serializers.Serializer):
    unit = UnitBriefSerializer()
    cases = TargetStatusSerializer(allow_null=True, label="发案数目标")
    loss = TargetStatusSerializer(allow_null=True, label="损失金额目标")


class CardRuleSerializer(serializers.Serializer):
    yellow_margin = _pct_field(label="黄牌容差（百分点）")
    red_rise_pct = _pct_field(label="同比上升即红牌（%）")


class TargetBoardSerializer(serializers.Serializer):
    unit = UnitBriefSerializer()
    month = MonthField()
    as_of = serializers.DateField(label="截至日期")
    card_rule = CardRuleSerializer()
    own = UnitTargetsSerializer(label="本单位")
    children = UnitTargetsSerializer(many=True, label="下级单位")
    refreshed_at = serializers.DateTimeField(allow_null=True, label="数据更新时间")


class BoardQuerySerializer(serializers.Serializer):
    unit = serializers.CharField(required=False, label="单位编码")
    month = MonthField(required=False)


# ---------------------------------------------------------------------------------------
# Targets


class TargetSerializer(serializers.ModelSerializer):
    unit = ScopedCodeField("单位", queryset=Unit.objects.all(), label="单位编码")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    month = MonthField(label="月份（YYYY-MM）")
    metric_display = serializers.CharField(source="get_metric_display", read_only=True)
    set_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    set_by_name = serializers.CharField(source="set_by.display_name", read_only=True, allow_null=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id", "unit", "unit_name", "month", "metric", "metric_display", "drop_pct", "note",
            "set_by", "set_by_name", "updated_at", "status",
        ]  # fmt: skip
        # One target per unit, month and metric: the service says so in Chinese.
        validators = []

    @extend_schema_field(TargetStatusSerializer(allow_null=True))
    def get_status(self, target: Target) -> dict | None:
        """The target's status (with ``?status=1`` on a list, always on a detail)."""
        if not self.context.get("with_status"):
            return None
        cache = self.context.setdefault("status_cache", {})
        key = (target.unit_id, target.month)
        if key not in cache:  # one computation per unit and month, for all its targets
            cache[key] = {s.target_id: s for s in target_status(target.unit, target.month)}
        status = cache[key].get(target.pk)
        return TargetStatusSerializer(status).data if status else None


class MonthFormField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_month(value)
        except ValueError:
            raise forms.ValidationError(MONTH_ERROR, code="invalid") from None


class MonthFilter(django_filters.CharFilter):
    field_class = MonthFormField


class TargetFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(method=filter_unit_subtree, label="单位编码（含下级）")
    month = MonthFilter(field_name="month", label="月份（YYYY-MM）")
    metric = django_filters.ChoiceFilter(choices=TargetMetric.choices, label="指标")

    class Meta:
        model = Target
        fields = ["unit", "month", "metric"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.BOOL, description="为 1 时附带每个目标的完成情况（status）")
        ]
    )
)
class TargetViewSet(ScopedModelViewSet):
    """Monthly targets of the caller's subtree; ``?unit=CODE`` (with its subtree),
    ``?month=YYYY-MM``, ``?metric=cases|loss``. A detail carries its ``status``; a list
    does with ``?status=1``. Writes need the analyst role and a unit in scope."""

    queryset = Target.objects.select_related("unit", "set_by")
    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    permission_classes = [DjangoModelPermissions]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        asked = self.request.query_params.get("status") in TRUE_VALUES if self.request else False
        context["with_status"] = self.action == "retrieve" or (self.action == "list" and asked)
        return context

    def perform_create(self, serializer):
        serializer.instance = services.target_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.target_update(
            target=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.target_delete(target=instance, user=self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.STR, description="单位编码（默认本人所在单位）"),
            OpenApiParameter("month", OpenApiTypes.STR, description="月份 YYYY-MM（默认本月）"),
        ],
        responses={
            200: TargetBoardSerializer,
            404: OpenApiResponse(description="单位不存在或不在本人辖区内"),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="status",
        url_name="status",
        serializer_class=TargetBoardSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def board(self, request, format=None):
        """The targets board of a unit for a month: its own targets' status and a row per
        child unit (None where a child has no target), with the 红黄牌 rule in force."""
        query = BoardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        code = query.validated_data.get("unit")
        if code:
            unit = get_object_or_404(Unit.objects.for_user(request.user), code=code)
        elif request.user.unit_id:
            unit = request.user.unit
        else:
            raise serializers.ValidationError({"unit": ["请指定单位编码。"]})
        now = timezone.now()
        month = query.validated_data.get("month") or timezone.localdate(now).replace(day=1)
        board = {
            "unit": unit,
            "month": month,
            "as_of": timezone.localdate(now),
            "card_rule": CardRule.current(),
            "own": unit_targets(unit, month, now=now),
            "children": targets_for_children(unit, month, now=now),
            "refreshed_at": refreshed_at(),
        }
        return Response(TargetBoardSerializer(board).data)
