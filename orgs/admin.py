"""Admin for units, areas and users, scoped like every other view: a clerk of a county
maintains that county's subtree and nothing else. Also the bases every record app's
admin builds on (``ScopedAdminMixin``, ``ReadOnlyRecordAdmin``)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from orgs.models import Area, Unit, UnitLevel, User


class ScopedAdminMixin:
    """Rows and choices limited to the admin user's subtree (superusers: everything)."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.remote_field.model
        if hasattr(model.objects, "for_user"):
            queryset = kwargs.get("queryset") or model.objects.all()
            kwargs["queryset"] = queryset.for_user(request.user).complex_filter(db_field.get_limit_choices_to())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedHistoryMixin:
    """django-simple-history's pages look a row up by id, outside the scoped queryset:
    refuse (404) what the user cannot see."""

    def _in_scope(self, request, object_id) -> None:
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyRecordAdmin(ScopedHistoryMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Records are read (and their history browsed) here; they change on their own pages
    through the services, and are voided there, never deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="已作废", boolean=True)
    def is_voided(self, obj):
        return obj.is_voided


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "population", "updated_at"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth", "created_at", "updated_at"]
    fields = ["code", "name", "level", "parent", "population", "path", "depth", "created_at", "updated_at"]
    autocomplete_fields = ["parent"]


@admin.register(Area)
class AreaAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "kind", "station", "parent", "population"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "station__name"]
    list_select_related = ["station", "parent"]
    autocomplete_fields = ["station", "parent"]
    readonly_fields = ["created_at", "updated_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "station":
            kwargs["queryset"] = Unit.objects.filter(level=UnitLevel.STATION)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    list_display = ["username", "display_name", "unit", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["last_name", "first_name", "email"]}),
        ("单位与角色", {"fields": ["unit", "role"]}),
        ("状态", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("时间", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "unit", "role", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    @admin.display(description="姓名")
    def display_name(self, obj):
        return obj.display_name

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser may grant or revoke superuser and staff status by hand.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "is_staff"]
        return fields
