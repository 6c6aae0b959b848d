"""Filters for publicity lists, shared by the pages and the API."""

import django_filters
from django.db.models import Q

from orgs.filters import filter_unit_subtree
from publicity.models import PublicityActivity, PublicityForm


class PublicityFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(method=filter_unit_subtree, label="单位编码（含下级）")
    start = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label="活动日期自")
    end = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label="活动日期至")
    form = django_filters.ChoiceFilter(choices=PublicityForm.choices, label="活动形式", empty_label="全部形式")
    q = django_filters.CharFilter(method="search", label="活动名称、对象或地点")

    class Meta:
        model = PublicityActivity
        fields = ["unit", "start", "end", "form"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(audience__icontains=value) | Q(place__icontains=value))
