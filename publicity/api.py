"""REST API of publicity activities: ``/api/v1/publicity/`` (scoped).

Reading needs only scope. Station officers record their own station's activities and
clerks everyone's in their subtree (``add_`` / ``change_publicityactivity``); writes go
through ``publicity.services``. Nothing is deleted: an activity is voided.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from orgs.models import Unit
from orgs.scoping import (
    ChangeByPost,
    ScopedCodeField,
    ScopedRecordViewSet,
    VoidedFilterMixin,
    VoidSerializer,
    voided_filter,
)
from publicity import services
from publicity.filters import PublicityFilter
from publicity.models import PublicityActivity


class PublicitySerializer(serializers.ModelSerializer):
    unit = ScopedCodeField("单位", queryset=Unit.objects.all(), label="开展单位编码")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    form_display = serializers.CharField(source="get_form_display", read_only=True)
    is_voided = serializers.BooleanField(read_only=True)

    class Meta:
        model = PublicityActivity
        fields = [
            "id", "activity_no", "held_on", "unit", "unit_name", "title", "form", "form_display",
            "audience", "place", "reach", "materials", "app_installs",
            "is_voided", "voided_at", "void_reason", "updated_at",
        ]  # fmt: skip
        # (held_on, unit, title) is unique only without an activity number: the service
        # checks it with a Chinese message, and activity_no stays optional.
        validators = []


class PublicityApiFilter(VoidedFilterMixin, PublicityFilter):
    voided = voided_filter("活动")


class PublicityViewSet(ScopedRecordViewSet):
    """Publicity activities of the caller's subtree; voided ones only with ``?voided=true``."""

    queryset = PublicityActivity.objects.select_related("unit")
    serializer_class = PublicitySerializer
    filterset_class = PublicityApiFilter

    def perform_create(self, serializer):
        serializer.instance = services.publicity_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.publicity_update(
            activity=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=VoidSerializer, responses=PublicitySerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeByPost])
    def void(self, request, pk=None, format=None):
        """Void (作废) the activity with a reason: it drops out of every list and count."""
        activity = self.get_object()
        body = VoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        activity = services.publicity_void(activity=activity, user=request.user, reason=body.validated_data["reason"])
        return Response(self.get_serializer(activity).data)
