from django.urls import path

from dashboards import views

urlpatterns = [
    path("", views.dashboard_home, name="dashboard_home"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/panels/<slug:key>/", views.dashboard_panel_download, name="dashboard_panel_download"),
]
