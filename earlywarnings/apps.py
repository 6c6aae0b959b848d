from django.apps import AppConfig


class EarlyWarningsConfig(AppConfig):
    name = "earlywarnings"
    verbose_name = "预警劝阻"

    def ready(self) -> None:
        from orgs.navigation import Section, register, register_home
        from orgs.roles import ROLE_PERMISSIONS, Role

        view = {"earlywarnings.view_warningtask", "earlywarnings.view_fourchecksreview"}
        for role in Role:
            ROLE_PERMISSIONS[role] |= view
        # Officers work their station's queue; reviewers accept or return the feedback and
        # write 四必查 conclusions; clerks take tasks in from the platform (push / import).
        ROLE_PERMISSIONS[Role.OFFICER] |= {"earlywarnings.change_warningtask"}
        ROLE_PERMISSIONS[Role.REVIEWER] |= {
            "earlywarnings.change_warningtask", "earlywarnings.review_warningtask",
            "earlywarnings.change_fourchecksreview",
        }  # fmt: skip
        ROLE_PERMISSIONS[Role.CLERK] |= {"earlywarnings.add_warningtask", "earlywarnings.change_warningtask"}
        ROLE_PERMISSIONS[Role.ANALYST] |= {"earlywarnings.change_fourchecksreview"}
        # Whoever phones or visits the person (the station) or calls back to check the
        # feedback (the county's reviewer) may look at the personal data, one logged look at a time.
        ROLE_PERMISSIONS[Role.OFFICER] |= {"earlywarnings.view_personal_data"}
        ROLE_PERMISSIONS[Role.REVIEWER] |= {"earlywarnings.view_personal_data"}
        register_home(Role.OFFICER, "warning_queue")
        register(
            Section("warnings", "预警", "warning_queue", "预警劝阻任务：签收、处置、审核与超期积压",
                    permission="earlywarnings.view_warningtask", order=15)
        )  # fmt: skip
