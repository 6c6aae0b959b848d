"""Admin for the fraud-type taxonomy, which clerks edit here, and for cases with their
ledgers, which they read here: a case changes through the case pages, whose services
check it (an area within its station, 破案 once…) and record who did it."""

from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from cases.models import CaseEvent, FraudCase, FraudType
from cases.services import CASE_FIELDS
from orgs.admin import ReadOnlyRecordAdmin


@admin.register(FraudType)
class FraudTypeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "aliases", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "aliases"]

    def has_delete_permission(self, request, obj=None):
        # Cases point at their type: a type no longer used is switched off, not deleted.
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["occurred_on", "kind", "count", "amount", "note", "voided_at", "void_reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FraudCase)
class FraudCaseAdmin(ReadOnlyRecordAdmin):
    list_display = ["case_no", "reported_on", "station", "fraud_type", "loss", "filed", "solved_on", "is_voided"]
    list_filter = ["fraud_type", "filed", "warned_before", ("voided_at", admin.EmptyFieldListFilter)]
    list_select_related = ["station", "fraud_type"]
    search_fields = ["case_no", "place"]
    date_hierarchy = "reported_on"
    fields = [*CASE_FIELDS, "solved_on", "voided_at", "voided_by", "void_reason", "created_at", "updated_at"]
    readonly_fields = ["voided_at", "voided_by", "void_reason", "created_at", "updated_at"]
    inlines = [CaseEventInline]

    def view_on_site(self, obj):
        return reverse("case_detail", args=[obj.pk])
