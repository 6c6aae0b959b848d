from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "单位与用户"

    def ready(self) -> None:
        from orgs.navigation import Section, register
        from orgs.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="orgs.sync_role_groups")
        register(Section("home", "首页", "home", "本单位概况与下级单位", order=0))
        register(Section("units", "单位", "unit_list", "本单位及下级单位、辖区区域", order=85))
        register(Section("admin", "管理后台", "admin:index", "维护单位、区域和用户", staff_only=True, order=99))
