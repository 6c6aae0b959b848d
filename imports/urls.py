from django.urls import path

from imports import views

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/status/", views.import_status, name="import_status"),
    path("<int:pk>/errors.csv", views.import_error_report, name="import_error_report"),
    path("progress/<str:token>/", views.import_progress_by_token, name="import_progress"),
    path("template/<str:kind>.csv", views.import_template, name="import_template"),
]
