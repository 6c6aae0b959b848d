"""Serve Plotly's ``plotly.min.js`` as a static file (``vendor/plotly.min.js``), made fit for
the closed network.

It ships inside the plotly package, so the repository carries no 4.6 MB copy. But the
bundle knows where to fetch things on the internet: MapLibre's built-in basemaps (OSM,
Carto, Esri, ICGC tiles and styles), the glyphs of every map style — the blank "white-bg"
one we draw on included — the maki icons, the topojson of geo charts. None is used by our
figures, and none may ever be tried: the copy served here has each of those addresses
pointed at ``/static/vendor/offline/<host>…``, a path on our own site that does not exist.
Links a person may click (plotly.com, get.webgl.org, licences) are left as they are.

The copy is written once per plotly version under VAR_DIR; collectstatic and the
development server find it here.
"""

from pathlib import Path

import plotly
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "vendor/plotly.min.js"
_PACKAGE_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
OFFLINE_PREFIX = "/static/vendor/offline/"
# Hosts the bundle would fetch from (tiles, styles, sprites, glyphs, icons, topojson).
FETCHED_HOSTS = (
    "basemaps.cartocdn.com", "tiles.basemaps.cartocdn.com", "tile.openstreetmap.org", "server.arcgisonline.com",
    "tilemaps.icgc.cat", "geoserveis.icgc.cat", "fonts.openmaptiles.org", "cdn.jsdelivr.net", "cdn.plot.ly",
    "cloud.plotly.com",
)  # fmt: skip


def offline_plotly() -> Path:
    """The served copy: Plotly's bundle with every fetched address made local."""
    folder = Path(settings.VAR_DIR) / "vendor"
    target = folder / f"plotly-{plotly.__version__}.min.js"
    if not target.exists():
        text = _PACKAGE_JS.read_text(encoding="utf-8")
        for host in FETCHED_HOSTS:
            text = text.replace(f"https://{host}", f"{OFFLINE_PREFIX}{host}")
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)  # whole or not at all, even with two processes at once
    return target


class _VendorStorage(FileSystemStorage):
    """The folder of the offline copy, read as ``plotly.min.js``."""

    def path(self, name):
        return str(offline_plotly()) if name == "plotly.min.js" else super().path(name)


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = _VendorStorage(location=str(Path(settings.VAR_DIR) / "vendor"))
        self.storage.prefix = "vendor"

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        match = str(offline_plotly()) if path == PLOTLY_JS else None
        if find_all:
            return [match] if match else []
        return match or []

    def list(self, ignore_patterns):
        yield "plotly.min.js", self.storage
