from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "数据导入"

    def ready(self) -> None:
        from orgs.navigation import Section, register
        from orgs.roles import ROLE_PERMISSIONS, Role

        ROLE_PERMISSIONS[Role.CLERK] |= {"imports.add_importjob", "imports.view_importjob"}
        ROLE_PERMISSIONS[Role.ANALYST] |= {"imports.view_importjob"}
        register(
            Section(
                "imports", "导入", "import_list", "导入上级平台导出的单位、区域、案件和宣传数据",
                permission="imports.view_importjob", order=80,
            )
        )  # fmt: skip
