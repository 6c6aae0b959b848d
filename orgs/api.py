"""REST API of the unit tree: ``/api/v1/units/`` (scoped) and ``/api/v1/me/``, and the
code field the other APIs name units and fraud types with."""

import django_filters
from django.utils.encoding import smart_str
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from orgs.models import Unit, UnitLevel, code_validator
from orgs.scoping import ScopedReadOnlyViewSet

NUL = "\x00"


class CodeField(serializers.SlugRelatedField):
    """A related record written as its code (``SlugRelatedField`` on ``code``). A value holding
    a NUL character is no code and is refused like any unknown one: PostgreSQL cannot even
    compare a text with it, and the lookup would fail with a server error."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and NUL in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=smart_str(data))
        return super().to_internal_value(data)


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
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
    # Only what a code can be: anything else (a NUL, which PostgreSQL cannot compare) is the
    # API's 404 before any query.
    lookup_value_regex = code_validator.regex.pattern.strip("^$")


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
