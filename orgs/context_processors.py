from functools import cache

from django.conf import settings

from orgs.navigation import sections_for


def navigation(request):
    """The sections the signed-in user may open, and which one the page belongs to."""
    sections = sections_for(request.user)
    current = next(
        (s.key for s in sorted(sections, key=lambda s: -len(s.url)) if _within(request.path, s.url)),
        None,
    )
    return {"nav_sections": sections, "nav_current": current, "brand_name": settings.SITE_NAME}


def notifications(request):
    """The unread count under the bell: one COUNT, run only when a page shows it, and
    none at all for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": cache(lambda: user.notifications.unread().count())}


def _within(path: str, url: str) -> bool:
    """A page belongs to a section below its URL; the home page ("/") only to itself."""
    return path == url if url == "/" else path.startswith(url)
