"""Roles: what a user may do. (What they may see is their unit's subtree.)

Each role is a Django group of the same (Chinese) name whose permissions are kept
equal to ``ROLE_PERMISSIONS`` after every ``migrate``. An app that adds models adds
its permissions to the map in its ``AppConfig.ready()``.
"""

from django.db import models


class Role(models.TextChoices):
    LEADER = "leader", "局领导"
    ANALYST = "analyst", "研判员"
    REVIEWER = "reviewer", "审核员"
    OFFICER = "officer", "派出所民警"
    CLERK = "clerk", "数据员"


ROLE_GROUP_NAMES = {role.value: role.label for role in Role}

# Roles that maintain data in the admin site (analysts: targets and the card rule).
STAFF_ROLES = {Role.CLERK, Role.ANALYST}

# What each role does, in the words of DOMAIN.md; shown on the home page.
ROLE_DUTIES = {
    Role.LEADER: "查看本单位及下级单位的态势与排名，下载通报，关注红黄牌。",
    Role.ANALYST: "研判本单位及下级单位的数据，起草和签发通报，设定指标任务。",
    Role.REVIEWER: "审核辖区派出所的预警处置反馈，退回不合格的反馈。",
    Role.OFFICER: "处置本所的预警劝阻任务：签收、联系、反馈结果。",
    Role.CLERK: "导入上级平台的数据，维护单位树、区域、用户和分类。",
}

VIEW_ORGS = {"orgs.view_unit", "orgs.view_area"}
MANAGE_ORGS = {
    "orgs.add_unit", "orgs.change_unit", "orgs.view_unit",
    "orgs.add_area", "orgs.change_area", "orgs.view_area",
    "orgs.add_user", "orgs.change_user", "orgs.view_user",
}  # fmt: skip

# Monthly targets (压降目标): everyone reads them; analysts set them and the card rule.
VIEW_TARGETS = {"stats.view_target"}
SET_TARGETS = {"stats.add_target", "stats.change_target", "stats.delete_target", "stats.view_target",
               "stats.view_cardrule", "stats.change_cardrule", "stats.view_statsstate"}  # fmt: skip

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.LEADER: VIEW_ORGS | VIEW_TARGETS,
    Role.ANALYST: VIEW_ORGS | SET_TARGETS,
    Role.REVIEWER: VIEW_ORGS | VIEW_TARGETS,
    Role.OFFICER: VIEW_ORGS | VIEW_TARGETS,
    Role.CLERK: MANAGE_ORGS | VIEW_TARGETS,
}


def sync_role_groups(**kwargs) -> None:
    """Create the role groups and set their permissions to exactly the declared ones.

    Connected to ``post_migrate``; permissions whose model does not exist (yet) are
    skipped, so the map may name permissions of apps that come later.
    """
    from django.contrib.auth.models import Group, Permission

    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=ROLE_GROUP_NAMES[role])
        wanted = Permission.objects.none()
        for app_label in {name.split(".")[0] for name in codenames}:
            names = [name.split(".")[1] for name in codenames if name.startswith(f"{app_label}.")]
            wanted = wanted | Permission.objects.filter(content_type__app_label=app_label, codename__in=names)
        group.permissions.set(wanted)
