from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from audit import receivers  # noqa: F401  (connects the login signals)
        from orgs.navigation import Section, register

        register(
            Section("audit", "审计", "audit", "登录、导入、签发、个人信息查看与记录修改的审计日志",
                    permission="audit.view_auditevent", order=98)
        )  # fmt: skip
