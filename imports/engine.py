"""The intake: one file of one kind in, every row checked, all of it written or none.

Used by the command line, the web page (through a Celery task) and the API alike.
Steps: read the file as a stream (encoding or workbook), match headers (Chinese or English,
after folding), then chunk by chunk parse every cell, refuse duplicate keys, resolve
references in bulk and write — all in one transaction, rolled back if a row is bad and
``partial`` was not asked for. ``dry_run`` writes and rolls back, so its counts are exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import transaction

from imports.kinds.base import Context, Kind, Row, WriteResult, chunks, normalize_header
from imports.parsers import CellError, as_text, is_blank
from imports.readers import FileRefused, read_table

ERRORS_KEPT = 200  # shown on the page; the CSV report has the rest
ERRORS_LIMIT = 100_000  # errors reported at most (every bad row is still counted)
WARNINGS_KEPT = 1_000
CHUNK_ROWS = 20_000  # rows parsed, checked and written together


@dataclass
class Outcome:
    status: str  # applied | checked | refused
    message: str
    encoding: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # every error: row, column, value, reason


class _RollBack(Exception):
    def __init__(self, result: WriteResult | None):
        self.result = result


def match_headers(kind: Kind, header: list[str], *, text_file: bool = False) -> tuple[dict[str, int], dict[str, str],
                                                                                     list[str]]:  # fmt: skip
    """Column key → position, column key → header as written, and unknown headers. When
    no column of a text file matches, the refusal quotes the header read and says it may be
    another encoding (Big5, Shift-JIS … decode as GBK without an error, into gibberish)."""
    names = {}
    for column in kind.columns:
        names[normalize_header(column.header)] = column.key
        names[normalize_header(column.alias)] = column.key
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    unknown = []
    for index, text in enumerate(header):
        key = names.get(normalize_header(text))
        if key is None:
            if text.strip():
                unknown.append(text.strip())
            continue
        if key in positions:
            raise FileRefused(f"“{written[key]}”和“{text}”是同一列，请删去其中一列")
        positions[key] = index
        written[key] = text.strip()
    missing = [c for c in kind.columns if c.needed and c.key not in positions]
    if missing:
        names = "、".join(f"{c.header}（{c.alias}）" for c in missing)
        reason = f"缺少必需的列：{names}"
        if not positions:
            shown = "，".join(h.strip() for h in header if h.strip())[:80]
            reason += f"。文件的第一行是“{shown}”：它应当是表头（第一行不能是标题）"
            if text_file:
                reason += "；如果它是乱码，文件用了 UTF-8、GBK 以外的编码，请另存为 UTF-8 后再导入"
        raise FileRefused(reason)
    return positions, written, unknown


def run(kind: Kind, data: bytes | BinaryIO, file_name: str, *, ctx: Context, dry_run: bool = False,
        partial: bool = False) -> Outcome:  # fmt: skip
    """Import ``data`` (bytes, or a binary file open for reading) as ``kind``."""
    try:
        return _run(kind, data, file_name, ctx=ctx, dry_run=dry_run, partial=partial)
    except FileRefused as exc:
        return Outcome(status="refused", message=exc.reason)


def _run(kind: Kind, data, file_name: str, *, ctx: Context, dry_run: bool, partial: bool) -> Outcome:
    """The file goes through in chunks of ``CHUNK_ROWS``, each parsed, checked and written
    inside one transaction: memory stays flat however long the file is. Once a row is bad
    (and ``partial`` was not asked for) nothing more is written, but every row is still
    checked so the report is complete; the transaction then rolls back."""
    table = read_table(data, file_name)
    text_file = table.encoding != "xlsx"
    positions, written, unknown = match_headers(kind, table.header, text_file=text_file)
    # A CSV row longer than the header has a cell in no column: most often an unquoted
    # comma (3,800) that shifted it. A workbook may hold notes beside the table.
    width = len(table.header) if text_file else None
    ctx.present = set(positions)
    outcome = Outcome(status="refused", message="", encoding=table.encoding, unknown_columns=unknown)
    result = WriteResult()
    seen: dict = {}  # key → row number, for duplicates across the whole file
    estimate = max(table.lines, 1)
    writing = True
    try:
        with transaction.atomic():
            for raw_rows in _chunks(table.rows):
                rows = [_parse_row(kind, number, values, positions, width) for number, values in raw_rows]
                outcome.rows_read += len(rows)
                estimate = max(estimate, outcome.rows_read)
                ctx.progress("check", outcome.rows_read, estimate)
                _refuse_duplicate_keys(kind, rows, seen)
                kind.resolve(rows, ctx)  # all rows, so a row lists every error at once
                good = [r for r in rows if not r.errors]
                writing = writing and (partial or len(good) == len(rows))
                # Some kinds find a row wrong only while writing (it depends on earlier rows):
                # they write on after a bad row, into the transaction that will be rolled back,
                # so the report lists every bad row at once.
                if good and (writing or kind.checks_while_writing):
                    part = kind.write(good, ctx)
                    if writing:
                        _add(result, part)
                        writing = partial or not any(r.errors for r in good)
                        ctx.progress("write", outcome.rows_read, estimate)
                _report_errors(outcome, kind, rows, written)
            if not outcome.rows_read:
                raise FileRefused("文件只有表头，没有数据行")
            if not writing:
                raise _RollBack(None)
            if dry_run:
                raise _RollBack(result)
    except _RollBack as rollback:
        if rollback.result is None:
            return _refused(outcome)
        result = rollback.result
    if outcome.refused == outcome.rows_read:
        outcome.message = "没有可以导入的正确行。"
        return outcome
    outcome.created, outcome.updated, outcome.unchanged = result.created, result.updated, result.unchanged
    outcome.warnings = result.warnings
    outcome.status = "checked" if dry_run else "applied"
    verb = "检查通过，将会" if dry_run else "已"
    outcome.message = f"{verb}新增 {result.created} 条、更新 {result.updated} 条，{result.unchanged} 条未变"
    if outcome.refused:
        outcome.message += f"；跳过有误的 {outcome.refused} 行"
    outcome.message += "。"
    ctx.progress("write", outcome.rows_read, outcome.rows_read)
    return outcome


def _chunks(rows) -> Iterator[list[tuple[int, list]]]:
    """Non-blank rows in lists of ``CHUNK_ROWS``."""
    return chunks(((n, values) for n, values in rows if any(not is_blank(v) for v in values)), CHUNK_ROWS)


def _add(total: WriteResult, part: WriteResult) -> None:
    total.created += part.created
    total.updated += part.updated
    total.unchanged += part.unchanged
    total.warnings += part.warnings[: max(WARNINGS_KEPT - len(total.warnings), 0)]


def _report_errors(outcome: Outcome, kind: Kind, rows: list[Row], written: dict[str, str]) -> None:
    """Count the chunk's bad rows and keep their errors, up to ``ERRORS_LIMIT``."""
    for row in rows:
        if not row.errors:
            continue
        outcome.refused += 1
        room = ERRORS_LIMIT - len(outcome.errors)
        outcome.errors += [
            {"row": row.number, "column": _column_label(kind, key, written), "value": as_text(value)[:200],
             "reason": reason}
            for key, value, reason in row.errors[: max(room, 0)]
        ]  # fmt: skip


