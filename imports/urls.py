# TEMPORARY while the import pages are built.
from django.http import HttpResponse
from django.urls import path

urlpatterns = [
    path("", lambda request: HttpResponse("building"), name="import_list"),
]
