"""The ``/api/v1/`` URL space: one router every app's viewsets are registered on."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from bulletins.api import BulletinViewSet
from cases.api import CaseViewSet, FraudTypeViewSet
from earlywarnings.api import FourChecksReviewViewSet, WarningTaskViewSet
from imports.api import ImportJobViewSet
from orgs.api import UnitViewSet, me
from publicity.api import PublicityViewSet
from stats.api import stats_breakdown_view, stats_view
from stats.targets_api import TargetViewSet

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

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("me/", me, name="api-me"),
    path("stats/", stats_view, name="api-stats"),
    path("stats/breakdown/", stats_breakdown_view, name="api-stats-breakdown"),
    *router.urls,
]
