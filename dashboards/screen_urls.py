"""The big screen (大屏) and the reviewer's home. Included at the site's root."""

from django.urls import path

from dashboards import reviewer, screen

urlpatterns = [
    path("screen/", screen.screen_home, name="screen_home"),
    path("screen/<str:code>/", screen.screen, name="screen"),
    path("reviewer/", reviewer.reviewer_home, name="reviewer_home"),
]
