from django.conf import settings

from orgs.navigation import sections_for


def navigation(request):
    """The sections the signed-in user may open, and which one the page belongs to."""
    sections = sections_for(request.user)
    current = next(
        (s.key for s in sorted(sections, key=lambda s: -len(s.url)) if request.path.startswith(s.url)),
        None,
    )
    return {"nav_sections": sections, "nav_current": current, "brand_name": settings.SITE_NAME}
