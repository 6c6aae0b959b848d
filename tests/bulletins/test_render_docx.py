"""The Word document, read back with python-docx: its head, the tables as the layout
shows them, drafts and corrections marked, page numbers and the charts."""

import io

import docx
import pytest
from docx.shared import Cm

from bulletins.render.docx import render_docx
from bulletins.render.layout import layout
from tests.bulletins.conftest import load_payload, make_doc


def read(data: bytes):
    return docx.Document(io.BytesIO(data))


def text_of(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def rows_of(word_table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in word_table.rows]


@pytest.fixture(scope="module")
def city_month():
    doc = make_doc(load_payload("city_month"))
    return doc, render_docx(doc)


def test_the_head_carries_title_number_issuer_and_date(city_month):
    doc, data = city_month
    text = text_of(read(data))
    page = layout(doc)
    assert page.title in text
    assert "月通报　2026年第10期" in text
    assert page.issuer in text and "2026年11月2日" in text
    assert "草稿" not in text


def test_the_units_table_shows_what_the_layout_shows(city_month):
    doc, data = city_month
    units = next(table for table in layout(doc).tables() if table.key == "units")
    word_tables = [rows_of(table) for table in read(data).tables]
    expected = [units.shown(row, index) for index, row in enumerate(units.rows)]
    expected.append(units.shown(units.total, len(units.rows)))
    assert any(rows[1:] == expected for rows in word_tables)
    assert "342.63" in text_of(read(data))  # the month's loss in 万元


def test_every_layout_table_is_a_word_table_with_a_repeating_header(city_month):
    doc, data = city_month
    document = read(data)
    assert len(document.tables) == len(layout(doc).tables())
    for table in document.tables:
        assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")


def test_the_page_is_a4_with_official_margins(city_month):
    section = read(city_month[1]).sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(section.top_margin.cm, 1), round(section.left_margin.cm, 1)) == (3.7, 2.8)


def test_the_footer_numbers_pages_with_a_page_field(city_month):
    footer = read(city_month[1]).sections[0].footer
    assert "PAGE" in footer._element.xml
    assert footer.paragraphs[0].text.startswith("— ")


def test_the_charts_are_embedded(city_month):
    doc, data = city_month
    document = read(data)
    assert len(document.inline_shapes) == sum(len(section.charts) for section in layout(doc).sections) == 3
    assert round(document.inline_shapes[0].width.cm, 1) == round(Cm(15.5).cm, 1)


def test_the_same_doc_gives_the_same_bytes(city_day_doc):
    data = render_docx(city_day_doc)
    assert render_docx(city_day_doc) == data
    assert read(data).core_properties.author == "江临市公安局"


def test_a_draft_is_marked_and_a_day_bulletin_has_no_charts(city_day_doc):
    document = read(render_docx(city_day_doc))
    assert "草稿" in text_of(document)
    assert "草稿" in document.sections[0].header.paragraphs[0].text
    assert len(document.inline_shapes) == 0


def test_a_corrected_revision_explains_the_correction(corrected_doc, monkeypatch):
    monkeypatch.setattr("bulletins.render.docx.charts", lambda payload: {})  # drawn in the tests above; slow
    document = read(render_docx(corrected_doc))
    text = text_of(document)
    assert "更正说明" in text
    assert "临江区公安分局补录10月28日案件1起，更正相关数字。" in text
    changes = rows_of(document.tables[0])
    assert changes[1:] == [["全市·发案数", "96起", "97起"], ["全市·损失金额", "337.63万元", "342.63万元"]]
