"""REST API of publicity activities: ``/api/v1/publicity/`` (scoped).

Reading needs only scope. Station officers record their own station's activities and
clerks everyone's in their subtree (``add_`` / ``change_publicityactivity``); writes go
through ``publicity.services``. Nothing is deleted: an activity is voided.
"""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.response import Response

from orgs.models import Unit
from orgs.scoping import ScopedReadOnlyViewSet
from publicity import services
from publicity.filters import PublicityFilter
from publicity.models import PublicityActivity


class PublicitySerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(
        slug_field="code",
        label="开展单位编码",
        queryset=Unit.objects.none(),  # narrowed to the caller's subtree in get_fields()
        error_messages={"does_not_exist": "编码为“{value}”的单位不存在或不在本单位辖区内。"},
    )
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

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["unit"].queryset = Unit.objects.for_user(request.user)
        return fields


class PublicityVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label="作废原因")


class ChangeByPost(DjangoModelPermissions):
    """Voiding changes an existing activity by POST: it needs the change permission."""

    perms_map = {**DjangoModelPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class PublicityApiFilter(PublicityFilter):
    voided = django_filters.BooleanFilter(method="keep_all", label="已作废（true：只列已作废的活动）")

    def keep_all(self, queryset, name, value):
        return queryset  # applied in filter_queryset: the default (live only) needs no parameter

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset.voided() if self.form.cleaned_data.get("voided") else queryset.live()


class PublicityViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Publicity activities of the caller's subtree; voided ones only with ``?voided=true``."""

    queryset = PublicityActivity.objects.select_related("unit")
    serializer_class = PublicitySerializer
    filterset_class = PublicityApiFilter
    permission_classes = [DjangoModelPermissions]

    def filter_queryset(self, queryset):
        # The list's filters are the list's: a detail and its void find any activity in scope.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def perform_create(self, serializer):
        serializer.instance = services.publicity_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.publicity_update(
            activity=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=PublicityVoidSerializer, responses=PublicitySerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeByPost])
    def void(self, request, pk=None):
        """Void (作废) the activity with a reason: it drops out of every list and count."""
        activity = self.get_object()
        body = PublicityVoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        activity = services.publicity_void(activity=activity, user=request.user, reason=body.validated_data["reason"])
        return Response(self.get_serializer(activity).data)
