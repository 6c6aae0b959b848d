"""The archive's filters, shared by the page and the API: kind, unit (its subtree), status,
year, and a date inside the period."""

import django_filters
from django import forms

from orgs.filters import filter_unit_subtree

from .models import Bulletin, BulletinKind, BulletinStatus


class BulletinFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="类别", choices=BulletinKind.choices, empty_label="全部类别")
    unit = django_filters.CharFilter(label="单位", method=filter_unit_subtree, help_text="单位编码（含下级）")
    status = django_filters.ChoiceFilter(label="状态", choices=BulletinStatus.choices, empty_label="全部状态")
    year = django_filters.NumberFilter(label="年份", help_text="期间所在年（期号按此年计）")
    date = django_filters.DateFilter(
        label="期间含日期", method="filter_date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    class Meta:
        model = Bulletin
        fields = ["kind", "unit", "status", "year", "date"]

    def filter_date(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)
