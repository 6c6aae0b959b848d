from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "态势"

    def ready(self):
        from orgs.navigation import Section, register, register_home
        from orgs.roles import Role

        register(Section("dashboard", "态势", "dashboard_home", "发案、损失、打击、预警劝阻和宣传的实时态势", order=5))
        register_home(Role.LEADER, "dashboard_home")
        register_home(Role.ANALYST, "dashboard_home")
        import dashboards.reviewer  # noqa: F401  (registers the reviewer's home)
