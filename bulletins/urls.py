from django.urls import path

from . import views

urlpatterns = [
    path("", views.bulletin_list, name="bulletin_list"),
    path("new/", views.bulletin_new, name="bulletin_new"),
    path("issue/", views.bulletin_issue_many, name="bulletin_issue_many"),
    path("downloads/", views.download_log, name="bulletin_download_log"),
    path("<int:pk>/", views.bulletin_detail, name="bulletin_detail"),
    path("<int:pk>/download/<str:fmt>/", views.bulletin_download, name="bulletin_download"),
    path("<int:pk>/issue/", views.bulletin_issue, name="bulletin_issue"),
    path("<int:pk>/redraft/", views.bulletin_redraft, name="bulletin_redraft"),
    path("<int:pk>/correct/", views.bulletin_correct, name="bulletin_correct"),
]
