"""Filters for case lists, shared by the pages, the Excel export and the API."""

import django_filters
from django.db.models import Q

from cases.models import FraudCase, FraudType
from orgs.filters import filter_unit_subtree


class CaseFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(method=filter_unit_subtree, label="单位编码（含下级）")
    start = django_filters.DateFilter(field_name="reported_on", lookup_expr="gte", label="受理日期自")
    end = django_filters.DateFilter(field_name="reported_on", lookup_expr="lte", label="受理日期至")
    fraud_type = django_filters.ModelChoiceFilter(
        queryset=FraudType.objects.all(), to_field_name="code", label="诈骗类型", empty_label="全部类型"
    )
    loss_min = django_filters.NumberFilter(field_name="loss", lookup_expr="gte", label="损失不少于（元）")
    loss_max = django_filters.NumberFilter(field_name="loss", lookup_expr="lte", label="损失不多于（元）")
    filed = django_filters.BooleanFilter(field_name="filed", label="是否立案")
    solved = django_filters.BooleanFilter(field_name="solved_on", lookup_expr="isnull", exclude=True, label="是否破案")
    warned_before = django_filters.BooleanFilter(field_name="warned_before", label="预警后被骗")
    q = django_filters.CharFilter(method="search", label="案件编号或发案部位")

    class Meta:
        model = FraudCase
        fields = ["unit", "start", "end", "fraud_type", "loss_min", "loss_max", "filed", "solved", "warned_before"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(case_no__icontains=value) | Q(place__icontains=value))
