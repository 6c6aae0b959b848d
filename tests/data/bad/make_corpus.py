"""Makes the bad-input corpus: every file in this folder and ``MANIFEST.toml``.

Run ``python tests/data/bad/make_corpus.py`` from the repository root. The output is
deterministic (fixed zip timestamps, no random data), so running it again rewrites the
same bytes; ``tests/security/test_bad_inputs.py`` checks that the committed files are
exactly what this script makes (the zip bomb aside: it takes seconds to compress).

Each entry says how its file was made (``made``), which import kind it is fed to, and what
the user must see:

- ``refused``: the whole file is refused with a message (``reason`` is a fragment of it);
- ``rejected``: rows are bad; the file is not imported and the report lists every bad
  cell as (row as in Excel, column header, reason fragment) — exactly ``errors``;
- ``applied``: the file is imported (a BOM, another encoding, HTML or a formula is not
  an error); ``created`` records appear and ``check`` names the extra assertion the test
  makes (stored as text, shown escaped, exported neutralised).

The test's fixture holds the ``tests/conftest.py`` tree (units C, X, Y, XA, XB, YD; areas
XA1 › XA1001, YD1001) plus case J-OLD-1 (XA, 受理 2026-05-01), activity HD-OLD-1 and
warning task YJ-OLD-1, which some files try to update before a bad row.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
MANIFEST = "MANIFEST.toml"
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
BOMB_NAME = "xlsx_bomb.xlsx"
BOMB_UNPACKED = 520 * 1024 * 1024  # over the reader's 500 MB limit


@dataclass(frozen=True)
class Bad:
    name: str
    kind: str
    outcome: str  # refused | rejected | applied
    reason: str  # a fragment of the message the user sees
    made: str  # how the file was made, and why it is bad
    data: bytes = b""
    errors: tuple[tuple[int, str, str], ...] = ()  # rejected: (row, column, reason fragment)
    via: str = "service"  # service: import_submit + import_execute; web: the upload form
    user: str = "clerk"  # clerk: a 数据员 of the city; clerk_x: of county X only
    max_size: int = 0  # IMPORT_MAX_FILE_SIZE for this file (0: the setting as it is)
    created: int = 0  # applied: records the file creates
    check: str = ""  # applied: the extra assertion the test makes
    secret: str = ""  # a value that must appear nowhere in the result (personal data)


# --- making files ------------------------------------------------------------------------


def csv_data(rows, *, encoding: str = "utf-8", bom: bytes = b"", delimiter: str = ",", end: str = "\r\n") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=end).writerows(rows)
    return bom + buffer.getvalue().encode(encoding)


def lines(*parts: str, encoding: str = "utf-8") -> bytes:
    """Raw text lines, CRLF-ended: for files csv.writer would not write (bad quoting)."""
    return "".join(p + "\r\n" for p in parts).encode(encoding)


@dataclass(frozen=True)
class Formula:
    """An XLSX formula cell; ``cached`` is the value Excel saved with it (None: never computed)."""

    text: str
    cached: str | None = None


@dataclass(frozen=True)
class ErrorCell:
    code: str  # #N/A, #DIV/0! …


def _cell(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        cached = "" if value.cached is None else f"<v>{escape(value.cached)}</v>"
        return f'<c r="{ref}" t="str"><f>{escape(value.text)}</f>{cached}</c>'
    if isinstance(value, ErrorCell):
        return f'<c r="{ref}" t="e"><v>{escape(value.code)}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows) -> bytes:
    body = "".join(
        f'<row r="{r}">' + "".join(_cell(f"{_column_letter(c)}{r}", v) for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


PACKAGE = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def _zip(parts: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = method
            archive.writestr(info, content)
    return buffer.getvalue()


def xlsx_data(rows) -> bytes:
    """A minimal workbook written by hand (one sheet, inline strings, no styles): every
    byte is ours, so formula and error cells can be exactly what a test needs."""
    return _zip(
        {**{name: text.encode() for name, text in PACKAGE.items()}, "xl/worksheets/sheet1.xml": sheet_xml(rows)}
    )


def bomb_data() -> bytes:
    """A real workbook whose one sheet unpacks to 520 MB of repeated rows, LZMA-compressed
    (zip method 14) to about 80 KB: the declared unpacked size is what the reader refuses."""
    buffer = io.BytesIO()
    row = b'<row><c t="inlineStr"><is><t>AAAAAAAA</t></is></c></row>' * 20_000
    head = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    tail = b"</sheetData></worksheet>"
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in PACKAGE.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode())
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_LZMA
        with archive.open(info, "w", force_zip64=True) as sheet:
            sheet.write(head)
            written = len(head)
            while written < BOMB_UNPACKED:
                sheet.write(row)
                written += len(row)
            sheet.write(tail)
    return buffer.getvalue()


def ole_data() -> bytes:
    """What Excel writes for a password-protected .xlsx: not a zip but an OLE compound file
    (CFB) holding EncryptionInfo and EncryptedPackage streams. This is its 512-byte header
    (magic D0 CF 11 E0 A1 B1 1A E1, version 3, little-endian, 512-byte sectors) followed by
    one FAT sector and one directory sector naming the two streams — enough for any reader
    that looks at the magic; the encrypted payload itself is left out."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:26] = (0x003E).to_bytes(2, "little")  # minor version
    header[26:28] = (0x0003).to_bytes(2, "little")  # major version 3
    header[28:30] = (0xFFFE).to_bytes(2, "little")  # byte order: little-endian
    header[30:32] = (9).to_bytes(2, "little")  # 2^9 = 512-byte sectors
    header[32:34] = (6).to_bytes(2, "little")  # 2^6 = 64-byte mini sectors
    header[44:48] = (1).to_bytes(4, "little")  # one FAT sector
    header[48:52] = (1).to_bytes(4, "little")  # directory starts at sector 1
    header[56:60] = (4096).to_bytes(4, "little")  # mini stream cutoff
    header[60:64] = (0xFFFFFFFE).to_bytes(4, "little")  # no mini FAT
    header[68:72] = (0xFFFFFFFE).to_bytes(4, "little")  # no DIFAT sectors
    header[76:80] = (0).to_bytes(4, "little")  # DIFAT[0]: the FAT is sector 0
    header[80:512] = b"\xff" * 432  # the other DIFAT entries: free
    fat = bytearray(b"\xff" * 512)
    fat[0:4] = (0xFFFFFFFD).to_bytes(4, "little")  # sector 0: FAT
    fat[4:8] = (0xFFFFFFFE).to_bytes(4, "little")  # sector 1: directory, end of chain
    directory = bytearray()
    for name, entry_type in (("Root Entry", 5), ("EncryptionInfo", 2), ("EncryptedPackage", 2)):
        entry = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        entry[0 : len(encoded)] = encoded
        entry[64:66] = len(encoded).to_bytes(2, "little")
        entry[66] = entry_type
        entry[68:80] = b"\xff" * 12  # no siblings, no child
        directory += entry
    directory += bytes(512 - len(directory))
    return bytes(header + fat + directory)


