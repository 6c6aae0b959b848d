"""Every app's static files except those the product never serves and that would load from
the internet: drf-spectacular-sidecar ships Redoc beside Swagger UI, and Redoc's bundle
fetches its logo from cdn.redoc.ly. The API docs page is Swagger UI only, so Redoc is
neither collected nor served."""

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.utils import matches_patterns

NEVER_SERVED = ["drf_spectacular_sidecar/redoc/*"]


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *NEVER_SERVED])

    def find(self, path, find_all=False, **kwargs):
        if matches_patterns(path, NEVER_SERVED):
            return []
        return super().find(path, find_all=find_all, **kwargs)
