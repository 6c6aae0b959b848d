"""The ``/api/v1/`` URL space: one router every app's viewsets are registered on."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from orgs.api import UnitViewSet, me

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("me/", me, name="api-me"),
    *router.urls,
]