# --- the corpus -------------------------------------------------------------------------------

CASES = ["案件编号", "受理日期", "办案单位", "诈骗类型", "损失金额"]
GOOD_CASE = ["J-B01", "2026-05-03", "XA", "刷单返利", "100"]
GOOD_CASE_2 = ["J-B02", "2026-05-04", "解放路派出所", "杀猪盘", "12.3万"]
PUBLICITY = ["活动编号", "活动日期", "开展单位", "活动名称", "活动形式", "覆盖人数"]
GOOD_ACTIVITY = ["HD-B01", "2026-05-06", "XA", "反诈宣传进社区", "进社区", "120"]
WARNINGS = ["预警编号", "下发时间", "风险等级", "处置单位"]
GOOD_WARNING = ["YJ-B01", "2026-05-03 09:30", "高", "XA"]
EVENTS = ["案件编号", "事件", "日期", "人数", "金额"]
UNITS = ["单位编码", "单位名称", "层级", "上级单位编码", "常住人口"]
AREAS = ["区域编码", "区域名称", "区域类型", "所属单位编码", "上级区域编码"]
FILE_REJECTED = "整个文件未导入"
PHONE = "12345678"
ID_NO = "110105194912310021"  # check digit should be X

TRADITIONAL = [
    ["案件編號", "受理日期", "辦案單位", "詐騙類型", "損失金額"],
    ["J-B01", "2026-05-03", "濱江派出所", "刷單返利", "100"],
]


def _tab(rows) -> str:
    return "".join("\t".join(row) + "\r\n" for row in rows)


