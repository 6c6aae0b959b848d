"""The document as HTML: the preview fragment and the standalone page the PDF prints."""

import copy
import re
from html.parser import HTMLParser

import pytest

from bulletins.render import fonts
from bulletins.render.html import document_context, document_html
from bulletins.render.layout import layout
from tests.bulletins.conftest import load_payload, make_doc


class _Cells(HTMLParser):
    """The cells of one table (``<div data-table=key>``) as text, row by row."""

    def __init__(self, key: str):
        super().__init__()
        self.key, self.inside, self.rows, self.cell = key, False, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("data-table") == self.key:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("th", "td"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("th", "td"):
            self.rows[-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table_rows(fragment: str, key: str) -> list[list[str]]:
    parser = _Cells(key)
    parser.feed(fragment)
    return parser.rows


@pytest.fixture(scope="module")
def city_month_html() -> str:
    return document_html(make_doc(load_payload("city_month")))


def test_fragment_has_the_head_and_every_section(city_month_doc, city_month_html):
    lay = layout(city_month_doc)
    assert city_month_html.lstrip().startswith('<article class="bulletin-doc')
    assert "<html" not in city_month_html
    assert f'<h1 class="doc-title">{lay.title}</h1>' in city_month_html
    assert "2026年第10期" in city_month_html
    assert lay.date_line in city_month_html
    headings = re.findall(r"<h2>(.*?)</h2>", city_month_html)
    assert headings == [section.heading for section in lay.sections]


def test_units_table_shows_the_layouts_cells(city_month_doc, city_month_html):
    units = next(table for table in layout(city_month_doc).tables() if table.key == "units")
    expected = [
        [column.label for column in units.columns],
        *(units.shown(row, index) for index, row in enumerate(units.rows)),
        units.shown(units.total, len(units.rows)),
    ]
    assert table_rows(city_month_html, "units") == expected
    assert expected[-1] == ["合计", "97", "-4.9%", "342.63", "+95.0%", "0.60", "3", "—", "—"]


def test_tables_and_figures_are_numbered_through_the_document(city_month_doc, city_month_html):
    captions = re.findall(r"<caption>表(\d+)　(.*?)</caption>", city_month_html)
    assert [int(number) for number, _ in captions] == list(range(1, len(captions) + 1))
    assert [title for _, title in captions] == [table.title for table in layout(city_month_doc).tables()]
    figures = re.findall(r"<figcaption>图(\d+)　", city_month_html)
    assert figures == ["1", "2", "3"]


def test_numeric_cells_are_marked_for_right_alignment(city_month_html):
    row = re.search(r"<tr><th scope=\"row\">北岭县公安局</th>(.*?)</tr>", city_month_html)[1]
    assert row.startswith('<td class="num">34</td>')  # 发案数
    assert '<td>—</td><td class="num">1</td>' in row  # 目标 (text), 排名 (a number)


def test_charts_are_embedded_as_data_uris_for_a_month(city_month_html):
    images = re.findall(r'<img src="([^"]+)"', city_month_html)
    assert len(images) == 3
    assert all(src.startswith("data:image/png;base64,iVBOR") for src in images)


def test_a_day_has_no_charts(city_day_doc):
    context = document_context(city_day_doc)
    assert context["charts"] == {}
    assert "<img" not in document_html(city_day_doc)


def test_a_draft_says_so_and_an_issued_bulletin_does_not(city_day_doc, city_month_html):
    draft = document_html(city_day_doc)
    assert "草稿·未签发" in draft
    assert 'data-status="draft"' in draft
    assert "草稿" not in city_month_html


def test_a_corrected_revision_shows_the_note_and_the_changed_figures(corrected_doc):
    context = document_context(corrected_doc, with_charts=False)
    html = document_html(corrected_doc)
    assert context["sections"][0]["key"] == "correction"
    assert "<h2>更正说明</h2>" in html
    assert "临江区公安分局补录10月28日案件1起，更正相关数字。" in html
    assert table_rows(html, "changes") == [
        ["更正项目", "原数", "更正后"],
        ["全市·发案数", "96起", "97起"],
        ["全市·损失金额", "337.63万元", "342.63万元"],
    ]
    assert "<caption>表1　更正的数字</caption>" in html
    assert "第2版" in html


def test_an_issued_first_revision_has_no_correction(city_month_html):
    assert "更正说明" not in city_month_html


def test_text_from_the_data_is_escaped():
    payload = copy.deepcopy(load_payload("city_day"))
    payload["units"][0]["name"] = '<script>alert("x")</script>'
    html = document_html(make_doc(payload))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_standalone_page_inlines_the_css_and_the_shipped_fonts(city_day_doc):
    page = document_html(city_day_doc, standalone=True)
    assert page.startswith("<!doctype html>")
    assert '<meta charset="utf-8">' in page
    assert '<meta name="author" content="江临市公安局">' in page
    assert "@page" in page and ".bulletin-doc" in page
    for path in (fonts.SERIF, fonts.SANS, fonts.SANS_BOLD):
        assert f'url("{path.as_uri()}")' in page
    assert "http://" not in page and "https://" not in page
