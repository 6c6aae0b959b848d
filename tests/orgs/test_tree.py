import pytest
from django.core.exceptions import ValidationError

from orgs.models import Area, AreaKind, Unit, UnitLevel
from tests.factories import AreaFactory, UnitFactory


def test_path_and_depth_follow_the_parents(tree):
    assert tree.city.path == "C/"
    assert tree.station_a.path == "C/X/XA/"
    assert (tree.city.depth, tree.county_x.depth, tree.station_a.depth) == (0, 1, 2)


def test_subtree_holds_the_unit_and_its_descendants_only(tree):
    codes = set(Unit.objects.subtree(tree.county_x).values_list("code", flat=True))
    assert codes == {"X", "XA", "XB"}
    assert set(Unit.objects.subtree(tree.county_x, include_self=False).values_list("code", flat=True)) == {"XA", "XB"}


def test_a_code_that_prefixes_another_does_not_leak_into_its_subtree(tree):
    UnitFactory(code="XAB", name="前缀相同的派出所", parent=tree.county_x)
    assert list(Unit.objects.subtree(tree.station_a).values_list("code", flat=True)) == ["XA"]


def test_moving_a_county_rewrites_the_paths_below_it(tree):
    province = UnitFactory(code="P", level=UnitLevel.PROVINCE)
    tree.city.parent = province
    tree.city.save()
    tree.station_a.refresh_from_db()
    assert tree.station_a.path == "P/C/X/XA/"
    assert tree.station_a.depth == 3


def test_changing_a_code_rewrites_the_paths_below_it(tree):
    tree.county_x.code = "X2"
    tree.county_x.save()
    assert set(Unit.objects.subtree(tree.county_x).values_list("code", flat=True)) == {"X2", "XA", "XB"}
    tree.station_b.refresh_from_db()
    assert tree.station_b.path == "C/X2/XB/"


def test_a_unit_cannot_move_under_its_own_descendant(tree):
    tree.county_x.parent = tree.station_a
    with pytest.raises(ValidationError) as exc:
        tree.county_x.full_clean()
    assert "上级单位不能是本单位或其下级单位" in str(exc.value)


def test_a_station_cannot_be_the_parent_of_a_county(tree):
    county = Unit(code="Z", name="新区分局", level=UnitLevel.COUNTY, parent=tree.station_a)
    with pytest.raises(ValidationError) as exc:
        county.full_clean()
    assert "派出所不能作为县(区)局的上级单位" in str(exc.value)


def test_codes_with_path_separators_are_refused(db):
    with pytest.raises(ValidationError):
        Unit(code="99/01", name="坏编码", level=UnitLevel.CITY).full_clean()


def test_ancestors_run_from_the_root(tree):
    assert [u.code for u in tree.station_a.ancestors()] == ["C", "X"]
    assert [u.code for u in tree.station_a.ancestors(include_self=True)] == ["C", "X", "XA"]


def test_an_area_belongs_to_a_station_only(tree):
    area = Area(code="BAD", name="错误区域", kind=AreaKind.COMMUNITY, station=tree.county_x)
    with pytest.raises(ValidationError) as exc:
        area.full_clean()
    assert "区域只能归属于派出所" in str(exc.value)


def test_a_community_cannot_hold_a_township(tree):
    community = Area.objects.get(code="XA1001")
    township = Area(code="T", name="某镇", kind=AreaKind.TOWNSHIP, station=tree.station_a, parent=community)
    with pytest.raises(ValidationError):
        township.full_clean()


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [106.7, 31.6]},
        {"type": "Polygon", "coordinates": [[[106.7, 31.6], [106.8, 31.6], [106.7, 31.6]]]},
        {"type": "Polygon", "coordinates": [[[106.7, 31.6], [106.8, 31.6], [106.8, 31.7], [206.7, 31.6]]]},
        {"type": "Polygon", "coordinates": "not a ring"},
    ],
)
def test_bad_geometry_is_refused(tree, geometry):
    area = AreaFactory.build(code="G", station=tree.station_a, geometry=geometry)
    with pytest.raises(ValidationError):
        area.full_clean()


def test_a_polygon_geometry_is_accepted(tree):
    ring = [[106.7, 31.6], [106.8, 31.6], [106.8, 31.7], [106.7, 31.7], [106.7, 31.6]]
    AreaFactory.build(
        code="G", station=tree.station_a, geometry={"type": "Polygon", "coordinates": [ring]}
    ).full_clean()


def test_a_child_saved_with_a_stale_parent_still_gets_the_right_path(tree):
    stale_county = Unit.objects.get(code="X")
    tree.county_x.parent = tree.county_y.parent  # unchanged parent, but re-code it
    tree.county_x.code = "X9"
    tree.county_x.save()
    station = Unit(code="XN", name="新派出所", level=UnitLevel.STATION, parent=stale_county)
    station.save()
    assert station.path == "C/X9/XN/"
