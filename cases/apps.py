from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "电诈案件"

    def ready(self) -> None:
        from orgs.navigation import Section, register
        from orgs.roles import ROLE_PERMISSIONS, Role

        view = {"cases.view_fraudcase", "cases.view_caseevent", "cases.view_fraudtype"}
        manage = {
            "cases.add_fraudcase", "cases.change_fraudcase",
            "cases.add_caseevent", "cases.change_caseevent",
            "cases.add_fraudtype", "cases.change_fraudtype",
        }  # fmt: skip
        for role in Role:
            ROLE_PERMISSIONS[role] |= view
        ROLE_PERMISSIONS[Role.CLERK] |= manage
        register(
            Section(
                "cases",
                "案件",
                "case_list",
                "电诈案件及其破案、抓获、追赃进展",
                permission="cases.view_fraudcase",
                order=20,
            )
        )
