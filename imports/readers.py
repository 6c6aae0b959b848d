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
ENCODING_NAMES = {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "gb18030": "GBK/GB18030", "utf-16": "UTF-16",
                  "utf-16-le": "UTF-16 LE", "utf-16-be": "UTF-16 BE"}  # fmt: skip
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
MIXED = "第 {line} 行附近有无法按文件编码识别的字符（文件可能混用了多种编码）：请统一另存为 UTF-8 或 GBK 后再导入"
# The csv module's complaints, in words a user can act on.
CSV_REASONS = (
    ("field larger than field limit", f"有单元格超过 {csv.field_size_limit()} 个字符，不像是正常的表格数据"),
    ("unexpected end of data", "有以英文双引号开头的单元格一直没有结束引号（引号不配对）"),
    ("expected after", '引号后面紧跟着其他字符：单元格里的英文双引号须写成两个（""），或整个单元格不加引号'),
    ("new-line character", "单元格中有不成对的回车符"),
    ("line contains nul", "文件中含有二进制内容（NUL 字节）"),
)


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
    if not _without_boms(head).strip():
        raise FileRefused("文件是空的")
    if head.startswith(OLE_MAGIC):
        raise FileRefused("这是旧版 .xls 或加了密码的 Excel 文件：请在 Excel 中去掉密码，另存为 .xlsx 或 CSV 后再导入")
    if head.startswith(ZIP_MAGIC):
        return _read_xlsx(handle)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise FileRefused("文件扩展名是 .xlsx，但内容不是 Excel 工作簿（文件可能已损坏）")
    return _read_csv(handle, head)


def _without_boms(head: bytes) -> bytes:
    while head.startswith(BOMS):
        head = head[3:] if head.startswith(codecs.BOM_UTF8) else head[2:]
    return head


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
    a multi-byte character cut at its end is not held against it. A sample whose lines are
    partly UTF-8 and partly another encoding is refused naming the first line that differs:
    read as one encoding, the other lines would be stored garbled."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _utf16_without_bom(sample, whole=whole)
    if utf16:
        return utf16
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    mixed_at = _mixed_line(sample, whole=whole)
    if mixed_at:
        raise FileRefused(MIXED.format(line=mixed_at))
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=whole)
        return "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample[:200_000]).best()
    if best is None:
        raise FileRefused("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx")
    return best.encoding


def _utf16_without_bom(sample: bytes, *, whole: bool) -> str:
    """``utf-16-le`` / ``utf-16-be`` for UTF-16 text that lost its BOM, else "". Its
    digits, commas, tabs and line ends are each a byte and a NUL, so NULs fill one of the
    two byte positions and almost never the other; a binary file has them everywhere."""
    probe = sample[:65536]
    zeros_even, zeros_odd = probe[0::2].count(0), probe[1::2].count(0)
    if zeros_even + zeros_odd < len(probe) // 16 or min(zeros_even, zeros_odd) > (zeros_even + zeros_odd) // 20:
        return ""
    encoding = "utf-16-le" if zeros_odd > zeros_even else "utf-16-be"
    try:
        final = whole and len(sample) <= len(probe)  # else a pair may be cut at the probe's end
        text = codecs.getincrementaldecoder(encoding)().decode(probe[: len(probe) // 2 * 2], final=final)
    except UnicodeDecodeError:
        return ""
    return encoding if "\x00" not in text else ""


def _mixed_line(sample: bytes, *, whole: bool) -> int:
    """The first line whose encoding differs from the file's first non-ASCII line, when
    some lines are UTF-8 and others are not UTF-8 at all; 0 when the file is not mixed.
    A line counts as UTF-8 only with three Chinese characters read so: a GBK line is valid
    UTF-8 by chance only when short, and then almost never with three (none of a million
    random GBK lines of real Chinese text; 1 in 400,000 of uniformly random characters)."""
    lines = sample.split(b"\n")
    if not whole:
        lines = lines[:-1]  # may be cut inside a character
    first_kind = None
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            kind = "other"
        else:
            if sum("\u3400" <= ch <= "\u9fff" for ch in text) < 3:
                continue  # too little to tell
            kind = "utf-8"
        if first_kind is None:
            first_kind = kind
        elif kind != first_kind:
            return number
    return 0


def _first_bad_line(head: bytes, encoding: str) -> int:
    """The line of ``head`` where decoding as ``encoding`` first fails."""
    decoder = codecs.getincrementaldecoder(encoding)()
    for number, line in enumerate(head.splitlines(keepends=True), start=1):
        try:
            decoder.decode(line)
        except UnicodeDecodeError:
            return number
    return len(head.splitlines()) or 1


def _read_csv(handle: BinaryIO, head: bytes) -> Table:
    whole = len(head) < SAMPLE
    encoding = detect_encoding(head, whole=whole)
    utf16 = encoding.startswith("utf-16")
    try:
        codecs.lookup(encoding)
        start = codecs.getincrementaldecoder(encoding)().decode(head[:65536], final=whole and len(head) <= 65536)
    except LookupError as exc:
        raise FileRefused("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx") from exc
    except UnicodeDecodeError as exc:  # a BOM promised UTF-8, or a late byte of the sample
        raise FileRefused(MIXED.format(line=_first_bad_line(head[:65536], encoding))) from exc
    if "\x00" in start or (b"\x00" in head and not utf16):
        raise FileRefused("文件中含有二进制内容，不是文本表格")
    try:
        dialect = csv.Sniffer().sniff(start.lstrip("\ufeff").split("\n", 1)[0] or start, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    # Line by line (0x0A is never inside a UTF-8 or GB18030 character): errors know their line.
    text = io.TextIOWrapper(handle, encoding=encoding, newline="") if utf16 else _decoded_lines(handle, encoding)
    # strict: a quote never closed would otherwise swallow the rest of the file into one
    # cell, silently, and text after a closing quote would be glued on.
    numbered = _numbered(csv.reader(text, delimiter=delimiter, strict=True))
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
        raise FileRefused(MIXED.format(line=getattr(exc, "line", number + 1))) from exc
    except csv.Error as exc:
        raise FileRefused(f"CSV 格式错误（第 {number + 1} 行附近）：{_csv_reason(exc)}") from exc


def _csv_reason(exc: csv.Error) -> str:
    message = str(exc).lower()
    return next((reason for text, reason in CSV_REASONS if text in message), "无法按 CSV 格式读取这一行")


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
