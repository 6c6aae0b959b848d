"""Admin for monthly targets (scoped like every admin: a county's people see and set that
county's subtree), the 红黄牌 rule (one row), and the rollups' freshness (read only)."""

from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from orgs.admin import ScopedAdminMixin
from stats.models import CardRule, StatsState, Target
from stats.targets import month_label


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["unit", "month", "metric", "drop_pct", "note"]

    def clean_month(self):
        # A target is for a month: any day of it stands for its first day.
        month = self.cleaned_data["month"]
        return month.replace(day=1) if month else month


@admin.register(Target)
class TargetAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = TargetForm
    list_display = ["unit", "month_display", "metric", "drop_pct", "note", "set_by", "updated_at"]
    list_filter = ["metric", "month"]
    list_select_related = ["unit", "set_by"]
    search_fields = ["unit__name", "unit__code", "note"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["set_by", "updated_at"]
    fields = ["unit", "month", "metric", "drop_pct", "note", "set_by", "updated_at"]

    @admin.display(description="月份", ordering="month")
    def month_display(self, obj):
        return month_label(obj.month)

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)


class CardRuleForm(forms.ModelForm):
    class Meta:
        model = CardRule
        fields = ["yellow_margin", "red_rise_pct"]

    def clean_yellow_margin(self):
        value = self.cleaned_data["yellow_margin"]
        if value is not None and value < 0:
            raise forms.ValidationError("黄牌容差不能为负数。")
        return value

    def clean_red_rise_pct(self):
        value = self.cleaned_data["red_rise_pct"]
        if value is not None and value <= 0:
            raise forms.ValidationError("红牌的同比升幅须大于0。")
        return value


@admin.register(CardRule)
class CardRuleAdmin(admin.ModelAdmin):
    """The one rule (pk 1): the list goes straight to it; it is neither added nor deleted."""

    form = CardRuleForm

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        return redirect(reverse("admin:stats_cardrule_change", args=[CardRule.current().pk]))


@admin.register(StatsState)
class StatsStateAdmin(admin.ModelAdmin):
    """How fresh the rollups are; written only by the refresh. Any admin user may look."""

    list_display = ["__str__", "refreshed_at", "rebuilt_at", "last_pairs", "last_seconds", "watermark"]
    fields = ["refreshed_at", "rebuilt_at", "last_pairs", "last_seconds", "watermark"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
