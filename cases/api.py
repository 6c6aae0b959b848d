"""REST API of cases: ``/api/v1/cases/`` with each case's event ledger, and the fraud-type
taxonomy ``/api/v1/fraud-types/``.

Reading needs only scope; writing needs the role's model permission and goes through
``cases.services``. Nothing is deleted: a case or one of its events is voided.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.response import Response

from cases import services
from cases.filters import CaseFilter
from cases.models import CaseEvent, FraudCase, FraudType
from cases.selectors import NO_EVENTS, ledger_totals
from orgs.api import CodeField
from orgs.models import Area, Unit, UnitLevel
from orgs.scoping import (
    ChangeByPost,
    ScopedCodeField,
    ScopedRecordViewSet,
    VoidedFilterMixin,
    VoidSerializer,
    voided_filter,
)

# Serializers


class FraudTypeSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(), source="alias_list", read_only=True)

    class Meta:
        model = FraudType
        fields = ["code", "name", "aliases", "order", "active"]


class TotalsSerializer(serializers.Serializer):
    arrested = serializers.IntegerField(label="抓获人数")
    frozen = serializers.DecimalField(max_digits=14, decimal_places=2, label="冻结金额（元）")
    recovered = serializers.DecimalField(max_digits=14, decimal_places=2, label="追赃金额（元）")
    returned = serializers.DecimalField(max_digits=14, decimal_places=2, label="返还金额（元）")


class CaseListSerializer(serializers.ListSerializer):
    """Reads the ledger totals of a whole page in one query instead of one per case."""

    def to_representation(self, data):
        cases = list(data.all() if hasattr(data, "all") else data)
        totals = ledger_totals(case.pk for case in cases)
        for case in cases:
            case.ledger_totals = totals.get(case.pk, NO_EVENTS)
        return super().to_representation(cases)


class CaseSerializer(serializers.ModelSerializer):
    # Only the caller's own stations and areas: another county's is refused, not moved into.
    station = ScopedCodeField(
        "派出所", queryset=Unit.objects.filter(level=UnitLevel.STATION), label="办案单位（派出所编码）"
    )
    station_name = serializers.CharField(source="station.name", read_only=True)
    area = ScopedCodeField(
        "区域", queryset=Area.objects.all(), required=False, allow_null=True, label="发案地（区域编码）"
    )
    fraud_type = CodeField(
        queryset=FraudType.objects.all(),
        label="诈骗类型编码",
        error_messages={"does_not_exist": "诈骗类型编码“{value}”不存在。"},
    )
    fraud_type_name = serializers.CharField(source="fraud_type.name", read_only=True)
    totals = serializers.SerializerMethodField()
    is_voided = serializers.BooleanField(read_only=True)

    class Meta:
        model = FraudCase
        fields = [
            "id", "case_no", "reported_on", "occurred_on", "station", "station_name", "area", "place",
            "fraud_type", "fraud_type_name", "loss", "filed", "victim_age", "victim_gender",
            "victim_occupation", "residency", "warned_before", "solved_on", "totals",
            "is_voided", "voided_at", "void_reason", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["solved_on"]
        list_serializer_class = CaseListSerializer

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, case: FraudCase) -> dict:
        totals = getattr(case, "ledger_totals", None) or ledger_totals([case.pk]).get(case.pk, NO_EVENTS)
        return TotalsSerializer(totals).data


class CaseEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    is_voided = serializers.BooleanField(read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id", "kind", "kind_display", "occurred_on", "count", "amount", "note",
            "is_voided", "void_reason", "created_at",
        ]  # fmt: skip


# Permissions: reading needs only scope (GET is free in DjangoModelPermissions).


class EventPermissions(DjangoModelPermissions):
    """The ledger under a case: adding an event needs ``add_caseevent``."""

    perms_map = {**DjangoModelPermissions.perms_map, "POST": ["cases.add_caseevent"]}


class EventVoidPermissions(DjangoModelPermissions):
    perms_map = {**DjangoModelPermissions.perms_map, "POST": ["cases.change_caseevent"]}


# Views


class CaseApiFilter(VoidedFilterMixin, CaseFilter):
    voided = voided_filter("案件")


class FraudTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """The fraud-type taxonomy (诈骗类型), by code; ``?active=true`` for the selectable ones."""

    queryset = FraudType.objects.all()
    serializer_class = FraudTypeSerializer
    filterset_fields = ["active"]
    lookup_field = "code"
    lookup_value_regex = r"[^/.\x00]+"  # the router's, and no NUL (PostgreSQL cannot compare one): 404


class CaseViewSet(ScopedRecordViewSet):
    """Cases of the caller's subtree; voided ones only with ``?voided=true``.

    Creating needs ``cases.add_fraudcase``, changing and voiding ``cases.change_fraudcase``.
    """

    queryset = FraudCase.objects.select_related("station", "area", "fraud_type")
    serializer_class = CaseSerializer
    filterset_class = CaseApiFilter

    def perform_create(self, serializer):
        serializer.instance = services.case_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.case_update(
            case=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=VoidSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeByPost])
    def void(self, request, pk=None, format=None):
        """Void (作废) the case with a reason: it drops out of every list and count."""
        case = self.get_object()
        body = VoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.case_void(case=case, user=request.user, reason=body.validated_data["reason"])
        return Response(self.get_serializer(case).data)

    @extend_schema(
        methods=["GET"],
        responses=CaseEventSerializer(many=True),
        description="The case's ledger (破案, 抓获, 冻结, 追赃, 返还) in date order, voided entries included.",
    )
    @extend_schema(
        methods=["POST"],
        request=CaseEventSerializer,
        responses={201: CaseEventSerializer},
        description="Add one event (needs `cases.add_caseevent`). 抓获 needs `count`, money events `amount`; "
        "破案 happens once and sets the case's `solved_on`.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=CaseEventSerializer,
        permission_classes=[EventPermissions],
        pagination_class=None,
        filterset_class=None,
    )
    def events(self, request, pk=None, format=None):
        """The case's ledger: GET lists it, POST adds one event."""
        case = self.get_object()
        if request.method == "GET":
            return Response(CaseEventSerializer(case.events.all(), many=True).data)
        body = CaseEventSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.case_event_add(case=case, user=request.user, **body.validated_data)
        return Response(CaseEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=VoidSerializer,
        responses=CaseEventSerializer,
        parameters=[OpenApiParameter("event_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="进展 id")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"events/(?P<event_id>[0-9]+)/void",
        url_name="event-void",
        permission_classes=[EventVoidPermissions],
    )
    def void_event(self, request, pk=None, event_id=None, format=None):
        """Void one event of the case's ledger (needs ``cases.change_caseevent``)."""
        case = self.get_object()
        event = get_object_or_404(case.events, pk=event_id)
        body = VoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.case_event_void(event=event, user=request.user, reason=body.validated_data["reason"])
        return Response(CaseEventSerializer(event).data)
