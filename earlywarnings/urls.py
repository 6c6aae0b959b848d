from django.urls import path

from earlywarnings import views

urlpatterns = [
    path("", views.warning_queue, name="warning_queue"),
    path("<int:pk>/", views.warning_detail, name="warning_detail"),
    path("<int:pk>/sign/", views.warning_sign, name="warning_sign"),
    path("<int:pk>/attempts/", views.warning_attempt, name="warning_attempt"),
    path("<int:pk>/handle/", views.warning_handle, name="warning_handle"),
    path("<int:pk>/transfer/", views.warning_transfer, name="warning_transfer"),
    path("<int:pk>/review/", views.warning_review, name="warning_review"),
    path("<int:pk>/reveal/", views.warning_reveal, name="warning_reveal"),
    path("review/", views.warning_review_list, name="warning_review_list"),
    path("backlog/", views.warning_backlog, name="warning_backlog"),
    path("checks/", views.review_list, name="review_list"),
    path("checks/<int:pk>/", views.review_detail, name="review_detail"),
    path("checks/<int:pk>/conclude/", views.review_conclude, name="review_conclude"),
]
