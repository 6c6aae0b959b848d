"""Pages of the unit tree: the home page, the tree and one unit; the user's notifications."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from orgs.models import Area, Unit
from orgs.navigation import home_for, sections_for
from orgs.notifications import notification_mark_read
from orgs.pages import PAGE_SIZE
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
    role_home = home_for(user)
    if role_home and not request.GET.get("overview"):
        return redirect(role_home)
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


@login_required
def notifications(request):
    """The user's notifications, newest first; a POST marks them all read (全部标为已读)."""
    if request.method == "POST":
        notification_mark_read(user=request.user)
        return redirect("notifications")
    page = Paginator(request.user.notifications.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orgs/notifications.html", {"page": page})


@require_POST
@login_required
def notification_read(request, pk):
    """Mark one notification read and open what it points to. Someone else's: 404."""
    notification = get_object_or_404(request.user.notifications, pk=pk)
    notification_mark_read(user=request.user, ids=[notification.pk])
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications")
