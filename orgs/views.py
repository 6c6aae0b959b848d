"""Pages of the unit tree: the home page, the tree and one unit."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from orgs.models import Area, Unit
from orgs.navigation import sections_for
from orgs.roles import ROLE_DUTIES
from orgs.selectors import unit_child_rows, visible_ancestors


def _area_groups(station: Unit) -> list[tuple[Area, list[Area]]]:
    """A station's townships / subdistricts, each with its communities / villages."""
    areas = list(Area.objects.filter(station=station))
    members: dict[int, list[Area]] = {}
    for area in areas:
        if area.parent_id:
            members.setdefault(area.parent_id, []).append(area)
    return [(a, members.get(a.pk, [])) for a in areas if a.parent_id is None]


@login_required
def home(request):
    user = request.user
    unit = user.unit
    context = {
        "unit": unit,
        "area_groups": _area_groups(unit) if unit and unit.is_station else [],
        "breadcrumb": visible_ancestors(unit=unit, user=user) if unit else [],
        "child_rows": unit_child_rows(unit=unit, user=user),
        "duty": ROLE_DUTIES.get(user.role, ""),
        "sections": [s for s in sections_for(user) if s.key != "home"],
    }
    return render(request, "orgs/home.html", context)


@login_required
def unit_list(request):
    units = list(Unit.objects.for_user(request.user))
    top_depth = min((u.depth for u in units), default=0)
    rows = [(u, u.depth - top_depth) for u in units]
    return render(request, "orgs/unit_list.html", {"rows": rows})


@login_required
def unit_detail(request, code):
    unit = get_object_or_404(Unit.objects.for_user(request.user), code=code)
    area_groups = _area_groups(unit) if unit.is_station else []
    context = {
        "unit": unit,
        "breadcrumb": visible_ancestors(unit=unit, user=request.user),
        "child_rows": [] if unit.is_station else unit_child_rows(unit=unit, user=request.user),
        "area_groups": area_groups,
        "community_count": sum(len(members) for _, members in area_groups),
    }
    return render(request, "orgs/unit_detail.html", context)
