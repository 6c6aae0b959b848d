"""A bulletin as a Word document laid out as a Chinese official document (公文, after
GB/T 9704): A4 with the standard margins, a red head (title, issue number, issuer and date
over a red rule), body in 仿宋_GB2312 三号 on a fixed 28 pt line, headings in 黑体, tables
as real Word tables, the charts as pictures, and "— 1 —" page numbers.

All text and every figure come from ``layout(doc)``; only the charts read the payload.

Fonts. 公文 names fonts that Windows machines in government offices have (方正小标宋简体,
仿宋_GB2312, 楷体_GB2312, 黑体, 宋体). Every run and style names its Chinese font in
``w:eastAsia`` (with Times New Roman for Latin letters and digits), and the document's
font table (word/fontTable.xml) lists each of them with the GB2312 charset and an
``w:altName`` naming the font a machine is likelier to have (仿宋, 楷体, 宋体; SimHei for
黑体). Word and WPS use that entry to pick a substitute, so a machine without the
GB2312-era fonts falls back to the same kind of face rather than to a default Latin font.

The same doc gives the same bytes: the core properties carry the issue time, and the
zip entries carry that time too instead of the time of rendering.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

from .charts import charts
from .layout import Layout, Table, layout

LATIN = "Times New Roman"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
KAI_FONT = "楷体_GB2312"
HEI_FONT = "黑体"
SONG_FONT = "宋体"
# name -> (the font a machine without it likely has, w:family) for the font table
FALLBACKS = {
    TITLE_FONT: ("宋体", "script"),
    BODY_FONT: ("仿宋", "modern"),
    KAI_FONT: ("楷体", "modern"),
    HEI_FONT: ("SimHei", "modern"),
    SONG_FONT: ("SimSun", "auto"),
}
RED = RGBColor(0xC0, 0x00, 0x00)
HEADER_SHADE = "D9D9D9"

PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
CHART_WIDTH = Cm(15.5)
TABLE_TEXT_SIZE = 10.5
CELL_PADDING = Cm(0.1)
TWIPS_PER_PT = 20
HEADER_WIDTH = 8  # half-width characters a header takes before it wraps
KEEP_TOGETHER_ROWS = 8
KEEP_WITH_HEADER_ROWS = 3


def render_docx(doc: dict) -> bytes:
    page = layout(doc)
    stamp = _issue_time(doc)
    drawn = charts(doc["payload"]) if page.with_charts else {}
    document = Document()
    _setup(document, page, stamp)
    writer = _Writer(document, drawn)
    writer.head(page)
    if page.correction:
        writer.correction(page.correction)
    writer.caliber(page.caliber)
    for section in page.sections:
        writer.heading(section.heading)
        for text in section.paragraphs:
            writer.body(text)
        for table in section.tables:
            writer.table(table)
        for key in section.charts:
            if key in drawn:  # a chart with no data is not drawn
                writer.chart(key)
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue(), stamp)


def _issue_time(doc: dict) -> dt.datetime:
    """When the bulletin was issued (or, for a draft, generated), in UTC."""
    stamp = dt.datetime.fromisoformat(doc["issue"]["issued_at"] or doc["payload"]["meta"]["generated_at"])
    if stamp.tzinfo is None:
        return stamp
    return stamp.astimezone(dt.UTC).replace(tzinfo=None)


# --- the document's page, styles and fonts ------------------------------------------------


def _setup(document, page: Layout, stamp: dt.datetime) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = Cm(1.5), Cm(2.5)
    _styles(document)
    _font_table(document)
    _page_number_footer(section)
    if page.is_draft:  # on every page, so no page of a draft can pass for an issued one
        header = section.header.paragraphs[0]
        header.style = document.styles["Bulletin Note"]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(header, "草稿·未签发", font=HEI_FONT, size=12, bold=True, color=RED)

    props = document.core_properties
    props.title = page.title
    props.subject = f"{page.kind_label}　{page.number_label}　{page.period_label}"
    props.author = props.last_modified_by = page.issuer
    props.category = page.kind_label
    props.keywords = "通报"
    props.comments = ""
    props.revision = page.revision
    props.created = props.modified = stamp


def _fonts(rpr, east_asia: str) -> None:
    """Name the run's fonts: ``east_asia`` for Chinese, Times New Roman for the rest. The
    template's theme fonts would override explicit names, so they are removed."""
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _paragraph_style(document, name: str, *, font: str, size: float, line: float | None, indent_chars: int = 0,
                     align=WD_ALIGN_PARAGRAPH.JUSTIFY, bold: bool = False, outline: int | None = None):  # fmt: skip
    """A paragraph style: its font and size, a fixed line height (None: single spacing, for
    pictures), a first-line indent in characters."""
    style = document.styles["Normal"] if name == "Normal" else document.styles.add_style(name, 1)
    if name != "Normal":
        style.base_style = document.styles["Normal"]
        style.quick_style = True
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.name = LATIN
    _fonts(style.element.get_or_add_rPr(), font)
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.space_before = fmt.space_after = Pt(0)
    if line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(line)
    ind = style.element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(indent_chars * 100))
    ind.set(qn("w:firstLine"), str(int(indent_chars * size * TWIPS_PER_PT)))
    fmt.widow_control = True
    if outline is not None:  # shows in Word's navigation pane
        style.element.get_or_add_pPr().get_or_add_outlineLvl().set(qn("w:val"), str(outline))
    return style


