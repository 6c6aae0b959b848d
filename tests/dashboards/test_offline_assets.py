"""Nothing the browser is served can load from the internet (the closed police network):
Plotly's bundle has every address it would fetch made local, and Redoc (which fetches its
logo from a CDN and is never used) is neither collected nor served."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders

from dashboards.finders import FETCHED_HOSTS, OFFLINE_PREFIX

URL = re.compile(r"https?://([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# What may still be written in the bundle: XML namespaces and links a person clicks
# (documentation, licences, attributions, the WebGL help page) — never fetched by code.
NOT_FETCHED = {
    "www.w3.org", "plotly.com", "github.com", "get.webgl.org", "maplibre.org", "www.openstreetmap.org",
    "wiki.openstreetmap.org", "feross.org", "www.esri.com", "openmaptiles.org", "www.openmaptiles.org",
    "getify.mit-license.org", "syntheti.cc",
}  # fmt: skip


def test_the_served_plotly_fetches_nothing_from_the_internet():
    path = finders.find("vendor/plotly.min.js")
    text = Path(path).read_text(encoding="utf-8")

    hosts = set(URL.findall(text))
    assert hosts <= NOT_FETCHED, f"new internet addresses in plotly.min.js: {sorted(hosts - NOT_FETCHED)}"
    assert f"{OFFLINE_PREFIX}fonts.openmaptiles.org/{{fontstack}}/{{range}}.pbf" in text  # white-bg's glyphs
    assert all(f"https://{host}" not in text for host in FETCHED_HOSTS)
    assert len(text) > 4_000_000  # the whole bundle, not a stub


def test_redoc_is_neither_collected_nor_served():
    assert not finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
    listed = [path for finder in finders.get_finders() for path, _ in finder.list([])]
    assert not [path for path in listed if "redoc" in path]
    assert any(path.startswith("drf_spectacular_sidecar/swagger-ui-dist/") for path in listed)
