from django.contrib.auth.models import Group
from django.urls import reverse

from orgs.models import Unit, User
from orgs.roles import ROLE_GROUP_NAMES, ROLE_PERMISSIONS, Role, sync_role_groups
from tests.factories import UserFactory


def test_each_role_is_a_group_after_migrate(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUP_NAMES.values())


def test_a_user_is_in_exactly_the_group_of_their_role(tree):
    assert list(tree.officer_a.groups.values_list("name", flat=True)) == ["派出所民警"]
    tree.officer_a.role = Role.ANALYST
    tree.officer_a.save()
    assert list(tree.officer_a.groups.values_list("name", flat=True)) == ["研判员"]


def test_saving_without_a_role_change_keeps_other_groups(tree):
    extra = Group.objects.create(name="专案组")
    tree.officer_a.groups.add(extra)
    tree.officer_a.first_name = "明"
    tree.officer_a.save()
    assert set(tree.officer_a.groups.values_list("name", flat=True)) == {"派出所民警", "专案组"}


def test_clerks_may_maintain_units_and_officers_may_not(tree):
    clerk = UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    assert clerk.is_staff
    assert clerk.has_perm("orgs.change_unit")
    assert not tree.officer_a.has_perm("orgs.change_unit")
    assert tree.officer_a.has_perm("orgs.view_unit")


def test_a_clerk_who_becomes_an_officer_leaves_the_admin(tree):
    clerk = UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    clerk.role = Role.OFFICER
    clerk.save()
    assert not clerk.is_staff


def test_sync_sets_group_permissions_to_exactly_the_declared_ones(db):
    group = Group.objects.get(name="局领导")
    group.permissions.clear()
    sync_role_groups()
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert granted == ROLE_PERMISSIONS[Role.LEADER]
    assert "orgs.view_unit" in granted and "orgs.change_unit" not in granted


def test_admin_shows_a_county_clerk_only_their_subtree(tree, client):
    clerk = UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    client.force_login(clerk)
    response = client.get(reverse("admin:orgs_unit_changelist"))
    assert response.status_code == 200
    assert {u.code for u in response.context["cl"].result_list} == {"X", "XA", "XB"}
    outside = Unit.objects.get(code="YD")
    response = client.get(reverse("admin:orgs_unit_change", args=[outside.pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect, not the object


def test_admin_user_list_is_scoped_too(tree, client):
    clerk = UserFactory(username="clerk", unit=tree.county_y, role=Role.CLERK)
    client.force_login(clerk)
    response = client.get(reverse("admin:orgs_user_changelist"))
    assert {u.username for u in response.context["cl"].result_list} == {"reviewer_y", "clerk"}


def test_officers_cannot_open_the_admin(tree, client):
    client.force_login(tree.officer_a)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_navigation_offers_the_admin_only_to_staff(tree, client):
    client.force_login(tree.officer_a)
    keys = [s.key for s in client.get(reverse("home") + "?overview=1").context["nav_sections"]]
    assert "admin" not in keys and "imports" not in keys
    assert keys[0] == "home"
    clerk = UserFactory(username="clerk", unit=tree.city, role=Role.CLERK)
    client.force_login(clerk)
    keys = [s.key for s in client.get(reverse("home")).context["nav_sections"]]
    assert keys[-1] == "admin" and "imports" in keys


def test_a_clerk_adds_an_officer_in_the_admin(tree, client):
    clerk = UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    client.force_login(clerk)
    response = client.post(
        reverse("admin:orgs_user_add"),
        {"username": "new.officer", "unit": tree.station_b.pk, "role": Role.OFFICER,
         "password1": "Strong-pass-88", "password2": "Strong-pass-88", "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new.officer")
    assert (user.unit, list(user.groups.values_list("name", flat=True))) == (tree.station_b, ["派出所民警"])


def test_a_county_clerk_cannot_place_a_user_in_another_county(tree, client):
    clerk = UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    client.force_login(clerk)
    response = client.post(
        reverse("admin:orgs_user_add"),
        {"username": "intruder", "unit": tree.station_d.pk, "role": Role.OFFICER,
         "password1": "Strong-pass-88", "password2": "Strong-pass-88", "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="intruder").exists()


def test_the_admin_refuses_a_user_without_unit_or_role(tree, client):
    client.force_login(User.objects.create_superuser("root", password="x"))
    response = client.post(
        reverse("admin:orgs_user_add"),
        {"username": "nobody", "password1": "Strong-pass-88", "password2": "Strong-pass-88",
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "除超级管理员外" in str(response.context["adminform"].form.errors)


def test_admin_history_pages_of_records_outside_the_scope_are_not_found(tree, client):
    from tests.factories import CaseFactory

    case = CaseFactory(station=tree.station_d)
    clerk = UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    client.force_login(clerk)
    assert client.get(reverse("admin:cases_fraudcase_history", args=[case.pk])).status_code == 404
    mine = CaseFactory(station=tree.station_a)
    assert client.get(reverse("admin:cases_fraudcase_history", args=[mine.pk])).status_code == 200
