"""Pages of the unit tree: the home page, the tree and one unit."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from orgs.models import Area, AreaKind, Unit
from orgs.navigation import sections_for
from orgs.roles import ROLE_DUTIES
from orgs.selectors import unit_child_rows, visible_ancestors


@login_required
def home(request):
    user = request.user
    unit = user.unit
    context = {
        "unit": unit,
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
    areas = list(Area.objects.filter(station=unit).select_related("parent")) if unit.is_station else []
    top_areas = [a for a in areas if a.parent_id is None]
    area_children = {a.pk: [c for c in areas if c.parent_id == a.pk] for a in top_areas}
    context = {
        "unit": unit,
        "breadcrumb": visible_ancestors(unit=unit, user=request.user),
        "child_rows": unit_child_rows(unit=unit, user=request.user),
        "area_groups": [(a, area_children[a.pk]) for a in top_areas],
        "area_count": len(areas),
        "community_count": sum(1 for a in areas if a.kind in (AreaKind.COMMUNITY, AreaKind.VILLAGE)),
    }
    return render(request, "orgs/unit_detail.html", context)
