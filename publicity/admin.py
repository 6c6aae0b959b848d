"""Admin for publicity activities: read and history here; recorded, corrected and
voided on the publicity pages through ``publicity.services``."""

from django.contrib import admin
from django.urls import reverse

from orgs.admin import ReadOnlyRecordAdmin
from publicity.models import PublicityActivity


@admin.register(PublicityActivity)
class PublicityActivityAdmin(ReadOnlyRecordAdmin):
    list_display = ["held_on", "title", "unit", "form", "audience", "reach", "materials", "app_installs", "is_voided"]
    list_filter = ["form", ("voided_at", admin.EmptyFieldListFilter)]
    list_select_related = ["unit"]
    search_fields = ["title", "audience", "place", "activity_no"]
    date_hierarchy = "held_on"
    fields = [
        "activity_no", "held_on", "unit", "title", "form", "audience", "place", "reach", "materials", "app_installs",
        "voided_at", "voided_by", "void_reason", "created_at", "updated_at",
    ]  # fmt: skip
    readonly_fields = ["voided_at", "voided_by", "void_reason", "created_at", "updated_at"]

    def view_on_site(self, obj):
        return reverse("publicity_detail", args=[obj.pk])
