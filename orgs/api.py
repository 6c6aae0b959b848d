"""REST API of the unit tree: ``/api/v1/units/`` (scoped) and ``/api/v1/me/``."""

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from orgs.models import Unit, UnitLevel
from orgs.scoping import ScopedReadOnlyViewSet


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Unit
        fields = ["code", "name", "level", "level_display", "parent", "population", "depth", "updated_at"]


class UnitFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code", label="上级单位编码")
    level = django_filters.ChoiceFilter(choices=UnitLevel.choices, label="层级")

    class Meta:
        model = Unit
        fields = ["parent", "level"]


class UnitViewSet(ScopedReadOnlyViewSet):
    """Units in the caller's subtree. ``?parent=CODE`` lists one unit's children,
    ``?level=station`` one level; a unit outside the subtree answers 404."""

    queryset = Unit.objects.select_related("parent")
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    lookup_field = "code"


@extend_schema(
    responses=inline_serializer(
        "Me",
        fields={
            "username": serializers.CharField(),
            "name": serializers.CharField(),
            "role": serializers.CharField(allow_null=True),
            "role_display": serializers.CharField(allow_null=True),
            "unit": UnitSerializer(allow_null=True),
            "is_superuser": serializers.BooleanField(),
        },
    )
)
@api_view(["GET"])
def me(request):
    """Who the caller is: their unit and role."""
    user = request.user
    return Response(
        {
            "username": user.username,
            "name": user.display_name,
            "role": user.role or None,
            "role_display": user.get_role_display() or None,
            "unit": UnitSerializer(user.unit).data if user.unit_id else None,
            "is_superuser": user.is_superuser,
        }
    )
