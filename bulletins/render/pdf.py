"""A bulletin's document as PDF: the standalone HTML (``bulletins.render.html``) printed by
WeasyPrint with the shipped CJK fonts, reading nothing from the network."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import weasyprint

from . import fonts
from .html import document_html

ALLOWED_SCHEMES = frozenset({"file", "data"})


class RefusedURL(ValueError):
    """A resource the PDF may not load: anything but a data: URL or one of the shipped fonts."""


class LocalFetcher(weasyprint.URLFetcher):
    """WeasyPrint's fetcher restricted to data: URLs (the charts) and file: URLs inside the
    fonts directory. The document is built from our own data, but a bulletin must never make
    the server fetch a URL, on the police network or off it."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=ALLOWED_SCHEMES, allow_redirects=False)

    def fetch(self, url: str, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            raise RefusedURL(f"bulletin PDF refuses to fetch {url!r}")
        if scheme == "file":
            path = fonts.FONT_DIR.joinpath(unquote(urlsplit(url).path)).resolve()
            if not path.is_relative_to(fonts.FONT_DIR):
                raise RefusedURL(f"bulletin PDF reads only its fonts, not {url!r}")
        return super().fetch(url, headers)


def render_pdf(doc: dict) -> bytes:
    page = document_html(doc, standalone=True)
    html = weasyprint.HTML(string=page, base_url=fonts.FONT_DIR.as_uri() + "/", url_fetcher=LocalFetcher())
    return html.write_pdf(optimize_images=True)
