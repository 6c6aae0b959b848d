"""The Excel workbook, read back with openpyxl: a sheet per table, numbers stored as
numbers with formats that print them as the documents do, text never run as a formula."""

import io
import zipfile

import openpyxl
import pytest

from bulletins.render.layout import layout
from bulletins.render.xlsx import NUMBER_FORMATS, cell_value, render_xlsx


def read(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_one_sheet_per_table_after_the_about_sheet(city_month_doc):
    book = read(render_xlsx(city_month_doc))
    titles = [table.title for table in layout(city_month_doc).tables()]
    assert book.sheetnames == ["说明", *titles]
    about = [cell.value for row in book["说明"].iter_rows() for cell in row]
    assert "江临市公安局打击治理电信网络诈骗工作通报" in about
    assert "月通报　2026年第10期" in about


def test_a_table_sheet_has_title_header_frozen_below_it_and_a_bold_total(city_month_doc):
    sheet = read(render_xlsx(city_month_doc))["各单位发案情况"]
    assert sheet["A1"].value == "各单位发案情况"
    assert [cell.value for cell in sheet[2]][:4] == ["单位", "发案数", "同比", "损失（万元）"]
    assert sheet.freeze_panes == "A3"
    total = sheet[3 + 5]
    assert total[0].value == "合计" and total[1].font.bold


def test_cells_hold_the_layouts_values_as_numbers(city_month_doc):
    sheet = read(render_xlsx(city_month_doc))["各单位发案情况"]
    units = next(table for table in layout(city_month_doc).tables() if table.key == "units")
    for index, row in enumerate(units.rows):
        for column, (col, value) in enumerate(zip(units.columns, row, strict=True)):
            cell = sheet.cell(3 + index, 1 + column)
            kind = units.kind_of(col, index)
            if kind == "text":
                assert cell.value == value
                continue
            assert isinstance(cell.value, int | float)
            assert cell.number_format == NUMBER_FORMATS[kind]
            if kind == "wan":
                assert cell.value == round(value / 10000, 2)
            else:
                assert cell.value == pytest.approx(value)
    assert sheet["D8"].value == 342.63  # the total loss, in 万元


def test_a_rate_rows_change_is_in_points(city_month_doc):
    sheet = read(render_xlsx(city_month_doc))["主要指标"]
    row = next(row for row in sheet.iter_rows(min_row=3) if row[0].value == "按时处置率（%）")
    assert row[1].number_format == NUMBER_FORMATS["rate"]
    assert row[3].number_format == NUMBER_FORMATS["points"]


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [(3426300.0, "wan", 342.63), (None, "pct", None), (0.0, "pct", 0.0), (12.0, "int", 12), ("", "text", None)],
)
def test_cell_value(value, kind, expected):
    assert cell_value(value, kind) == expected


def test_text_that_looks_like_a_formula_stays_text(corrected_doc):
    corrected_doc["issue"]["changes"][0]["label"] = '=HYPERLINK("http://x","点我")'
    data = render_xlsx(corrected_doc)
    cell = read(data)["更正的数字"]["A3"]
    assert cell.value == '=HYPERLINK("http://x","点我")'
    assert cell.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert not any(b"<f>" in package.read(name) for name in package.namelist())  # no formula anywhere
    assert "临江区公安分局补录10月28日案件1起，更正相关数字。" in [
        cell.value for row in read(data)["说明"].iter_rows() for cell in row
    ]
