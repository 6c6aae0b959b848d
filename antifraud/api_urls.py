"""The ``/api/v1/`` URL space: one router every app's viewsets are registered on.

Any other path under it (a typo, an id that is not one, like ``/api/v1/cases/1.5/``)
answers the API's JSON 404, not the site's HTML error page.
"""

from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter

from bulletins.api import BulletinViewSet
from cases.api import CaseViewSet, FraudTypeViewSet
from earlywarnings.api import FourChecksReviewViewSet, WarningTaskViewSet
from imports.api import ImportJobViewSet
from orgs.api import UnitViewSet, me
from publicity.api import PublicityViewSet
from stats.api import stats_breakdown_view, stats_view
from stats.targets_api import TargetViewSet

# It also routes each URL's format-suffix twin (``cases/1/events.json``), which hands the
# view a ``format`` argument: every action takes ``format=None``.
router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("fraud-types", FraudTypeViewSet, basename="fraudtype")
router.register("cases", CaseViewSet, basename="case")
router.register("publicity", PublicityViewSet, basename="publicity")
router.register("imports", ImportJobViewSet, basename="import")
router.register("warnings", WarningTaskViewSet, basename="warningtask")
router.register("reviews", FourChecksReviewViewSet, basename="fourchecksreview")
router.register("targets", TargetViewSet, basename="target")
router.register("bulletins", BulletinViewSet, basename="bulletin")


@csrf_exempt  # it changes nothing: a write to a path that is not there is not found, not a CSRF failure
def not_found(request, *args, **kwargs):
    """The API's 404 (``{"detail": "未找到。"}``) for a path no route takes."""
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404, json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("me/", me, name="api-me"),
    path("stats/", stats_view, name="api-stats"),
    path("stats/breakdown/", stats_breakdown_view, name="api-stats-breakdown"),
    *router.urls,
    # Only paths ending in a slash: one without keeps APPEND_SLASH's redirect to its route.
    re_path(r"^.*/$", not_found, name="api-not-found"),
]