def _column_label(kind: Kind, key: str, written: dict[str, str]) -> str:
    """The column as the file names it, else its Chinese header; a cell outside every
    column is already labelled by position (第 N 列)."""
    return written.get(key) or next((c.header for c in kind.columns if c.key == key), key)


def _refused(outcome: Outcome) -> Outcome:
    outcome.status = "refused"
    outcome.message = (
        f"有 {outcome.refused} 行数据有误，整个文件未导入。"
        "请按错误清单修改后重新导入，或勾选“跳过错误行”只导入正确的行。"
    )
    return outcome


def _parse_row(kind: Kind, number: int, values: list, positions: dict[str, int], width: int | None = None) -> Row:
    """Parse a row's cells. ``width`` (text files: the header's length) makes a filled cell
    beyond the header an error; a short row's missing cells count as empty (Excel leaves off
    trailing delimiters), and a required one says the row was short."""
    raw = {key: values[index] if index < len(values) else None for key, index in positions.items()}
    row = Row(number=number, values={}, raw=raw)
    if width is not None and len(values) > width:
        extra = [i for i in range(width, len(values)) if not is_blank(values[i])]
        if extra:
            reason = f'本行比表头多出 {len(values) - width} 列（可能有未加引号的逗号，如 3,800 应写作 "3,800"）'
            row.errors.append((f"第 {extra[0] + 1} 列", values[extra[0]], reason))
    for column in kind.columns:
        value = raw.get(column.key)
        if is_blank(value):
            row.values[column.key] = None
            if column.required:
                short = column.key in positions and positions[column.key] >= len(values)
                row.fail(column.key, f"不能为空（本行只有 {len(values)} 列，比表头少）" if short else "不能为空")
            continue
        try:
            row.values[column.key] = column.parse(value)
        except CellError as exc:
            row.values[column.key] = None
            row.fail(column.key, exc.reason)
    if not row.errors:
        kind.check(row)
    return row


def _refuse_duplicate_keys(kind: Kind, rows: list[Row], first_seen: dict) -> None:
    """A key met twice in the file: the later row is refused. ``first_seen`` holds every key
    of the file (about 130 bytes a row, measured: 1.3 GB for ten million rows)."""
    for row in rows:
        if row.errors:
            continue
        key = kind.key(row)
        if key in first_seen:
            row.fail(kind.key_column(row), f"与第 {first_seen[key]} 行重复（{kind.key_label(row)}）")
        else:
            first_seen[key] = row.number
