"""Scope applied once: the view mixin and the base API viewsets every app builds on,
and the parts every record API shares.

All read through ``Model.objects.for_user(user)``, so a row outside the user's subtree
is simply not there: lists omit it, details answer 404 (never 403, which would confirm
that it exists) and a code field refuses it as unknown.
"""

import django_filters
from django.contrib.auth.mixins import LoginRequiredMixin
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import DjangoModelPermissions


class ScopedViewMixin(LoginRequiredMixin):
    """For class-based HTML views over a model with a scoped QuerySet."""

    model = None

    def get_queryset(self):
        return self.model._default_manager.for_user(self.request.user)


class ScopedViewSetMixin:
    """For DRF viewsets: ``queryset`` is narrowed to the requesting user's subtree."""

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


# ---------------------------------------------------------------------------------------
# Records (cases, publicity activities, early-warning tasks…): read within scope, created
# and changed with the role's model permissions through the app's services, never
# deleted but voided.


class ScopedRecordViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Reading needs only scope (GET is free in ``DjangoModelPermissions``); creating
    and changing need the model's add / change permission. The app's ``perform_create``
    and ``perform_update`` call its services."""

    permission_classes = [DjangoModelPermissions]

    def filter_queryset(self, queryset):
        # The list's filters are the list's: a record's detail and actions (void, its
        # events…) find any record in scope, voided or not.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


class ChangeByPost(DjangoModelPermissions):
    """An action that changes an existing record by POST (void) needs the change permission."""

    perms_map = {**DjangoModelPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label="作废原因")


class ScopedCodeField(serializers.SlugRelatedField):
    """A foreign key written and read as the target's code, accepting only targets in
    the caller's subtree (``queryset.for_user(user)``; nothing without a request): a
    record is refused, not moved into another county's station.

    ``noun`` names the target in the error: ``ScopedCodeField("派出所", queryset=…)``.
    """

    def __init__(self, noun: str, **kwargs):
        kwargs.setdefault("error_messages", {"does_not_exist": f"编码为“{{value}}”的{noun}不存在或不在本单位辖区内。"})
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.for_user(request.user) if request is not None else queryset.none()

    def to_internal_value(self, data):
        # A NUL is no code, and PostgreSQL cannot compare a text with one (a 500 otherwise).
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", "\\0"))
        return super().to_internal_value(data)


def voided_filter(records: str) -> django_filters.BooleanFilter:
    """``?voided=true`` on a record list; ``records`` names them (案件, 活动…)."""
    return django_filters.BooleanFilter(method="keep_all", label=f"已作废（true：只列已作废的{records}）")


class VoidedFilterMixin:
    """For a record API's FilterSet: live records unless ``?voided=true``, which lists
    only the voided ones. Declare the filter with ``voided = voided_filter("案件")``."""

    def keep_all(self, queryset, name, value):
        return queryset  # applied in filter_queryset: the default (live only) needs no parameter

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset.voided() if self.form.cleaned_data.get("voided") else queryset.live()
