"""A bulletin's tables as an Excel workbook: a "说明" sheet (what the bulletin is, its
period and caliber, and a corrected revision's note) and one sheet per table of
``layout(doc)``, named by the table's title.

Cells hold numbers, not the printed strings, with number formats that print them the way
the documents do: money in 万元 to two decimals, changes as ``+5.3%`` / ``持平``, shares as
``27.8%``. A percentage is stored as the percent number (5.3, not 0.053), as people type it.
"""

from __future__ import annotations

import io
import re
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from orgs.spreadsheets import FORMULA_STARTS

from .layout import CENT, Layout, Table, layout

NUMBER_FORMATS = {
    "int": "0",
    "wan": "0.00",
    "pct": '+0.0"%";-0.0"%";"持平"',
    "points": '+0.0"个百分点";-0.0"个百分点";"持平"',
    "share": '0.0"%"',
    "rate": '0.0"%"',
    "float": "0.00",
}
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31
MAX_COLUMN_WIDTH = 60
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
THIN = Side(style="thin", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


def render_xlsx(doc: dict) -> bytes:
    page = layout(doc)
    book = Workbook()
    _about_sheet(book.active, page)
    names = {book.active.title}
    for table in page.tables():
        name = _sheet_name(table.title, names)
        names.add(name)
        _table_sheet(book.create_sheet(name), table)
    book.properties.title = page.title
    book.properties.creator = page.issuer
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell_value(value, kind: str):
    """What a cell of ``kind`` (``Table.kind_of``) holds: a number in the unit its header
    names, text, or None for an empty cell."""
    if value is None or value == "":
        return None
    if kind == "text":
        return str(value)
    if kind == "int":
        return int(value)
    if kind == "wan":  # rounded as the documents print it (layout.Column.show)
        return float((Decimal(str(value)) / 10000).quantize(CENT, rounding=ROUND_HALF_UP))
    return float(value)


# ---------------------------------------------------------------------------------------


def _sheet_name(title: str, taken: set[str]) -> str:
    """The title as Excel allows a sheet's name: no []:*?/\\, at most 31 characters, and
    not the name of another sheet."""
    base = SHEET_NAME_FORBIDDEN.sub("_", title).strip("'") or "表"
    name, number = base[:SHEET_NAME_LENGTH], 1
    while name in taken:
        number += 1
        suffix = f"（{number}）"
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
    return name


def _write_text(cell, text: str) -> None:
    """Text stays text: one that starts like a formula (=, +, -, @) is stored as a string
    and shown as typed (Excel's quote prefix), never run."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.value = text
    if text.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def _about_sheet(sheet, page: Layout) -> None:
    sheet.title = "说明"
    _write_text(sheet["A1"], page.title)
    sheet["A1"].font = TITLE_FONT
    rows = [
        ("期号", f"{page.kind_label}　{page.number_label}"),
        ("统计期间", page.period_label),
        ("发布单位", page.issuer),
        ("日期", page.date_line),
        ("状态", "草稿（未签发）" if page.is_draft else "已签发"),
        ("口径", page.caliber),
    ]
    if page.correction:
        rows += [("版次", f"第{page.revision}版"), ("更正说明", page.correction["note"])]
    for number, (label, text) in enumerate(rows, start=3):
        sheet.cell(number, 1, label).font = BOLD
        _write_text(sheet.cell(number, 2), text)
        sheet.cell(number, 2).alignment = WRAP
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 90


def _table_sheet(sheet, table: Table) -> None:
    width = len(table.columns)
    _write_text(sheet["A1"], table.title)
    sheet["A1"].font = TITLE_FONT
    for column, col in enumerate(table.columns, start=1):
        cell = sheet.cell(2, column)
        _write_text(cell, col.label)
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, GRID
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.freeze_panes = "A3"

    rows = list(enumerate(table.rows))
    if table.total is not None:
        rows.append((len(table.rows), table.total))
    for index, row in rows:
        is_total = index == len(table.rows)
        for column, (col, value) in enumerate(zip(table.columns, row, strict=True), start=1):
            kind = table.kind_of(col, index)
            cell = sheet.cell(3 + index, column)
            number = cell_value(value, kind)
            if isinstance(number, str):
                _write_text(cell, number)
            else:
                cell.value = number
                if number is not None:
                    cell.number_format = NUMBER_FORMATS.get(kind, "General")
            cell.border = GRID
            if is_total:
                cell.font = BOLD
    if table.note:
        _write_text(sheet.cell(4 + len(rows), 1), f"注：{table.note}")

    for column, col in enumerate(table.columns, start=1):
        shown = [col.label] + [table.shown(row, index)[column - 1] for index, row in rows]
        longest = max(_text_width(text) for text in shown)
        sheet.column_dimensions[get_column_letter(column)].width = min(longest + 3, MAX_COLUMN_WIDTH)
    if width == 1:  # the title row would be cut by a narrow single column
        sheet.column_dimensions["A"].width = max(sheet.column_dimensions["A"].width, _text_width(table.title) + 2)


def _text_width(text: str) -> int:
    """Width in Excel's character units: a Chinese character counts as two."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)