def _styles(document) -> None:
    # Document defaults: Chinese line breaking and fonts, not the template's theme fonts.
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(defaults, BODY_FONT)
    lang = defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        defaults.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")

    _paragraph_style(document, "Normal", font=BODY_FONT, size=16, line=28, indent_chars=2)
    _paragraph_style(document, "Bulletin Title", font=TITLE_FONT, size=22, line=36, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(document, "Bulletin Centered", font=BODY_FONT, size=16, line=28, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(document, "Bulletin Subtitle", font=KAI_FONT, size=16, line=28, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(document, "Bulletin Heading", font=HEI_FONT, size=16, line=28, indent_chars=2, outline=0)
    _paragraph_style(document, "Bulletin Caliber", font=BODY_FONT, size=12, line=20, indent_chars=2)
    _paragraph_style(document, "Bulletin Caption", font=HEI_FONT, size=12, line=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(document, "Bulletin Cell", font=SONG_FONT, size=TABLE_TEXT_SIZE, line=None,
                     align=WD_ALIGN_PARAGRAPH.LEFT)  # fmt: skip
    _paragraph_style(document, "Bulletin Note", font=BODY_FONT, size=10.5, line=None, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph_style(document, "Bulletin Figure", font=BODY_FONT, size=10.5, line=None,
                     align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip


def _font_table(document) -> None:
    """List the 公文 fonts in word/fontTable.xml with a fallback name and the GB2312 charset
    (see the module docstring). python-docx has no API for this part; its bytes are
    replaced."""
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    for name, (alternative, family) in FALLBACKS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alternative), ("w:charset", "86"), ("w:family", family),
                           ("w:pitch", "variable")):  # fmt: skip
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number_footer(section) -> None:
    """ "— 1 —" centred under the text, the number a PAGE field."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    indent = paragraph._p.get_or_add_pPr().get_or_add_ind()  # Normal's 2-character indent would win over firstLine
    indent.set(qn("w:firstLineChars"), "0")
    indent.set(qn("w:firstLine"), "0")
    _run(paragraph, "— ", font=SONG_FONT, size=14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    paragraph._p.append(field)
    number = _run(paragraph, "1", font=SONG_FONT, size=14)  # shown until the field is updated
    field.append(number._r)  # moves the run into the field
    _run(paragraph, " —", font=SONG_FONT, size=14)


def _run(paragraph, text: str, *, font: str | None = None, size: float | None = None, bold: bool | None = None,
         color: RGBColor | None = None):  # fmt: skip
    run = paragraph.add_run(text)
    _style_run(run, font=font, size=size, bold=bold, color=color)
    return run


def _style_run(run, *, font=None, size=None, bold=None, color=None) -> None:
    if font:
        run.font.name = LATIN
        _fonts(run._r.get_or_add_rPr(), font)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _set_style(paragraph, name: str) -> None:
    """``paragraph.style = name`` without python-docx's lookup of the style, which is slow
    enough to matter in a document of several hundred table cells. The styles here are
    all made by ``_styles``, whose ids are their names without spaces."""
    paragraph._p.style = name.replace(" ", "")


def _fixed_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The same package with every entry dated ``stamp``, so equal documents are equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


# --- the content --------------------------------------------------------------------------


class _Writer:
    """Adds the bulletin's parts to the document in order, numbering tables and figures."""

    def __init__(self, document, drawn: dict):
        self.document = document
        self.drawn = drawn
        self.tables = 0
        self.figures = 0

    def paragraph(self, text: str = "", style: str = "Normal", **run) -> Paragraph:
        paragraph = self.document.add_paragraph()
        _set_style(paragraph, style)
        if text:
            _run(paragraph, text, **run)
        return paragraph

    def head(self, page: Layout) -> None:
        if page.is_draft:
            marker = self.paragraph("【草稿·未签发】", "Bulletin Centered", font=HEI_FONT, color=RED, bold=True)
            marker.alignment = WD_ALIGN_PARAGRAPH.LEFT
            marker.paragraph_format.space_after = Pt(6)
        title = self.paragraph(page.title, "Bulletin Title", color=RED)
        title.paragraph_format.space_after = Pt(10)
        number = f"{page.kind_label}　{page.number_label}"
        if page.revision > 1:
            number += f"（第{page.revision}版）"
        self.paragraph(number, "Bulletin Centered")
        # Issuer at the left, the date at the right, over the red rule.
        line = self.paragraph(f"{page.issuer}\t{page.date_line}", "Bulletin Centered")
        line.alignment = WD_ALIGN_PARAGRAPH.LEFT
        line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
        line.paragraph_format.space_after = Pt(4)
        _bottom_border(line, color="C00000", eighths=18)
        period = self.paragraph(f"（{page.period_label}）", "Bulletin Subtitle")
        period.paragraph_format.space_before = Pt(14)
        period.paragraph_format.space_after = Pt(14)

    def correction(self, correction: dict) -> None:
        self.heading("更正说明")
        if correction["note"]:
            self.body(correction["note"])
        self.table(correction["table"])

    def caliber(self, text: str) -> None:
        paragraph = self.paragraph(text, "Bulletin Caliber")
        paragraph.paragraph_format.space_after = Pt(10)

    def heading(self, text: str) -> None:
        paragraph = self.paragraph(text, "Bulletin Heading")
        paragraph.paragraph_format.keep_with_next = True

    def body(self, text: str) -> None:
        self.paragraph(text)

    def table(self, table: Table) -> None:
        self.tables += 1
        title = self.paragraph(f"表{self.tables}　{table.title}", "Bulletin Caption")
        title.paragraph_format.space_before = Pt(6)
        title.paragraph_format.keep_with_next = True
        shown = [table.shown(row, index) for index, row in enumerate(table.rows)]
        if table.total is not None:
            shown.append(table.shown(table.total, len(table.rows)))
        grid = self.document.add_table(rows=1 + len(shown), cols=len(table.columns))
        grid.style = self.document.styles["Table Grid"]
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False  # a fixed layout: the widths below, not Word's guess
        _cell_padding(grid)
        headers = [_header_lines(column.label) for column in table.columns]
        widths = _column_widths(headers, shown)
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = width
        header = grid.rows[0]
        _repeat_as_header(header)
        # A short table stays on one page with its title; a longer one may run on to the next
        # page (its header repeated) but not before its first rows.
        kept = len(shown) - 1 if len(shown) <= KEEP_TOGETHER_ROWS else KEEP_WITH_HEADER_ROWS
        for cell, lines, width in zip(header.cells, headers, widths, strict=True):
            self._cell(cell, lines, width, WD_ALIGN_PARAGRAPH.CENTER, bold=True, keep_with_next=True)
            _shade(cell, HEADER_SHADE)
        for index, (row, values) in enumerate(zip(grid.rows[1:], shown, strict=True)):
            is_total = table.total is not None and index == len(table.rows)
            keep = index < kept
            _keep_row_together(row)
            for cell, column, value, width in zip(row.cells, table.columns, values, widths, strict=True):
                align = WD_ALIGN_PARAGRAPH.RIGHT if column.numeric else WD_ALIGN_PARAGRAPH.LEFT
                self._cell(cell, [value], width, align, bold=is_total, keep_with_next=keep)
        after = self.paragraph(f"注：{table.note}" if table.note else "", "Bulletin Note")
        after.paragraph_format.space_after = Pt(8)

    def _cell(self, cell, lines: list[str], width: Emu, align, *, bold: bool, keep_with_next: bool) -> None:
        cell.width = width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        _set_style(paragraph, "Bulletin Cell")
        paragraph.alignment = align
        paragraph.paragraph_format.keep_with_next = keep_with_next or None
        for number, line in enumerate(lines):
            run = _run(paragraph, line, bold=bold or None)
            if number < len(lines) - 1:
                run.add_break()

    def chart(self, key: str) -> None:
        chart = self.drawn[key]
        self.figures += 1
        picture = self.paragraph(style="Bulletin Figure")
        picture.paragraph_format.keep_with_next = True
        picture.paragraph_format.space_before = Pt(6)
        picture.add_run().add_picture(io.BytesIO(chart.png), width=CHART_WIDTH)
        caption = self.paragraph(f"图{self.figures}　{chart.title}", "Bulletin Caption")
        caption.paragraph_format.space_after = Pt(8)


# --- table and paragraph details the python-docx API does not cover ---------------------


def _text_width(text: str) -> int:
    """Width in half-width characters: a Chinese character counts as two."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _header_lines(label: str) -> list[str]:
    """A long header on two lines, broken before its measure: 损失 / （万元）."""
    if _text_width(label) > HEADER_WIDTH and "（" in label.strip("（"):
        name, measure = label.split("（", 1)
        return [name, f"（{measure}"]
    return [label]


def _column_widths(headers: list[list[str]], rows: list[list[str]]) -> list[Emu]:
    """Widths that fit each column's longest cell and its header (which wraps past
    ``HEADER_WIDTH``), stretched or shrunk to the text width."""
    needs = []
    for index, lines in enumerate(headers):
        longest = max((_text_width(row[index]) for row in rows), default=0)
        header = max(_text_width(line) for line in lines)
        if header > HEADER_WIDTH:
            header = max(math.ceil(header / 2), HEADER_WIDTH)
        needs.append(max(longest, header, 4) + 2)  # + the cell's padding
    total = sum(needs)
    return [Emu(int(TEXT_WIDTH * need / total)) for need in needs]


def _cell_padding(grid) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(int(CELL_PADDING.pt * TWIPS_PER_PT)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    look = grid._tbl.tblPr.find(qn("w:tblLook"))  # tblCellMar comes before it (schema order)
    if look is None:
        grid._tbl.tblPr.append(margins)
    else:
        look.addprevious(margins)


def _repeat_as_header(row) -> None:
    """The row repeats at the top of each page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _keep_row_together(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr = cell._tc.get_or_add_tcPr()
    align = tc_pr.find(qn("w:vAlign"))  # shd comes before vAlign (schema order)
    if align is None:
        tc_pr.append(shading)
    else:
        align.addprevious(shading)


def _bottom_border(paragraph, *, color: str, eighths: int) -> None:
    """A rule under the paragraph, ``eighths`` of a point thick."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attribute, value in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", "4"), ("w:color", color)):
        bottom.set(qn(attribute), value)
    borders.append(bottom)
    p_pr = paragraph._p.get_or_add_pPr()
    # pBdr must come before the tab stops, spacing and alignment in w:pPr (schema order)
    anchor = next((child for child in p_pr if child.tag in {qn("w:shd"), qn("w:tabs"), qn("w:suppressAutoHyphens"),
                   qn("w:spacing"), qn("w:ind"), qn("w:jc")}), None)  # fmt: skip
    if anchor is None:
        p_pr.append(borders)
    else:
        anchor.addprevious(borders)
