from django.urls import path

from cases import views

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("export/", views.case_export, name="case_export"),
    path("new/", views.case_new, name="case_new"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("<int:pk>/void/", views.case_void, name="case_void"),
    path("<int:pk>/events/", views.case_event_add, name="case_event_add"),
    path("<int:pk>/events/<int:event_pk>/void/", views.case_event_void, name="case_event_void"),
]
