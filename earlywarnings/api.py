"""REST API of early-warning tasks (``/api/v1/warnings/``) and 四必查 reviews (``/api/v1/reviews/``).

Reading needs only scope: an officer sees their station's tasks, a reviewer their county's,
and a task outside the caller's subtree is simply not there (404, for its actions too).
Every change goes through ``earlywarnings.services`` (or ``checks``), whose ``WarningError``
answers 400 ``{"detail", "field"}``. ``POST /api/v1/warnings/`` is the platform's push:
idempotent on the task number. The person at risk's name, phone and ID number are masked
in every answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import django_filters
from django.db import IntegrityError
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.response import Response

from cases.models import FraudType
from earlywarnings import checks, services
from earlywarnings.models import (
    CheckKind,
    ContactAttempt,
    ContactMethod,
    FourChecksReview,
    Outcome,
    ReviewStatus,
    RiskLevel,
    TaskStatus,
    WarningKind,
    WarningSource,
    WarningTask,
)  # fmt: skip
from earlywarnings.validators import normalize_phone
from orgs.api import NUL, CodeField
from orgs.filters import filter_unit_subtree
from orgs.models import Unit, UnitLevel
from orgs.privacy import mask_id_number, mask_name, mask_phone
from orgs.scoping import ChangeByPost, ScopedReadOnlyViewSet, VoidedFilterMixin, voided_filter

PUSH_CLOCK_SKEW = dt.timedelta(minutes=5)  # the platform's clock may run a little ahead

# Personal data, masked (full reveal, with an audit trail, comes later).


# Serializers


class WarningTaskSerializer(serializers.ModelSerializer):
    """A task as the API shows it: codes for units and types, labels next to the values,
    the person's data masked."""

    level_display = serializers.CharField(source="get_level_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    station = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="处置单位编码")
    station_name = serializers.CharField(source="station.name", read_only=True)
    subject_name = serializers.SerializerMethodField(help_text="预警对象（脱敏）")
    subject_phone = serializers.SerializerMethodField(help_text="对象手机号（脱敏）")
    subject_id_no = serializers.SerializerMethodField(help_text="对象身份证号（脱敏）")
    fraud_type = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    fraud_type_name = serializers.CharField(source="fraud_type.name", read_only=True, default=None, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    current_deadline = serializers.DateTimeField(read_only=True, allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    handled_on_time = serializers.BooleanField(read_only=True, allow_null=True)
    acknowledged_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    handled_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    # Blank until the task is handled: declared, as a read-only model field loses its allow_blank.
    method = serializers.ChoiceField(choices=ContactMethod.choices, allow_blank=True, read_only=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    case = serializers.SlugRelatedField(slug_field="case_no", read_only=True, allow_null=True, help_text="关联案件编号")
    is_voided = serializers.BooleanField(read_only=True)

    class Meta:
        model = WarningTask
        fields = [
            "id", "task_no", "issued_at", "level", "level_display", "kind", "kind_display", "source",
            "source_display", "station", "station_name", "subject_name", "subject_phone", "subject_id_no",
            "fraud_type", "fraud_type_name", "status", "status_display", "sign_deadline", "handle_deadline",
            "current_deadline", "is_overdue", "handled_on_time", "acknowledged_at", "acknowledged_by",
            "handled_at", "handled_by", "method", "method_display", "outcome", "outcome_display",
            "handling_note", "loss_prevented", "loss", "case", "reviewed_at", "reviewed_by",
            "is_voided", "voided_at", "void_reason", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_subject_name(self, task: WarningTask) -> str:
        return mask_name(task.subject_name)

    def get_subject_phone(self, task: WarningTask) -> str:
        return mask_phone(task.subject_phone)

    def get_subject_id_no(self, task: WarningTask) -> str:
        return mask_id_number(task.subject_id_no)

    def get_is_overdue(self, task: WarningTask) -> bool:
        return task.is_overdue()


class InRangeDateTimeField(serializers.DateTimeField):
    """DRF's, but a local time too close to year 1 or 9999 to exist in UTC is refused (400
    "out of range"), where DRF's own check of the time would raise ``OverflowError`` (500)."""

    default_error_messages = {**serializers.DateTimeField.default_error_messages, "overflow": "时间超出范围。"}

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


class LabelledChoiceField(serializers.ChoiceField):
    """A choice written as its value (``high``) or its Chinese label (``高``), as in DATA.md."""

    def to_internal_value(self, data):
        text = str(data).strip()
        by_label = {str(label): value for value, label in self.choices.items()}
        return super().to_internal_value(by_label.get(text, text.lower()))


@extend_schema_field({"type": "string", "description": "派出所编码或完整名称"})
class StationField(serializers.Field):
    """A station of the caller's subtree, by code or exact name; written back as its code."""

    default_error_messages = {
        "unknown": "编码或名称为“{value}”的派出所不存在或不在本单位辖区内。",
        "ambiguous": "有 {count} 个派出所叫“{value}”，请改用单位编码。",
    }

    def to_internal_value(self, data) -> Unit:
        text = str(data).strip()
        if NUL in text:  # no code or name holds one, and PostgreSQL cannot compare with it
            self.fail("unknown", value=text)
        request = self.context.get("request")
        stations = Unit.objects.filter(level=UnitLevel.STATION)
        stations = stations.for_user(request.user) if request is not None else stations.none()
        unit = stations.filter(code=text).first()
        if unit is None:
            named = list(stations.filter(name=text)[:3])
            if len(named) > 1:
                self.fail("ambiguous", count=len(named), value=text)
            if not named:
                self.fail("unknown", value=text)
            unit = named[0]
        return unit

    def to_representation(self, value: Unit) -> str:
        return value.code


@extend_schema_field({"type": "string", "description": "涉诈类型编码、名称或别名"})
class FraudTypeField(serializers.Field):
    default_error_messages = {"unknown": "未知的涉诈类型“{value}”（请使用分类编码或名称）。"}

    def to_internal_value(self, data) -> FraudType:
        text = str(data).strip()
        for fraud_type in FraudType.objects.all():
            if text in (fraud_type.code, fraud_type.name, *fraud_type.alias_list()):
                return fraud_type
        self.fail("unknown", value=text)

    def to_representation(self, value: FraudType) -> str:
        return value.code


class WarningPushSerializer(serializers.Serializer):
    """One task pushed by the platform: the columns of DATA.md's ``warnings`` format
    that describe a new task (no history: that is what the import is for)."""

    task_no = serializers.CharField(max_length=64, label="预警编号")
    issued_at = InRangeDateTimeField(label="下发时间", help_text="不带时区时按北京时间")
    level = LabelledChoiceField(choices=RiskLevel.choices, label="风险等级", help_text="也可写 高 / 中 / 低")
    kind = LabelledChoiceField(
        choices=WarningKind.choices, required=False, allow_blank=True, default="", label="预警类型",
        help_text="也可写 电话预警 / 资金预警 / 短信预警 / APP预警 / 网址预警 / 其他",
    )  # fmt: skip
    source = LabelledChoiceField(
        choices=WarningSource.choices, required=False, allow_blank=True, default="", label="预警来源",
        help_text="也可写 国家 / 省 / 市 / 银行",
    )  # fmt: skip
    station = StationField(label="处置单位")
    subject_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="", label="预警对象")
    subject_phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", label="对象手机号",
        help_text="中国大陆手机号；空格、横线和 +86 会去掉",
    )  # fmt: skip
    subject_id_no = serializers.CharField(
        max_length=18, required=False, allow_blank=True, default="", label="对象身份证号",
        help_text="18 位，校验码须正确",
    )  # fmt: skip
    fraud_type = FraudTypeField(required=False, allow_null=True, default=None, label="涉诈类型")

    def validate_task_no(self, value: str) -> str:
        value = value.strip()
        if WarningTask.objects.filter(task_no=value).exists():  # in scope it is answered 200 before this
            raise serializers.ValidationError("该预警编号已被其他单位的任务使用。")
        return value

    def validate_issued_at(self, value):
        if value > timezone.now() + PUSH_CLOCK_SKEW:
            raise serializers.ValidationError("下发时间不能晚于现在。")
        return value

    def validate_subject_name(self, value: str) -> str:
        return value.strip()

    def validate_subject_phone(self, value: str) -> str:
        return normalize_phone(value)  # checked by the model's validator in warning_issue

    def validate_subject_id_no(self, value: str) -> str:
        return value.strip().upper()


class ContactAttemptSerializer(serializers.ModelSerializer):
    method = serializers.ChoiceField(choices=ContactMethod.choices, label="方式")
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    at = InRangeDateTimeField(required=False, label="时间", help_text="默认为现在")
    officer = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="", label="情况")

    class Meta:
        model = ContactAttempt
        fields = ["id", "method", "method_display", "at", "officer", "note", "created_at"]


class WarningHandleSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, label="处置结果",
                                      help_text="非本辖区的任务请用 transfer 转派")  # fmt: skip
    method = serializers.ChoiceField(choices=ContactMethod.choices, label="处置方式")
    note = serializers.CharField(allow_blank=True, label="处置情况")
    loss_prevented = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True,
                                              default=None, label="止损金额（元）", help_text="劝阻成功时")  # fmt: skip
    loss = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None,
                                    label="被骗金额（元）", help_text="已被骗时必填")  # fmt: skip
    case_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                                    label="案件编号", help_text="已被骗时：已有案件的编号；不填则新建案件")  # fmt: skip


