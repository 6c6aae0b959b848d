from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "publicity"
    verbose_name = "反诈宣传"

    def ready(self) -> None:
        from orgs.navigation import Section, register
        from orgs.roles import ROLE_PERMISSIONS, Role

        view = {"publicity.view_publicityactivity"}
        record = {"publicity.add_publicityactivity", "publicity.change_publicityactivity"}
        for role in Role:
            ROLE_PERMISSIONS[role] |= view
        # Stations record their own publicity work; clerks maintain everyone's.
        ROLE_PERMISSIONS[Role.OFFICER] |= record
        ROLE_PERMISSIONS[Role.CLERK] |= record
        register(
            Section(
                "publicity", "宣传", "publicity_list", "反诈宣传活动的登记与查询",
                permission="publicity.view_publicityactivity", order=30,
            )
        )  # fmt: skip
