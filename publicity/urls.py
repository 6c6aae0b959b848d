# TEMPORARY while the pages are built: replaced by the real views.
from django.http import HttpResponse
from django.urls import path

urlpatterns = [
    path("", lambda request: HttpResponse("building"), name="publicity_list"),
]
