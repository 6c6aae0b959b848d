"""Serve Plotly's own ``plotly.min.js`` as a static file (``vendor/plotly.min.js``).

It ships inside the plotly package, so the closed network needs no CDN and the repository
carries no 4.6 MB copy: collectstatic and the development server find it here.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "vendor/plotly.min.js"
_PACKAGE_DATA = Path(plotly.__file__).parent / "package_data"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(_PACKAGE_DATA))
        self.storage.prefix = "vendor"

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        match = str(_PACKAGE_DATA / "plotly.min.js") if path == PLOTLY_JS else None
        if find_all:
            return [match] if match else []
        return match or []

    def list(self, ignore_patterns):
        yield "plotly.min.js", self.storage
