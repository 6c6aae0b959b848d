"""Reads of the unit tree that are more than one filter."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from orgs.models import TOP_AREA_KINDS, Area, Unit, UnitLevel


@dataclass(frozen=True)
class UnitRow:
    """A unit with the size of what lies under it (``areas``: communities and villages)."""

    unit: Unit
    stations: int
    areas: int


def unit_child_rows(*, unit: Unit | None, user) -> list[UnitRow]:
    """The children of ``unit`` (the roots the user may see when ``unit`` is None),
    each with the number of stations and of communities / villages in its subtree."""
    if unit is None:
        children = list(Unit.objects.for_user(user).filter(parent__isnull=True))
        scope = Unit.objects.for_user(user)
    else:
        children = list(unit.children.all())
        scope = Unit.objects.subtree(unit)
    station_paths = scope.filter(level=UnitLevel.STATION).values_list("path", flat=True)
    area_station_paths = (
        Area.objects.filter(station__in=scope.values("pk"))
        .exclude(kind__in=TOP_AREA_KINDS)
        .values_list("station__path", flat=True)
    )
    stations = _count_by_prefix(children, station_paths)
    areas = _count_by_prefix(children, area_station_paths)
    return [UnitRow(child, stations[child.path], areas[child.path]) for child in children]


def _count_by_prefix(units: list[Unit], paths) -> Counter:
    """How many of ``paths`` lie in each unit's subtree (a unit's path is a prefix)."""
    counts: Counter = Counter()
    by_path = {u.path: u for u in units}
    depth = units[0].depth if units else 0
    for path in paths:
        parts = path.split("/")
        prefix = "/".join(parts[: depth + 1]) + "/"
        if prefix in by_path:
            counts[prefix] += 1
    return counts


def visible_ancestors(*, unit: Unit, user) -> list[tuple[Unit, bool]]:
    """The breadcrumb: each ancestor (and the unit) with whether the user may open it."""
    trail = unit.ancestors(include_self=True)
    root = user.unit if not user.is_superuser else None
    return [(u, root is None or u.is_within(root)) for u in trail]