class WarningReviewSerializer(serializers.Serializer):
    accept = serializers.BooleanField(label="通过", help_text="true 通过（办结）；false 退回")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="意见",
                                   help_text="退回时必填")  # fmt: skip


class WarningTransferSerializer(serializers.Serializer):
    to_unit = CodeField(
        queryset=Unit.objects.all(), label="转派至（单位编码）",
        help_text="本县（区）的其他派出所，或县（区）局本身（退回重新分派）",
        error_messages={"does_not_exist": "编码为“{value}”的单位不存在。"},
    )  # fmt: skip
    reason = serializers.CharField(allow_blank=True, label="转派原因")


# Filters


class WarningTaskFilter(VoidedFilterMixin, django_filters.FilterSet):
    unit = django_filters.CharFilter(method=filter_unit_subtree, label="单位编码（含下级）")
    station = django_filters.CharFilter(field_name="station__code", label="处置单位编码（仅该单位）")
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices, label="状态")
    level = django_filters.ChoiceFilter(choices=RiskLevel.choices, label="风险等级")
    kind = django_filters.ChoiceFilter(choices=WarningKind.choices, label="预警类型")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="超期未处置（true：只列超期的）")
    start = django_filters.DateFilter(field_name="issued_at", lookup_expr="date__gte", label="下发日期自")
    end = django_filters.DateFilter(field_name="issued_at", lookup_expr="date__lte", label="下发日期至")
    q = django_filters.CharFilter(field_name="task_no", lookup_expr="icontains", label="预警编号")
    voided = voided_filter("任务")

    class Meta:
        model = WarningTask
        fields = ["unit", "station", "status", "level", "kind", "overdue", "start", "end", "q"]

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class ReviewFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(method=filter_unit_subtree, label="单位编码（含下级）")
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label="状态")
    kind = django_filters.ChoiceFilter(choices=CheckKind.choices, label="类型")

    class Meta:
        model = FourChecksReview
        fields = ["unit", "status", "kind"]


