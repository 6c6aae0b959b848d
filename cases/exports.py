"""The case list as an Excel workbook.

Exactly the cases the user sees (scope and filters are applied by the caller), one row
each, with the case's ledger totals. Written with openpyxl's write-only mode while the
rows are read in chunks, so a 50,000-row export needs little memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cases.models import FraudCase
from cases.selectors import NO_EVENTS, LedgerTotals, ledger_totals
from orgs.spreadsheets import safe_cell

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
SHEET_TITLE = "案件清单"


def text_cell(text: str) -> str:
    """Text as Excel will keep it: a formula (``=HYPERLINK(...)``, ``@SUM``) neutralised
    with a leading apostrophe, and the control characters Excel cannot store dropped."""
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", text))


@dataclass(frozen=True)
class Column:
    header: str
    width: int  # in characters; a Chinese character counts as two
    value: Callable[[FraudCase, LedgerTotals], object]
    number_format: str | None = None


def _label(name: str) -> str:
    return str(FraudCase._meta.get_field(name).verbose_name)


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


COLUMNS = (
    Column(_label("case_no"), 22, lambda c, t: c.case_no),
    Column(_label("reported_on"), 12, lambda c, t: c.reported_on, DATE_FORMAT),
    Column(_label("occurred_on"), 12, lambda c, t: c.occurred_on, DATE_FORMAT),
    Column(_label("station"), 18, lambda c, t: c.station.name),
    Column("办案单位编码", 16, lambda c, t: c.station.code),
    Column(_label("area"), 18, lambda c, t: c.area.name if c.area else ""),
    Column(_label("place"), 24, lambda c, t: c.place),
    Column(_label("fraud_type"), 20, lambda c, t: c.fraud_type.name),
    Column(_label("loss"), 16, lambda c, t: c.loss, MONEY_FORMAT),
    Column(_label("filed"), 10, lambda c, t: _yes_no(c.filed)),
    Column(_label("victim_age"), 11, lambda c, t: c.victim_age),
    Column(_label("victim_gender"), 11, lambda c, t: c.get_victim_gender_display()),
    Column(_label("victim_occupation"), 14, lambda c, t: c.victim_occupation),
    Column(_label("residency"), 10, lambda c, t: c.get_residency_display()),
    Column(_label("warned_before"), 11, lambda c, t: _yes_no(c.warned_before)),
    Column(_label("solved_on"), 12, lambda c, t: c.solved_on, DATE_FORMAT),
    Column("抓获人数", 10, lambda c, t: t.arrested),
    Column("冻结金额（元）", 16, lambda c, t: t.frozen, MONEY_FORMAT),
    Column("追赃金额（元）", 16, lambda c, t: t.recovered, MONEY_FORMAT),
    Column("返还金额（元）", 16, lambda c, t: t.returned, MONEY_FORMAT),
)
VOID_COLUMNS = (
    Column("作废日期", 12, lambda c, t: timezone.localdate(c.voided_at) if c.voided_at else None, DATE_FORMAT),
    Column("作废原因", 24, lambda c, t: c.void_reason),
)


def write_case_workbook(cases: QuerySet[FraudCase], stream: IO[bytes], *, with_void: bool = False) -> None:
    """Write ``cases`` (scoped and filtered by the caller) as an .xlsx to ``stream``.

    ``cases`` should ``select_related("station", "area", "fraud_type")``. With
    ``with_void`` (the list included voided cases) two columns say which and why.
    """
    columns = COLUMNS + VOID_COLUMNS if with_void else COLUMNS
    totals = ledger_totals(cases)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    sheet.append([_cell(sheet, column.header, font=bold) for column in columns])
    for case in cases.iterator(chunk_size=2000):
        ledger = totals.get(case.pk, NO_EVENTS)
        sheet.append([_cell(sheet, column.value(case, ledger), column.number_format) for column in columns])
    workbook.save(stream)


def _cell(sheet, value, number_format: str | None = None, *, font: Font | None = None):
    if isinstance(value, str):
        value = text_cell(value)
    if value is None or (number_format is None and font is None):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    return cell
