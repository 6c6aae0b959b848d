"""Bulletins in the admin: to look, not to edit (issue and correct in the app, where the
rules are). A failed draft shows its error here too. Scoped like every admin page: a
bulletin of another county is not found."""

from django.contrib import admin

from orgs.admin import ScopedAdminMixin

from .models import Bulletin, BulletinDownload


@admin.register(Bulletin)
class BulletinAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "number_label", "revision", "status", "drafted_at", "issued_at", "error")
    list_filter = ("kind", "status")
    search_fields = ("unit__name", "unit__code", "period_label")
    fields = ("unit", "kind", "period_label", "period_start", "period_end", "revision", "number", "status",
              "drafted_at", "drafted_by", "issued_at", "issued_by", "corrects", "correction_note", "error")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BulletinDownload)
class BulletinDownloadAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("at", "user", "bulletin", "format", "via")
    list_filter = ("format", "via")
    readonly_fields = ("at", "user", "bulletin", "format", "via")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