# Permissions: reading needs only scope (GET is free in DjangoModelPermissions).


class ReviewPermission(DjangoModelPermissions):
    """Accepting or returning feedback needs ``review_warningtask`` (county reviewers)."""

    perms_map = {**DjangoModelPermissions.perms_map, "POST": ["%(app_label)s.review_%(model_name)s"]}


# Views


class WarningTaskViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Early-warning tasks of the caller's subtree, ordered by handling deadline.

    ``POST`` is the platform's push (needs ``earlywarnings.add_warningtask``); the work on a
    task is done through its actions (``earlywarnings.change_warningtask``; ``review`` needs
    ``earlywarnings.review_warningtask``). Nothing is updated directly or deleted.
    """

    queryset = WarningTask.objects.select_related(
        "station", "fraud_type", "case", "acknowledged_by", "handled_by", "reviewed_by"
    )
    serializer_class = WarningTaskSerializer
    filterset_class = WarningTaskFilter
    permission_classes = [DjangoModelPermissions]

    def filter_queryset(self, queryset):
        # The list's filters are the list's: a task's detail and actions find any task in scope.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _respond(self, task: WarningTask, code: int = status.HTTP_200_OK) -> Response:
        return Response(WarningTaskSerializer(task, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=WarningPushSerializer,
        responses={
            201: OpenApiResponse(WarningTaskSerializer, description="新任务已下发"),
            200: OpenApiResponse(WarningTaskSerializer, description="该预警编号已有任务：原样返回，未作改动"),
        },
        description="The platform pushes one task (DATA.md `warnings` columns without the history). Idempotent "
        "on `task_no`: a number already stored in the caller's subtree answers 200 with that task as it is.",
    )
    def create(self, request, *args, **kwargs):
        """Push a task down from the platform (预警下发)."""
        task_no = str(request.data.get("task_no") or "").strip() if isinstance(request.data, Mapping) else ""
        existing = self._pushed_before(task_no)
        if existing is not None:
            return self._respond(existing)
        body = WarningPushSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        try:
            task = services.warning_issue(user=request.user, **body.validated_data)
        except IntegrityError:
            # Another push of the same task got there first: answer as a repeat.
            existing = self._pushed_before(task_no)
            if existing is None:
                raise
            return self._respond(existing)
        return self._respond(task, status.HTTP_201_CREATED)

    def _pushed_before(self, task_no: str) -> WarningTask | None:
        if not task_no or NUL in task_no:  # a NUL is no task number: the serializer refuses it (400)
            return None
        return self.get_queryset().filter(task_no=task_no).first()

    @extend_schema(request=None, responses=WarningTaskSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeByPost])
    def acknowledge(self, request, pk=None, format=None):
        """签收: the station takes the task (待签收 → 处置中)."""
        task = services.warning_acknowledge(task=self.get_object(), user=request.user)
        return self._respond(task)

    @extend_schema(methods=["GET"], responses=ContactAttemptSerializer(many=True),
                   description="The calls, texts and visits logged on the task, in time order.")  # fmt: skip
    @extend_schema(methods=["POST"], request=ContactAttemptSerializer, responses={201: ContactAttemptSerializer},
                   description="Log one call, text or visit (the task must be signed for).")  # fmt: skip
    @action(detail=True, methods=["get", "post"], serializer_class=ContactAttemptSerializer,
            permission_classes=[ChangeByPost], pagination_class=None, filterset_class=None)  # fmt: skip
    def attempts(self, request, pk=None, format=None):
        """The task's contact attempts: GET lists them, POST logs one."""
        task = self.get_object()
        if request.method == "GET":
            attempts = task.attempts.select_related("officer")
            return Response(ContactAttemptSerializer(attempts, many=True).data)
        body = ContactAttemptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attempt = services.warning_attempt_add(task=task, user=request.user, **body.validated_data)
        return Response(ContactAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WarningHandleSerializer, responses=WarningTaskSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeByPost])
    def handle(self, request, pk=None, format=None):
        """处置: record the outcome (处置中 → 已反馈); 已被骗 needs the loss and links or opens the case."""
        task = self.get_object()
        body = WarningHandleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(services.warning_handle(task=task, user=request.user, **body.validated_data))

    @extend_schema(request=WarningReviewSerializer, responses=WarningTaskSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ReviewPermission])
    def review(self, request, pk=None, format=None):
        """审核: the county accepts the feedback (已办结) or returns it with a reason (处置中)."""
        task = self.get_object()
        body = WarningReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(services.warning_review(task=task, user=request.user, **body.validated_data))

    @extend_schema(request=WarningTransferSerializer, responses=WarningTaskSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeByPost])
    def transfer(self, request, pk=None, format=None):
        """转派 (非本辖区): to another station of the county, or back to the county to re-dispatch."""
        task = self.get_object()
        body = WarningTransferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(services.warning_transfer(task=task, user=request.user, **body.validated_data))


class FourChecksReviewSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    task_no = serializers.CharField(source="task.task_no", read_only=True, default=None, allow_null=True)
    case = serializers.SlugRelatedField(slug_field="case_no", read_only=True, allow_null=True, help_text="案件编号")
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True, help_text="社区/村编码")
    cases = serializers.SlugRelatedField(slug_field="case_no", many=True, read_only=True, help_text="涉及案件编号")

    class Meta:
        model = FourChecksReview
        fields = [
            "id", "kind", "kind_display", "county", "county_name", "title", "opened_at", "due_on", "status",
            "status_display", "conclusion", "closed_at", "closed_by", "task", "task_no", "case", "area", "place",
            "cases",
        ]  # fmt: skip
        read_only_fields = fields


class ReviewConcludeSerializer(serializers.Serializer):
    conclusion = serializers.CharField(allow_blank=True, label="核查结论")


class FourChecksReviewViewSet(ScopedReadOnlyViewSet):
    """四必查 reviews of the caller's subtree (they belong to counties), open ones first."""

    # Open ("open" sorts after "closed") first, then by due date.
    queryset = (
        FourChecksReview.objects.select_related("county", "closed_by", "task", "case", "area")
        .prefetch_related("cases")
        .order_by("-status", "due_on", "id")
    )
    serializer_class = FourChecksReviewSerializer
    filterset_class = ReviewFilter

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(request=ReviewConcludeSerializer, responses=FourChecksReviewSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeByPost])
    def conclude(self, request, pk=None, format=None):
        """Close the review with its written conclusion (needs ``earlywarnings.change_fourchecksreview``)."""
        review = self.get_object()
        body = ReviewConcludeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = checks.review_conclude(review=review, user=request.user, conclusion=body.validated_data["conclusion"])
        return Response(FourChecksReviewSerializer(review, context=self.get_serializer_context()).data)