def corpus() -> list[Bad]:
    good = [CASES, GOOD_CASE, GOOD_CASE_2]
    out: list[Bad] = []
    add = out.append

    # -- encodings and BOMs: a BOM alone never breaks a good file
    add(
        Bad(
            "enc_utf8_bom.csv",
            "cases",
            "applied",
            "已新增 2 条",
            "good cases file, UTF-8 with BOM",
            csv_data(good, bom=codecs.BOM_UTF8),
            created=2,
        )
    )
    add(
        Bad(
            "enc_utf8_double_bom.csv",
            "cases",
            "applied",
            "已新增 2 条",
            "good cases file starting with two UTF-8 BOMs (a tool added one to a file that had one)",
            codecs.BOM_UTF8 + csv_data(good, bom=codecs.BOM_UTF8),
            created=2,
        )
    )
    add(
        Bad(
            "enc_utf16le_bom.txt",
            "cases",
            "applied",
            "已新增 2 条",
            "good cases file as Excel's 'Unicode text': UTF-16 LE with BOM, tab-separated",
            codecs.BOM_UTF16_LE + _tab(good).encode("utf-16-le"),
            created=2,
        )
    )
    add(
        Bad(
            "enc_utf16be_bom.csv",
            "cases",
            "applied",
            "已新增 2 条",
            "good cases file, UTF-16 BE with BOM, tabs",
            codecs.BOM_UTF16_BE + _tab(good).encode("utf-16-be"),
            created=2,
        )
    )
    add(
        Bad(
            "enc_utf16le_nobom.csv",
            "cases",
            "applied",
            "已新增 2 条",
            "good cases file, UTF-16 LE without a BOM (every other byte NUL): detected, not taken for binary",
            _tab(good).encode("utf-16-le"),
            created=2,
        )
    )
    add(
        Bad(
            "enc_utf16be_nobom.txt",
            "publicity",
            "applied",
            "已新增 1 条",
            "good publicity file, UTF-16 BE, no BOM",
            _tab([PUBLICITY, GOOD_ACTIVITY]).encode("utf-16-be"),
            created=1,
        )
    )
    add(
        Bad(
            "enc_gbk_inside_utf8.csv",
            "cases",
            "refused",
            "第 3 行附近有无法按文件编码识别的字符",
            "UTF-8 cases file whose row 3 was pasted in as GBK bytes",
            csv_data(good[:2]) + csv_data([GOOD_CASE_2], encoding="gbk") + csv_data([["J-B03", *GOOD_CASE[1:]]]),
        )
    )
    add(
        Bad(
            "enc_utf8_inside_gbk.csv",
            "cases",
            "refused",
            "第 3 行附近有无法按文件编码识别的字符",
            "GBK cases file (header and row 2) whose row 3 is UTF-8",
            csv_data(good[:2], encoding="gbk") + csv_data([GOOD_CASE_2]),
        )
    )
    add(
        Bad(
            "enc_ascii_header_mixed.csv",
            "publicity",
            "refused",
            "第 3 行附近有无法按文件编码识别的字符",
            "English headers (ASCII, valid in any encoding), row 2 UTF-8, row 3 GBK",
            csv_data(
                [
                    ["activity_no", "held_on", "unit", "title", "form"],
                    ["HD-B01", "2026-05-06", "XA", "反诈宣传进社区", "进社区"],
                ]
            )
            + csv_data([["HD-B02", "2026-05-07", "XA", "反诈宣传进校园", "进校园"]], encoding="gbk"),
        )
    )
    add(
        Bad(
            "enc_utf8_bom_then_gbk.csv",
            "publicity",
            "refused",
            "第 2 行附近有无法按文件编码识别的字符",
            "a UTF-8 BOM and header, then a GBK row: the BOM promises UTF-8",
            csv_data([PUBLICITY], bom=codecs.BOM_UTF8) + csv_data([GOOD_ACTIVITY], encoding="gbk"),
        )
    )
    add(
        Bad(
            "enc_big5.csv",
            "cases",
            "refused",
            "编码",
            "a traditional-Chinese cases file in Big5",
            csv_data(TRADITIONAL, encoding="big5"),
        )
    )
    add(
        Bad(
            "enc_shift_jis.csv",
            "warnings",
            "refused",
            "编码",
            "a Japanese file in Shift-JIS (half-width kana)",
            csv_data(
                [["予警番号", "発行時間", "ﾚﾍﾞﾙ", "担当"], ["YJ-B01", "2026-05-03 09:30", "ｺｳ", "ｱｲｳ"]],
                encoding="shift_jis",
            ),
        )
    )
    add(Bad("enc_bom_only.csv", "cases", "refused", "文件是空的", "nothing but a UTF-8 BOM (3 bytes)", codecs.BOM_UTF8))
    add(
        Bad(
            "enc_gbk_bad_amount.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "a GBK file (detected) with a negative amount: the report names the cell",
            csv_data([*good, ["J-B03", "2026-05-03", "滨江派出所", "刷单返利", "-100"]], encoding="gbk"),
            errors=((4, "损失金额", "金额不能为负数"),),
        )
    )

    # -- containers and file types
    whole = xlsx_data(good)
    add(
        Bad(
            "xlsx_truncated.xlsx",
            "cases",
            "refused",
            "无法打开 Excel 文件",
            "a good workbook cut to its first 60% (a broken download)",
            whole[: len(whole) * 6 // 10],
        )
    )
    add(
        Bad(
            "xlsx_password.xlsx",
            "cases",
            "refused",
            "加了密码",
            "a password-protected workbook: an OLE/CFB container (see ole_data)",
            ole_data(),
        )
    )
    add(
        Bad(
            BOMB_NAME,
            "cases",
            "refused",
            "解压后过大",
            "a zip bomb: one sheet of 520 MB unpacked, ~80 KB on disk (see bomb_data)",
        )
    )
    add(
        Bad(
            "xlsx_csv_content.xlsx",
            "cases",
            "refused",
            "内容不是 Excel 工作簿",
            "a CSV file renamed .xlsx",
            csv_data(good),
        )
    )
    add(
        Bad(
            "xlsx_plain_zip.xlsx",
            "cases",
            "refused",
            "没有 Excel 工作簿",
            "a zip of a text file, named .xlsx",
            _zip({"readme.txt": b"not a workbook"}),
        )
    )
    add(
        Bad(
            "xlsx_empty_sheet.xlsx",
            "publicity",
            "refused",
            "没有表头行",
            "a workbook whose sheet has no cells",
            xlsx_data([]),
        )
    )
    add(
        Bad(
            "xlsx_bad_cells.xlsx",
            "cases",
            "rejected",
            FILE_REJECTED,
            "typed cells: an error cell, a boolean, 1e30 and 1e20 as numbers, an impossible serial date, a 70-char key",
            xlsx_data(
                [
                    CASES,
                    GOOD_CASE,
                    ["J-X03", "2026-05-03", "XA", "刷单返利", ErrorCell("#N/A")],
                    ["J-X04", "2026-05-03", "XA", "刷单返利", True],
                    ["J-X05", "2026-05-03", "XA", "刷单返利", 1e30],
                    ["J-X06", "2026-05-03", "XA", "刷单返利", 99999999999999999999.0],
                    ["J-X07", 99999999, "XA", "刷单返利", 10],
                    ["J" * 70, "2026-05-03", "XA", "刷单返利", 10],
                ]
            ),
            errors=(
                (3, "损失金额", "金额必须是数字"),
                (4, "损失金额", "金额必须是数字"),
                (5, "损失金额", "金额超出范围"),
                (6, "损失金额", "金额超出范围"),
                (7, "受理日期", "不是有效的 Excel 日期序号"),
                (8, "案件编号", "最多 64 个字"),
            ),
        )
    )
    add(
        Bad(
            "xlsx_formula_uncached.xlsx",
            "cases",
            "rejected",
            FILE_REJECTED,
            "formula cells never computed (no cached value, as scripts write them): read as empty",
            xlsx_data(
                [CASES, GOOD_CASE, [Formula('CONCAT("J-","B09")'), "2026-05-03", "XA", "刷单返利", Formula("SUM(1,2)")]]
            ),
            errors=((3, "案件编号", "不能为空"), (3, "损失金额", "不能为空")),
        )
    )
    add(
        Bad(
            "xlsx_formula_text.xlsx",
            "cases",
            "applied",
            "已新增 2 条",
            "formulas as text cells and a computed HYPERLINK: stored as text, never run",
            xlsx_data(
                [
                    [*CASES, "发案部位", "受害人职业"],
                    [*GOOD_CASE, '=HYPERLINK("http://evil.example/x","点我")', "@SUM(1+1)"],
                    [*GOOD_CASE_2, "+cmd|' /C calc'!A0", Formula('HYPERLINK("http://evil.example","点我")', "点我")],
                ]
            ),
            created=2,
            check="formulas_stored_as_text",
        )
    )
    add(
        Bad(
            "xlsx_title_row.xlsx",
            "cases",
            "refused",
            "缺少必需的列",
            "a report title in row 1 above the header (the header must be the first filled row)",
            xlsx_data([["江临市电诈案件登记表"], CASES, GOOD_CASE]),
        )
    )
    add(
        Bad(
            "type_program.exe",
            "cases",
            "refused",
            "只能导入 CSV",
            "a Windows program header (MZ) named .exe",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(48),
        )
    )
    add(Bad("type_legacy.xls", "cases", "refused", "旧版 .xls", "a legacy .xls (OLE container)", ole_data()))
    add(
        Bad(
            "type_no_extension",
            "cases",
            "refused",
            "只能导入 CSV",
            "a good CSV with no extension in its name",
            csv_data(good),
        )
    )
    add(
        Bad(
            "type_xlsx_named.csv",
            "cases",
            "applied",
            "已新增 2 条",
            "a good workbook named .csv: the content decides, not the name",
            xlsx_data(good),
            created=2,
        )
    )
    add(
        Bad(
            "type_pdf_named.csv",
            "cases",
            "refused",
            "二进制",
            "a PDF header with binary bytes, named .csv",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 8 >>\nstream\n\x00\x01\x02\x03\x89PNG\nendstream\n",
        )
    )
    add(
        Bad(
            "type_nul_byte.csv",
            "cases",
            "refused",
            "二进制",
            "a good CSV with one NUL byte inside row 2",
            csv_data(good).replace(b"J-B01", b"J-\x00B01"),
        )
    )
    add(
        Bad(
            "type_html_page.csv",
            "cases",
            "refused",
            "缺少必需的列",
            "a login page saved instead of the export (HTML named .csv)",
            lines("<!DOCTYPE html>", "<html><head><title>登录</title></head>", "<body>请先登录</body></html>"),
        )
    )

    # -- sizes
    add(Bad("size_empty.csv", "cases", "refused", "文件是空的", "0 bytes"))
    add(
        Bad(
            "size_whitespace_only.csv",
            "cases",
            "refused",
            "文件是空的",
            "blank lines and spaces only",
            b"   \r\n\r\n  \t \r\n",
        )
    )
    add(Bad("web_empty.csv", "cases", "refused", "提交的是空文件", "0 bytes, through the upload form", via="web"))
    add(
        Bad(
            "web_over_limit.csv",
            "cases",
            "refused",
            "上限",
            "a good 1.6 KB file uploaded with IMPORT_MAX_FILE_SIZE set to 1 KB by the test (no 200 MB file is "
            "committed: the limit is lowered, not the file raised)",
            csv_data([CASES, *([f"J-L{n:02d}", "2026-05-03", "XA", "刷单返利", "100"] for n in range(40))]),
            via="web",
            max_size=1024,
        )
    )
    add(
        Bad(
            "web_program.exe",
            "cases",
            "refused",
            "只能导入 CSV",
            "a program header, through the upload form",
            b"MZ\x90\x00" + bytes(60),
            via="web",
        )
    )
    add(
        Bad(
            "web_legacy.xls",
            "publicity",
            "refused",
            "旧版 .xls",
            "a legacy .xls through the upload form",
            ole_data(),
            via="web",
        )
    )
    add(
        Bad(
            "web_bad_amount.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "through the upload form: a good row that updates J-OLD-1, then an amount in HTML (the report page must "
            "show the bad value as text)",
            csv_data(
                [
                    CASES,
                    ["J-OLD-1", "2026-05-01", "XA", "刷单返利", "1"],
                    ["J-B03", "2026-05-03", "XA", "刷单返利", "<b onmouseover=alert(1)>一百</b>"],
                ]
            ),
            errors=((3, "损失金额", "金额必须是数字"),),
            via="web",
        )
    )
    add(
        Bad(
            "web_mixed_encoding.csv",
            "cases",
            "refused",
            "混用了多种编码",
            "through the upload form: UTF-8 with a GBK row 3",
            csv_data(good[:2]) + csv_data([GOOD_CASE_2], encoding="gbk"),
            via="web",
        )
    )

    # -- headers and structure
    add(Bad("hdr_headers_only.csv", "cases", "refused", "只有表头", "the header and nothing else", csv_data([CASES])))
    add(
        Bad(
            "hdr_headers_only.xlsx",
            "publicity",
            "refused",
            "只有表头",
            "a workbook with the header row only",
            xlsx_data([PUBLICITY]),
        )
    )
    add(
        Bad(
            "hdr_wrong_headers.csv",
            "cases",
            "refused",
            "缺少必需的列",
            "another system's column names",
            csv_data([["id", "date", "dept", "category", "amount"], ["1", "2026-05-03", "XA", "x", "1"]]),
        )
    )
    add(
        Bad(
            "hdr_missing_station.csv",
            "warnings",
            "refused",
            "缺少必需的列：处置单位（station）",
            "a warnings file without its 处置单位 column",
            csv_data([WARNINGS[:3], GOOD_WARNING[:3]]),
        )
    )
    add(
        Bad(
            "hdr_same_column_twice.csv",
            "publicity",
            "refused",
            "是同一列",
            "活动名称 and its alias title both present",
            csv_data([[*PUBLICITY, "title"], [*GOOD_ACTIVITY, "x"]]),
        )
    )
    add(
        Bad(
            "csv_ragged_long.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "row 3 has an unquoted 3,800 in the last column: one cell too many",
            lines(",".join(CASES), ",".join(GOOD_CASE), "J-B02,2026-05-04,XA,刷单返利,3,800"),
            errors=((3, "第 6 列", "多出"),),
        )
    )
    add(
        Bad(
            "csv_ragged_short.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "row 3 stops after three cells",
            lines(",".join(CASES), ",".join(GOOD_CASE), "J-B02,2026-05-04,XA"),
            errors=((3, "诈骗类型", "本行只有 3 列"), (3, "损失金额", "本行只有 3 列")),
        )
    )
    add(
        Bad(
            "csv_unterminated_quote.csv",
            "publicity",
            "refused",
            "引号",
            "row 2's last cell opens a quote that never closes: the rest of the file would vanish into it",
            lines(
                ",".join([*PUBLICITY, "地点"]),
                ",".join(GOOD_ACTIVITY) + ',"幸福小区',
                "HD-B02,2026-05-07,XA,反诈宣传进校园,进校园,80,实验小学",
            ),
        )
    )
    add(
        Bad(
            "csv_stray_quote.csv",
            "cases",
            "refused",
            "引号",
            'row 3 has text after a closing quote ("滨江"派出所)',
            lines(",".join(CASES), ",".join(GOOD_CASE), 'J-B02,2026-05-04,"滨江"派出所,刷单返利,100'),
        )
    )
    add(
        Bad(
            "csv_cr_only.csv",
            "cases",
            "applied",
            "已新增 2 条",
            "a good file with classic-Mac line ends (CR only)",
            csv_data(good, end="\r"),
            created=2,
        )
    )
    add(
        Bad(
            "csv_huge_field.csv",
            "cases",
            "refused",
            "单元格超过",
            "a 140,000-character cell (over the CSV reader's field limit)",
            csv_data([[*CASES, "发案部位"], [*GOOD_CASE, "x" * 140_000]]),
        )
    )
    add(
        Bad(
            "csv_blank_lines_first.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "a blank line and a line of commas, the header on line 3, a bad amount on line 6: rows are numbered "
            "as in Excel",
            b"\r\n,,,,\r\n" + csv_data([*good, ["J-B03", "2026-05-03", "XA", "刷单返利", "abc"]]),
            errors=((6, "损失金额", "金额必须是数字"),),
        )
    )
    add(
        Bad(
            "csv_multiline_cell.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "row 2's place is a quoted two-line cell; row 3 has a bad date: one row each, as Excel shows them",
            csv_data(
                [
                    [*CASES, "发案部位"],
                    [*GOOD_CASE, "幸福小区\n3 栋"],
                    ["J-B02", "2026-02-30", "XA", "刷单返利", "1", ""],
                ]
            ),
            errors=((3, "受理日期", "日期不存在"),),
        )
    )
    add(
        Bad(
            "csv_semicolons.txt",
            "publicity",
            "rejected",
            FILE_REJECTED,
            "semicolon-separated (detected) with an unknown form",
            csv_data(
                [PUBLICITY, GOOD_ACTIVITY, ["HD-B02", "2026-05-07", "XA", "反诈直播", "直播", "10"]], delimiter=";"
            ),
            errors=((3, "活动形式", "未知的活动形式"),),
        )
    )

    # -- cases: values
    add(
        Bad(
            "cases_amounts.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "negative, 1e30, 20 nines, Chinese numerals, NaN, 万亿 and a negative recovery; row 2 updates J-OLD-1",
            csv_data(
                [
                    [*CASES, "追赃金额"],
                    ["J-OLD-1", "2026-05-01", "XA", "刷单返利", "1", ""],
                    ["J-A03", "2026-05-03", "XA", "刷单返利", "-100", ""],
                    ["J-A04", "2026-05-03", "XA", "刷单返利", "1e30", ""],
                    ["J-A05", "2026-05-03", "XA", "刷单返利", "99999999999999999999", ""],
                    ["J-A06", "2026-05-03", "XA", "刷单返利", "一百", ""],
                    ["J-A07", "2026-05-03", "XA", "刷单返利", "NaN", ""],
                    ["J-A08", "2026-05-03", "XA", "刷单返利", "12.3万亿", ""],
                    ["J-A09", "2026-05-03", "XA", "刷单返利", "100", "-1"],
                ]
            ),
            errors=(
                (3, "损失金额", "金额不能为负数"),
                (4, "损失金额", "金额必须是数字"),
                (5, "损失金额", "金额超出范围"),
                (6, "损失金额", "金额必须是数字"),
                (7, "损失金额", "金额必须是数字"),
                (8, "损失金额", "金额必须是数字"),
                (9, "追赃金额", "金额不能为负数"),
            ),
        )
    )
    add(
        Bad(
            "cases_dates.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "2026-02-30, a future date, month 13, words, 0000-00-00, occurred after reported, solved before reported",
            csv_data(
                [
                    [*CASES, "发案日期", "破案日期"],
                    [*GOOD_CASE, "", ""],
                    ["J-D03", "2026-02-30", "XA", "刷单返利", "1", "", ""],
                    ["J-D04", "2099-01-01", "XA", "刷单返利", "1", "", ""],
                    ["J-D05", "2026/13/01", "XA", "刷单返利", "1", "", ""],
                    ["J-D06", "昨天", "XA", "刷单返利", "1", "", ""],
                    ["J-D07", "0000-00-00", "XA", "刷单返利", "1", "", ""],
                    ["J-D08", "2026-05-03", "XA", "刷单返利", "1", "2026-05-04", ""],
                    ["J-D09", "2026-05-03", "XA", "刷单返利", "1", "", "2026-05-02"],
                ]
            ),
            errors=(
                (3, "受理日期", "日期不存在"),
                (4, "受理日期", "日期晚于今天"),
                (5, "受理日期", "日期不存在"),
                (6, "受理日期", "无法识别的日期格式"),
                (7, "受理日期", "日期不存在"),
                (8, "发案日期", "发案日期晚于受理日期"),
                (9, "破案日期", "破案日期早于受理日期"),
            ),
        )
    )
    add(
        Bad(
            "cases_refs.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "an unknown station, a county where a station belongs, an unknown fraud type, unknown and foreign areas",
            csv_data(
                [
                    [*CASES, "发案地"],
                    [*GOOD_CASE, "幸福社区"],
                    ["J-R03", "2026-05-03", "无此派出所", "刷单返利", "1", ""],
                    ["J-R04", "2026-05-03", "X", "刷单返利", "1", ""],
                    ["J-R05", "2026-05-03", "XA", "火星诈骗", "1", ""],
                    ["J-R06", "2026-05-03", "XA", "刷单返利", "1", "不存在社区"],
                    ["J-R07", "2026-05-03", "XA", "刷单返利", "1", "YD1001"],
                ]
            ),
            errors=(
                (3, "办案单位", "找不到这个派出所"),
                (4, "办案单位", "这里须填派出所"),
                (5, "诈骗类型", "未知的诈骗类型"),
                (6, "发案地", "辖区里找不到这个区域"),
                (7, "发案地", "不属于滨江派出所"),
            ),
        )
    )
    add(
        Bad(
            "cases_out_of_scope.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "a clerk of county X names a station of county Y",
            csv_data([CASES, GOOD_CASE, ["J-S03", "2026-05-03", "YD", "刷单返利", "1"]]),
            errors=((3, "办案单位", "不在您的管辖范围内"),),
            user="clerk_x",
        )
    )
    add(
        Bad(
            "cases_choices.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "unknown gender and residency, 也许 for yes/no, ages 200 and -5, twenty nines arrested",
            csv_data(
                [
                    [*CASES, "受害人性别", "户籍类型", "是否立案", "受害人年龄", "抓获人数"],
                    [*GOOD_CASE, "女", "常住", "是", "30", ""],
                    ["J-C03", "2026-05-03", "XA", "刷单返利", "1", "未知", "外星", "也许", "200", ""],
                    ["J-C04", "2026-05-03", "XA", "刷单返利", "1", "", "", "", "-5", "99999999999999999999"],
                ]
            ),
            errors=(
                (3, "受害人性别", "未知的性别"),
                (3, "户籍类型", "未知的户籍类型"),
                (3, "是否立案", "须为 是/否"),
                (3, "受害人年龄", "不能大于 120"),
                (4, "受害人年龄", "须为不小于 0 的整数"),
                (4, "抓获人数", "不能大于 1000000"),
            ),
        )
    )
    add(
        Bad(
            "cases_long_fields.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "a 65-character case number, a 201-character place, a 51-character occupation (each one over max_length)",
            csv_data(
                [
                    [*CASES, "发案部位", "受害人职业"],
                    [*GOOD_CASE, "", ""],
                    ["K" * 65, "2026-05-03", "XA", "刷单返利", "1", "", ""],
                    ["J-F04", "2026-05-03", "XA", "刷单返利", "1", "部" * 201, ""],
                    ["J-F05", "2026-05-03", "XA", "刷单返利", "1", "", "职" * 51],
                ]
            ),
            errors=(
                (3, "案件编号", "最多 64 个字"),
                (4, "发案部位", "最多 200 个字"),
                (5, "受害人职业", "最多 50 个字"),
            ),
        )
    )
    add(
        Bad(
            "cases_duplicate_keys.csv",
            "cases",
            "rejected",
            FILE_REJECTED,
            "J-B01 on rows 2 and 4",
            csv_data([*good, GOOD_CASE]),
            errors=((4, "案件编号", "与第 2 行重复"),),
        )
    )
    add(
        Bad(
            "cases_html.csv",
            "cases",
            "applied",
            "已新增 2 条",
            "a <script> case number and an <img onerror> place: stored as text, shown escaped on the case list",
            csv_data(
                [
                    [*CASES, "发案部位"],
                    ["<script>alert(1)</script>", *GOOD_CASE[1:], "<b>粗体</b>"],
                    [*GOOD_CASE_2, '<img src=x onerror="alert(2)">'],
                ]
            ),
            created=2,
            check="html_escaped_on_case_list",
        )
    )
    add(
        Bad(
            "cases_formulas.csv",
            "cases",
            "applied",
            "已新增 2 条",
            "=HYPERLINK, +cmd| and @SUM in text cells: stored as written, neutralised in the case export",
            csv_data(
                [
                    [*CASES, "发案部位", "受害人职业"],
                    ['=HYPERLINK("http://evil.example","点我")', *GOOD_CASE[1:], "+cmd|' /C calc'!A0", "@SUM(1+1)"],
                    [*GOOD_CASE_2, "-2+3+cmd|' /C notepad'!A0", "=1+1"],
                ]
            ),
            created=2,
            check="formulas_stored_as_text",
        )
    )

    # -- case events
    add(
        Bad(
            "events_bad.csv",
            "case_events",
            "rejected",
            FILE_REJECTED,
            "a good freeze on J-OLD-1 first, then: unknown case, unknown event, impossible and future dates, a date "
            "before the case was reported, an arrest without a count, negative and missing amounts",
            csv_data(
                [
                    EVENTS,
                    ["J-OLD-1", "冻结", "2026-05-02", "", "100"],
                    ["J-NONE", "冻结", "2026-05-02", "", "100"],
                    ["J-OLD-1", "没收", "2026-05-02", "", "100"],
                    ["J-OLD-1", "冻结", "2026-02-30", "", "100"],
                    ["J-OLD-1", "冻结", "2099-05-02", "", "100"],
                    ["J-OLD-1", "冻结", "2026-04-01", "", "100"],
                    ["J-OLD-1", "抓获", "2026-05-02", "", ""],
                    ["J-OLD-1", "追赃", "2026-05-02", "", "-5"],
                    ["J-OLD-1", "返还", "2026-05-02", "", ""],
                ]
            ),
            errors=(
                (3, "案件编号", "找不到这个案件"),
                (4, "事件", "未知的事件"),
                (5, "日期", "日期不存在"),
                (6, "日期", "日期晚于今天"),
                (7, "日期", "早于案件的受理日期"),
                (8, "人数", "抓获须填写大于 0 的人数"),
                (9, "金额", "金额不能为负数"),
                (10, "金额", "须填写大于 0 的金额"),
            ),
        )
    )
    add(
        Bad(
            "events_headers_only.xlsx",
            "case_events",
            "refused",
            "只有表头",
            "a case-events workbook, header only",
            xlsx_data([EVENTS]),
        )
    )
    add(
        Bad(
            "events_wrong_headers.csv",
            "case_events",
            "refused",
            "缺少必需的列：事件（kind）、日期（on）",
            "a cases header fed as case events",
            csv_data(good),
        )
    )

    # -- warnings
    warnings_header = [
        *WARNINGS,
        "预警类型",
        "预警对象",
        "对象手机号",
        "对象身份证号",
        "签收时间",
        "处置时间",
        "处置结果",
        "止损金额",
    ]
    add(
        Bad(
            "warnings_bad.csv",
            "warnings",
            "rejected",
            FILE_REJECTED,
            "unknown level and kind, 25:61, a future issue, an unknown station, a bad phone and ID number (reported "
            "masked), handling before issue, an outcome without handling, a negative amount, a 51-character name",
            csv_data(
                [
                    warnings_header,
                    [*GOOD_WARNING, "电话预警", "张三", "13800138000", "", "", "", "", ""],
                    ["YJ-B03", "2026-05-03 09:30", "超高", "XA", "飞鸽预警", "", "", "", "", "", "", ""],
                    ["YJ-B04", "2026-05-03 25:61", "高", "XA", "", "", "", "", "", "", "", ""],
                    ["YJ-B05", "2099-05-03 09:30", "高", "XA", "", "", "", "", "", "", "", ""],
                    ["YJ-B06", "2026-05-03 09:30", "高", "无此派出所", "", "", "", "", "", "", "", ""],
                    ["YJ-B07", "2026-05-03 09:30", "高", "XA", "", "李四", PHONE, ID_NO, "", "", "", ""],
                    ["YJ-B08", "2026-05-03 09:30", "高", "XA", "", "", "", "", "", "2026-05-02 09:00", "劝阻成功", ""],
                    ["YJ-B09", "2026-05-03 09:30", "高", "XA", "", "", "", "", "", "", "劝阻成功", ""],
                    [
                        "YJ-B10",
                        "2026-05-03 09:30",
                        "高",
                        "XA",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "2026-05-03 10:00",
                        "劝阻成功",
                        "-1",
                    ],
                    ["YJ-B11", "2026-05-03 09:30", "高", "XA", "", "名" * 51, "", "", "", "", "", ""],
                ]
            ),
            errors=(
                (3, "风险等级", "未知的风险等级"),
                (3, "预警类型", "未知的预警类型"),
                (4, "下发时间", "时间不存在"),
                (5, "下发时间", "下发时间晚于现在"),
                (6, "处置单位", "找不到这个派出所"),
                (7, "对象手机号", "手机号须为 11 位"),
                (7, "对象身份证号", "校验码不正确"),
                (8, "处置时间", "处置时间早于下发时间"),
                (9, "处置时间", "填写了处置结果时须填写处置时间"),
                (10, "止损金额", "金额不能为负数"),
                (11, "预警对象", "最多 50 个字"),
            ),
            secret=ID_NO,
        )
    )
    add(
        Bad(
            "warnings_duplicate_keys.xlsx",
            "warnings",
            "rejected",
            FILE_REJECTED,
            "YJ-B01 twice in a workbook, and YJ-OLD-1 (stored) updated before it",
            xlsx_data([WARNINGS, ["YJ-OLD-1", "2026-05-01 08:00", "低", "XA"], GOOD_WARNING, GOOD_WARNING]),
            errors=((4, "预警编号", "与第 3 行重复"),),
        )
    )
    add(
        Bad(
            "warnings_html_then_bad.csv",
            "warnings",
            "rejected",
            FILE_REJECTED,
            "a <script> subject name on a good row, then a row with no level",
            csv_data(
                [
                    [*WARNINGS, "预警对象"],
                    [*GOOD_WARNING, "<script>alert(1)</script>"],
                    ["YJ-B02", "2026-05-03 10:00", "", "XA", ""],
                ]
            ),
            errors=((3, "风险等级", "不能为空"),),
        )
    )

    # -- publicity
    add(
        Bad(
            "publicity_bad.csv",
            "publicity",
            "rejected",
            FILE_REJECTED,
            "HD-OLD-1 updated first, then an unknown form, 20 nines reached, a future date, an unknown unit, a "
            "201-character title, an empty title, a negative count",
            csv_data(
                [
                    PUBLICITY,
                    ["HD-OLD-1", "2026-05-02", "XA", "反诈宣传进社区", "进社区", "999"],
                    ["HD-B03", "2026-05-06", "XA", "反诈直播", "直播", "1"],
                    ["HD-B04", "2026-05-06", "XA", "反诈讲座", "讲座", "99999999999999999999"],
                    ["HD-B05", "2099-05-06", "XA", "反诈讲座", "讲座", "1"],
                    ["HD-B06", "2026-05-06", "无此单位", "反诈讲座", "讲座", "1"],
                    ["HD-B07", "2026-05-06", "XA", "题" * 201, "讲座", "1"],
                    ["HD-B08", "2026-05-06", "XA", "", "讲座", "1"],
                    ["HD-B09", "2026-05-06", "XA", "反诈讲座", "讲座", "-3"],
                ]
            ),
            errors=(
                (3, "活动形式", "未知的活动形式"),
                (4, "覆盖人数", "不能大于 100000000"),
                (5, "活动日期", "日期晚于今天"),
                (6, "开展单位", "找不到这个单位"),
                (7, "活动名称", "最多 200 个字"),
                (8, "活动名称", "不能为空"),
                (9, "覆盖人数", "须为不小于 0 的整数"),
            ),
        )
    )
    add(
        Bad(
            "publicity_duplicate_natural_key.csv",
            "publicity",
            "rejected",
            FILE_REJECTED,
            "no activity numbers: the same date, unit and title twice",
            csv_data([PUBLICITY[1:], GOOD_ACTIVITY[1:], GOOD_ACTIVITY[1:]]),
            errors=((3, "活动日期", "与第 2 行重复"),),
        )
    )
    add(
        Bad(
            "publicity_html.csv",
            "publicity",
            "applied",
            "已新增 1 条",
            "a <script> title: stored as text, shown escaped on the publicity list",
            csv_data([PUBLICITY, ["HD-B01", "2026-05-06", "XA", "<script>alert('x')</script>反诈讲座", "讲座", "10"]]),
            created=1,
            check="html_escaped_on_publicity_list",
        )
    )

    # -- units and areas (checked while writing: a row may depend on an earlier one)
    add(
        Bad(
            "units_bad.csv",
            "units",
            "rejected",
            FILE_REJECTED,
            "a good new station first, then: a missing parent, an unknown level, a code with spaces, its own parent, "
            "a station under a station, a negative population, a 101-character name — every row reported at once",
            csv_data(
                [
                    UNITS,
                    ["XC", "新河派出所", "派出所", "X", "30000"],
                    ["XE", "东岸派出所", "派出所", "NOPE", ""],
                    ["XF", "某乡", "乡", "X", ""],
                    ["X G", "空格派出所", "派出所", "X", ""],
                    ["XH", "自己派出所", "派出所", "XH", ""],
                    ["XI", "所中所", "派出所", "XA", ""],
                    ["XJ", "负人口所", "派出所", "X", "-1"],
                    ["XK", "名" * 101, "派出所", "X", ""],
                ]
            ),
            errors=(
                (3, "上级单位编码", "上级单位不存在"),
                (4, "层级", "未知的层级"),
                (5, "单位编码", "编码只能包含"),
                (6, "上级单位编码", "上级单位不能是本单位"),
                (7, "层级", "派出所下不能设派出所"),
                (8, "常住人口", "须为不小于 0 的整数"),
                (9, "单位名称", "最多 100 个字"),
            ),
        )
    )
    add(
        Bad(
            "units_duplicate_keys.csv",
            "units",
            "rejected",
            FILE_REJECTED,
            "XC twice",
            csv_data([UNITS, ["XC", "新河派出所", "派出所", "X", ""], ["XC", "新河派出所二", "派出所", "X", ""]]),
            errors=((3, "单位编码", "与第 2 行重复"),),
        )
    )
    add(
        Bad(
            "units_out_of_scope.csv",
            "units",
            "rejected",
            FILE_REJECTED,
            "a clerk of county X: a station under county Y, and a top-level unit",
            csv_data(
                [
                    UNITS,
                    ["XC", "新河派出所", "派出所", "X", ""],
                    ["YC", "东湖二所", "派出所", "Y", ""],
                    ["P", "某省公安厅", "省", "", ""],
                ]
            ),
            errors=((3, "上级单位编码", "不在您的管辖范围内"), (4, "上级单位编码", "只有系统管理员可以导入顶级单位")),
            user="clerk_x",
        )
    )
    add(
        Bad(
            "areas_bad.csv",
            "areas",
            "rejected",
            FILE_REJECTED,
            "a good new community first, then: an unknown station, an unknown kind, a missing parent, a community "
            "under a community, a 33-character code",
            csv_data(
                [
                    AREAS,
                    ["XA1002", "和平社区", "社区", "XA", "XA1"],
                    ["XA1003", "某社区", "社区", "NOPE", ""],
                    ["XA1004", "某小区", "小区", "XA", ""],
                    ["XA1005", "某村", "村", "XA", "NOPE"],
                    ["XA1006", "某社区", "社区", "XA", "XA1001"],
                    ["A" * 33, "长编码社区", "社区", "XA", ""],
                ]
            ),
            errors=(
                (3, "所属单位编码", "找不到这个派出所"),
                (4, "区域类型", "未知的区域类型"),
                (5, "上级区域编码", "上级区域不存在"),
                (6, "上级区域编码", "只有社区、村可以归属于乡镇、街道"),
                (7, "区域编码", "最多 32 个字"),
            ),
        )
    )
    add(
        Bad(
            "areas_headers_only.csv",
            "areas",
            "refused",
            "只有表头",
            "the areas header with a BOM, nothing else",
            csv_data([AREAS], bom=codecs.BOM_UTF8),
        )
    )
    return out


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are all valid TOML ones)."""
    return json.dumps(text, ensure_ascii=False)


def manifest(entries: list[Bad]) -> str:
    parts = [
        "# The bad-input corpus: one [[file]] per file in this folder. Made by make_corpus.py (do not edit by hand).",
        "# outcome: refused (whole file, reason in the message) | rejected (row errors: [row, column, reason]) |",
        "#          applied (imported; `check` names the extra assertion)",
        "",
    ]
    for bad in entries:
        parts.append("[[file]]")
        parts.append(f"name = {toml_string(bad.name)}")
        parts.append(f"kind = {toml_string(bad.kind)}")
        parts.append(f"outcome = {toml_string(bad.outcome)}")
        parts.append(f"reason = {toml_string(bad.reason)}")
        if bad.errors:
            parts.append("errors = [")
            parts += [f"  [{row}, {toml_string(column)}, {toml_string(why)}]," for row, column, why in bad.errors]
            parts.append("]")
        for name in ("via", "user"):
            parts.append(f"{name} = {toml_string(getattr(bad, name))}")
        for name in ("max_size", "created"):
            if getattr(bad, name):
                parts.append(f"{name} = {getattr(bad, name)}")
        for name in ("check", "secret"):
            if getattr(bad, name):
                parts.append(f"{name} = {toml_string(getattr(bad, name))}")
        parts.append(f"made = {toml_string(bad.made)}")
        parts.append("")
    return "\n".join(parts)


def main() -> None:
    entries = corpus()
    for old in HERE.iterdir():
        if old.name not in {Path(__file__).name, MANIFEST} and old.is_file():
            old.unlink()
    for bad in entries:
        data = bomb_data() if bad.name == BOMB_NAME else bad.data
        (HERE / bad.name).write_bytes(data)
    (HERE / MANIFEST).write_text(manifest(entries), encoding="utf-8")
    print(f"{len(entries)} files and {MANIFEST} written to {HERE}")


if __name__ == "__main__":
    main()
