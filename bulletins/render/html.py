"""A bulletin's document as HTML: the fragment the app previews and, as a standalone page with
the shipped fonts, what ``bulletins.render.pdf`` prints.

Everything shown comes from ``layout(doc)``; this module only numbers the tables and figures
through the document and turns each table into display strings the template can loop over
(templates cannot call ``Table.shown``).
"""

from __future__ import annotations

import base64
import datetime as dt
import html

from django.conf import settings
from django.template.loader import render_to_string

from . import fonts
from .layout import Layout, Table, layout

TEMPLATE = "bulletins/document.html"
SHORT_TABLE_ROWS = 10  # a table this long or shorter is kept on one page in the PDF
NARROW_TABLE_COLUMNS = 3  # a table this narrow is not stretched to the full width


def stylesheet() -> str:
    """The document's CSS, read from the source tree (the PDF must not depend on collectstatic)."""
    return (settings.BASE_DIR / "static/css/bulletin.css").read_text(encoding="utf-8")


def font_faces() -> str:
    """@font-face rules for the shipped CJK fonts, as file:// URLs (for WeasyPrint)."""
    faces = (
        (fonts.SERIF_FAMILY, fonts.SERIF, 400),
        (fonts.SANS_FAMILY, fonts.SANS, 400),
        (fonts.SANS_FAMILY, fonts.SANS_BOLD, 700),
    )
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}") format("opentype"); '
        f"font-weight: {weight}; font-style: normal; }}"
        for family, path, weight in faces
    )


def _table(table: Table, number: int) -> dict:
    def cells(row: list, index: int) -> list[dict]:
        texts = table.shown(row, index)
        return [
            {"text": text, "numeric": table.kind_of(column, index) != "text"}
            for column, text in zip(table.columns, texts, strict=True)
        ]

    return {
        "key": table.key,
        "caption": f"表{number}　{table.title}",
        "headers": [{"text": column.label, "numeric": column.numeric} for column in table.columns],
        "rows": [cells(row, index) for index, row in enumerate(table.rows)],
        "total": cells(table.total, len(table.rows)) if table.total else None,
        "note": table.note,
        "is_short": len(table.rows) <= SHORT_TABLE_ROWS,
        "is_narrow": len(table.columns) <= NARROW_TABLE_COLUMNS,
    }


def _charts(doc: dict) -> dict[str, dict]:
    from .charts import charts as draw_charts  # matplotlib: loaded only when a document has charts

    return {
        key: {"title": chart.title, "data_uri": "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii")}
        for key, chart in draw_charts(doc["payload"]).items()
    }


def _sections(lay: Layout, charts: dict[str, dict]) -> list[dict]:
    """The correction (if any) then the layout's sections, with tables and figures numbered
    in the order they appear (the order of ``Layout.tables()``)."""
    tables = figures = 0
    sections = []
    if lay.correction:
        tables += 1
        sections.append(
            {
                "key": "correction",
                "heading": "更正说明",
                "paragraphs": [lay.correction["note"]] if lay.correction["note"] else [],
                "tables": [_table(lay.correction["table"], tables)],
                "figures": [],
                "is_correction": True,
            }
        )
    for position, section in enumerate(lay.sections):
        shown_tables = []
        for table in section.tables:
            tables += 1
            shown_tables.append(_table(table, tables))
        shown_figures = []
        for key in section.charts:
            if key in charts:
                figures += 1
                chart = charts[key]
                shown_figures.append({"key": key, "caption": f"图{figures}　{chart['title']}", **chart})
        sections.append(
            {
                "key": section.key,
                "heading": section.heading,
                "paragraphs": section.paragraphs,
                "tables": shown_tables,
                "figures": shown_figures,
                "caliber_before": position == 0,
            }
        )
    return sections


def document_context(doc: dict, *, with_charts: bool = True) -> dict:
    """The template context of ``bulletins/document.html``: ``layout``, ``charts`` (key →
    {"title", "data_uri"}), ``sections`` (the correction first, then the layout's sections
    with their tables as display strings and their figures) and ``running_head`` (the PDF's
    page header)."""
    lay = layout(doc)
    charts = _charts(doc) if with_charts and lay.with_charts else {}
    running = f"{lay.issuer}　{lay.kind_label}　{'草稿·未签发' if lay.is_draft else lay.number_label}"
    return {"layout": lay, "charts": charts, "sections": _sections(lay, charts), "running_head": running}


def document_html(doc: dict, *, standalone: bool = False) -> str:
    """The document's HTML fragment (an ``<article class="bulletin-doc">``), or with
    ``standalone`` a whole page with the CSS and the shipped fonts inlined, as the PDF prints it."""
    context = document_context(doc)
    fragment = render_to_string(TEMPLATE, context)
    if not standalone:
        return fragment
    lay = context["layout"]
    # The issue (or drafting) time as the PDF's dates, so the same document gives the same file.
    issued = doc["issue"]["issued_at"] or doc["payload"]["meta"]["generated_at"]
    stamp = dt.datetime.fromisoformat(issued).replace(microsecond=0).isoformat()
    return (
        '<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(lay.title)}（{html.escape(lay.number_label)}）</title>\n"
        f'<meta name="author" content="{html.escape(lay.issuer)}">\n'
        f'<meta name="dcterms.created" content="{html.escape(stamp)}">\n'
        f'<meta name="dcterms.modified" content="{html.escape(stamp)}">\n'
        f"<style>\n{font_faces()}\n{stylesheet()}\n</style>\n</head>\n<body>\n{fragment}</body>\n</html>\n"
    )
