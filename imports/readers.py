"""Reading an uploaded file into a header and numbered rows, whatever it came as.

CSV in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), GBK / GB18030 —
detected, never asked for — or XLSX. Row numbers are the ones the user sees in Excel
(the header is row 1 when it is the first line).

Files are read as streams, never whole: a province's warning export is gigabytes. The
encoding is detected on the first ``SAMPLE`` bytes (all of any ordinary file); a later
byte that does not decode refuses the file, naming the line.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from charset_normalizer import from_bytes

from imports.parsers import as_text

OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls, and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"
MAX_XLSX_UNPACKED = 500 * 1024 * 1024  # a zip bomb is refused before it is opened
SAMPLE = 8 * 1024 * 1024  # bytes the encoding is detected on
ENCODING_NAMES = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "gb18030": "GBK/GB18030", "utf-16": "UTF-16"}


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
    lines: int = 0  # about how many rows follow the header: for progress, not counted on


def read_table(data: bytes | BinaryIO, file_name: str) -> Table:
    """``data`` is the file's bytes or a binary file open for reading (seekable)."""
    handle = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    head = handle.read(SAMPLE)
    handle.seek(0)
    if not head.strip():
        raise FileRefused("文件是空的")
    if head.startswith(OLE_MAGIC):
        raise FileRefused("这是旧版 .xls 或加了密码的 Excel 文件：请在 Excel 中去掉密码，另存为 .xlsx 或 CSV 后再导入")
    if head.startswith(ZIP_MAGIC):
        return _read_xlsx(handle)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise FileRefused("文件扩展名是 .xlsx，但内容不是 Excel 工作簿（文件可能已损坏）")
    return _read_csv(handle, head)


def _first_nonblank(rows: Iterator[tuple[int, list]]) -> tuple[int, list]:
    for number, values in rows:
        if any(as_text(v) for v in values):
            return number, values
    raise FileRefused("文件里没有表头行")


def _read_xlsx(handle: BinaryIO) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(handle) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_XLSX_UNPACKED:
                raise FileRefused("Excel 文件解压后过大，疑似异常文件，已拒绝")
            if "xl/workbook.xml" not in archive.namelist():
                raise FileRefused("压缩包里没有 Excel 工作簿（不是 .xlsx 文件）")
        handle.seek(0)
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except FileRefused:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused("无法打开 Excel 文件（文件可能已损坏或不完整）") from exc
    sheet = workbook.worksheets[0]
    numbered = ((number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1))
    header_row, header = _first_nonblank(numbered)
    lines = max((sheet.max_row or 0) - header_row, 0)
    return Table("xlsx", [as_text(h) for h in header], header_row, numbered, lines)


def detect_encoding(sample: bytes, *, whole: bool = True) -> str:
    """The encoding of ``sample``; when it is only the start of the file (``whole`` false)
    a multi-byte character cut at its end is not held against it."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(candidate)().decode(sample, final=whole)
            return candidate
        except UnicodeDecodeError:
            continue
    best = from_bytes(sample[:200_000]).best()
    if best is None:
        raise FileRefused("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx")
    return best.encoding


def _read_csv(handle: BinaryIO, head: bytes) -> Table:
    whole = len(head) < SAMPLE
    encoding = detect_encoding(head, whole=whole)
    try:
        codecs.lookup(encoding)
        start = codecs.getincrementaldecoder(encoding)().decode(head[:65536], final=whole and len(head) <= 65536)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FileRefused("文件中有无法识别的字符：请检查编码，另存为 UTF-8 或 GBK 编码的 CSV") from exc
    if "\x00" in start or (b"\x00" in head and encoding != "utf-16"):
        raise FileRefused("文件中含有二进制内容，不是文本表格")
    try:
        dialect = csv.Sniffer().sniff(start.lstrip("\ufeff").split("\n", 1)[0] or start, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    if encoding == "utf-16":
        text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    else:  # line by line (0x0A is never inside a UTF-8 or GB18030 character): errors know their line
        text = _decoded_lines(handle, encoding)
    numbered = _numbered(csv.reader(text, delimiter=delimiter))
    try:
        header_row, header = _first_nonblank(numbered)
    except csv.Error as exc:
        raise FileRefused(f"CSV 格式错误：{exc}") from exc
    header[0] = header[0].lstrip("\ufeff")  # a BOM the decoder left (first_nonblank: never empty)
    return Table(ENCODING_NAMES.get(encoding, encoding), [h.strip() for h in header], header_row, numbered,
                 _count_lines(handle, text) - header_row)  # fmt: skip


class _LineError(Exception):
    def __init__(self, line: int):
        self.line = line


def _decoded_lines(handle: BinaryIO, encoding: str) -> Iterator[str]:
    for line, raw in enumerate(handle, start=1):
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise _LineError(line) from exc


def _numbered(reader) -> Iterator[tuple[int, list]]:
    """Rows with their line numbers; a byte that does not decode, or a broken quote, refuses
    the file at the row where it is met."""
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            yield number, row
    except (UnicodeDecodeError, _LineError) as exc:
        line = getattr(exc, "line", number + 1)
        raise FileRefused(
            f"第 {line} 行附近有无法按文件编码识别的字符（文件可能混用了多种编码）：请统一另存为 UTF-8 或 GBK 后再导入"
        ) from exc
    except csv.Error as exc:
        raise FileRefused(f"CSV 格式错误（第 {number + 1} 行附近）：{exc}") from exc


def _count_lines(handle: BinaryIO, text) -> int:
    """Lines in the file, counted on its bytes in blocks (for the progress bar), leaving the
    text stream where it was."""
    position = handle.tell()
    handle.seek(0)
    lines, last = 0, b"\n"
    while block := handle.read(1 << 22):
        lines += block.count(b"\n")
        last = block[-1:]
    handle.seek(position)
    return lines + (last != b"\n")
