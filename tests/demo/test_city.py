"""The demo city: units, areas, map shapes and accounts (``seed_demo --no-records``)."""

from io import StringIO

from django.core.management import call_command

from demo.city import COUNTIES, demo_city_plan
from orgs.models import Area, AreaKind, Unit, UnitLevel, User, validate_geometry
from orgs.roles import Role


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", "--no-records", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_builds_the_city(db):
    output = seed("--password", "Demo-pass-2026")
    assert Unit.objects.filter(level=UnitLevel.CITY).count() == 1
    assert Unit.objects.filter(level=UnitLevel.COUNTY).count() == len(COUNTIES)
    assert 20 <= Unit.objects.filter(level=UnitLevel.STATION).count() <= 30
    assert Area.objects.filter(kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE]).count() > 100
    assert "leader" in output and "Demo-pass-2026" in output
    assert User.objects.get(username="officer.linjiang1").check_password("Demo-pass-2026")


def test_seed_demo_has_an_account_for_every_role(db):
    seed("--quiet-accounts")
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(username="admin").is_superuser
    for county in Unit.objects.filter(level=UnitLevel.COUNTY):
        assert county.users.filter(role=Role.REVIEWER).exists(), county
    for station in Unit.objects.stations():
        assert station.users.filter(role=Role.OFFICER).exists(), station


def test_seed_demo_twice_changes_nothing(db):
    seed("--quiet-accounts")
    stamps = dict(Unit.objects.values_list("code", "updated_at"))
    area_stamps = dict(Area.objects.values_list("code", "updated_at"))
    output = seed("--quiet-accounts")
    assert "新建 0，更新 0" in output
    assert dict(Unit.objects.values_list("code", "updated_at")) == stamps
    assert dict(Area.objects.values_list("code", "updated_at")) == area_stamps


def test_seed_demo_keeps_a_changed_password(db):
    seed("--quiet-accounts")
    leader = User.objects.get(username="leader")
    leader.set_password("Changed-pass-77")
    leader.save()
    seed("--quiet-accounts")
    assert User.objects.get(username="leader").check_password("Changed-pass-77")


def test_demo_plan_is_deterministic_for_a_seed():
    assert demo_city_plan(7) == demo_city_plan(7)
    assert demo_city_plan(7) != demo_city_plan(8)


def test_demo_populations_add_up_the_tree():
    plan = demo_city_plan(2026)
    by_parent: dict[str, int] = {}
    for unit in plan.units:
        if unit.parent_code:
            by_parent[unit.parent_code] = by_parent.get(unit.parent_code, 0) + unit.population
        if unit.areas:
            assert unit.population == sum(a.population for a in unit.areas if a.parent_code is None)
    for unit in plan.units:
        if unit.code in by_parent:
            assert unit.population == by_parent[unit.code], unit.name


def test_demo_map_shapes_are_valid_polygons():
    plan = demo_city_plan(2026)
    for unit in plan.units:
        for area in unit.areas:
            validate_geometry(area.geometry)


def test_demo_area_names_are_unique_within_a_county():
    plan = demo_city_plan(2026)
    names_by_county: dict[str, list[str]] = {}
    for unit in plan.units:
        names_by_county.setdefault(unit.parent_code, []).extend(a.name for a in unit.areas)
    for county, names in names_by_county.items():
        assert len(names) == len(set(names)), county
