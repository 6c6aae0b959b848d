"""Reading an uploaded file into a header and numbered rows, whatever it came as.

CSV in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), GBK / GB18030 —
detected, never asked for — or XLSX. Row numbers are the ones the user sees in Excel
(the header is row 1 when it is the first line).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from charset_normalizer import from_bytes

from imports.parsers import as_text

OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls, and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"
MAX_XLSX_UNPACKED = 500 * 1024 * 1024  # a zip bomb is refused before it is opened


class FileRefused(Exception):
    """The file as a whole cannot be read; ``reason`` is shown to the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Table:
    encoding: str  # "xlsx" for workbooks
    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, list]]  # (row number as in Excel, cell values)


def read_table(data: bytes, file_name: str) -> Table:
    if not data.strip():
        raise FileRefused("文件是空的")
    if data.startswith(OLE_MAGIC):
        raise FileRefused("这是旧版 .xls 或加了密码的 Excel 文件：请在 Excel 中去掉密码，另存为 .xlsx 或 CSV 后再导入")
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise FileRefused("文件扩展名是 .xlsx，但内容不是 Excel 工作簿（文件可能已损坏）")
    return _read_csv(data)


def _first_nonblank(rows: Iterator[tuple[int, list]]) -> tuple[int, list]:
    for number, values in rows:
        if any(as_text(v) for v in values):
            return number, values
    raise FileRefused("文件里没有表头行")


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_XLSX_UNPACKED:
                raise FileRefused("Excel 文件解压后过大，疑似异常文件，已拒绝")
            if "xl/workbook.xml" not in archive.namelist():
                raise FileRefused("压缩包里没有 Excel 工作簿（不是 .xlsx 文件）")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except FileRefused:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused("无法打开 Excel 文件（文件可能已损坏或不完整）") from exc
    sheet = workbook.worksheets[0]
    numbered = ((number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1))
    header_row, header = _first_nonblank(numbered)
    return Table("xlsx", [as_text(h) for h in header], header_row, numbered)


def detect_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in ("utf-8", "gb18030"):
        try:
            data.decode(candidate)
            return candidate
        except UnicodeDecodeError:
            continue
    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise FileRefused("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx")
    return best.encoding


def _read_csv(data: bytes) -> Table:
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FileRefused("文件中有无法识别的字符：请检查编码，另存为 UTF-8 或 GBK 编码的 CSV") from exc
    if "\x00" in text:
        raise FileRefused("文件中含有二进制内容，不是文本表格")
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0] or sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    numbered = ((number, row) for number, row in enumerate(reader, start=1))
    try:
        header_row, header = _first_nonblank(numbered)
    except csv.Error as exc:
        raise FileRefused(f"CSV 格式错误：{exc}") from exc
    name = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "gb18030": "GBK/GB18030", "utf-16": "UTF-16"}
    return Table(name.get(encoding, encoding), [h.strip() for h in header], header_row, numbered)
