"""Admin for early-warning work: the deadline policy, which administrators edit here, and
the tasks and 四必查 reviews, which are read here (scoped) — they change on their own
pages through the services, which keep the timeline and check every step.

The subject's personal data is shown masked, as on the pages."""

from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from earlywarnings.models import (
    ContactAttempt,
    DeadlinePolicy,
    Escalation,
    FourChecksReview,
    TaskTransition,
    WarningTask,
)
from earlywarnings.templatetags.warning_tags import mask_id_no, mask_name, mask_phone
from orgs.admin import ReadOnlyRecordAdmin


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(SimpleHistoryAdmin):
    list_display = ["level", "sign_minutes", "handle_minutes"]
    list_editable = ["sign_minutes", "handle_minutes"]
    list_display_links = ["level"]

    def get_readonly_fields(self, request, obj=None):
        # One row per level, seeded by a migration: the minutes change, the level does not.
        return ["level"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransitionInline(ReadOnlyInline):
    model = TaskTransition
    fields = ["at", "action", "from_status", "to_status", "by", "from_unit", "to_unit", "note"]


class AttemptInline(ReadOnlyInline):
    model = ContactAttempt
    fields = ["at", "method", "officer", "note"]


class EscalationInline(ReadOnlyInline):
    model = Escalation
    fields = ["at", "deadline", "step", "unit", "notified"]


@admin.register(WarningTask)
class WarningTaskAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "task_no",
        "level",
        "kind",
        "station",
        "status",
        "issued_at",
        "handle_deadline",
        "outcome",
        "is_voided",
    ]
    list_filter = ["status", "level", "kind", "outcome", ("voided_at", admin.EmptyFieldListFilter)]
    list_select_related = ["station"]
    search_fields = ["task_no"]
    date_hierarchy = "issued_at"
    fields = [
        "task_no", "issued_at", "level", "kind", "source", "station",
        "subject_name_masked", "subject_phone_masked", "subject_id_no_masked", "fraud_type", "status",
        "sign_deadline", "handle_deadline", "acknowledged_at", "acknowledged_by", "handled_at", "handled_by",
        "method", "outcome", "handling_note", "loss_prevented", "loss", "case", "reviewed_at", "reviewed_by",
        "voided_at", "voided_by", "void_reason", "created_at", "updated_at",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [TransitionInline, AttemptInline, EscalationInline]

    @admin.display(description="预警对象")
    def subject_name_masked(self, obj):
        return mask_name(obj.subject_name)

    @admin.display(description="对象手机号")
    def subject_phone_masked(self, obj):
        return mask_phone(obj.subject_phone)

    @admin.display(description="对象身份证号")
    def subject_id_no_masked(self, obj):
        return mask_id_no(obj.subject_id_no)

    def view_on_site(self, obj):
        return reverse("warning_detail", args=[obj.pk])


@admin.register(FourChecksReview)
class FourChecksReviewAdmin(ReadOnlyRecordAdmin):
    list_display = ["title", "kind", "county", "opened_at", "due_on", "status", "closed_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["county"]
    search_fields = ["title", "trigger_key"]
    fields = [
        "kind", "title", "county", "trigger_key", "opened_at", "due_on", "status", "task", "case", "area", "place",
        "cases", "conclusion", "closed_at", "closed_by",
    ]  # fmt: skip
    readonly_fields = fields

    def view_on_site(self, obj):
        return reverse("review_detail", args=[obj.pk])
