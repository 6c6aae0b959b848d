from django.urls import path

from publicity import views

urlpatterns = [
    path("", views.activity_list, name="publicity_list"),
    path("new/", views.activity_new, name="publicity_new"),
    path("<int:pk>/", views.activity_detail, name="publicity_detail"),
    path("<int:pk>/edit/", views.activity_edit, name="publicity_edit"),
    path("<int:pk>/void/", views.activity_void, name="publicity_void"),
]
