"""What an import kind is: its columns and its upsert. Adding a kind is declaring both.

A kind lists its ``columns`` (Chinese header, English alias, parser, required or not),
names the ``key`` that identifies a row, resolves references for all rows at once
(``resolve``), and writes them in bulk (``write``). The engine does the rest: reading,
header matching, parsing, duplicate keys, all-or-nothing, progress and the report.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, router

from orgs.batches import batches


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    alias: str
    parse: Callable[[Any], Any]
    required: bool = False  # the column must exist and every row must fill it
    must_exist: bool = False  # the column must exist; a row may leave it empty

    @property
    def needed(self) -> bool:
        return self.required or self.must_exist


CHUNK = 900  # keys per IN (...) query, under every database's parameter limit


def chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    """``items`` in lists of ``size`` (by default ``CHUNK``, keys per IN query)."""
    return batches(items, size)


def stored(queryset, field: str, values: list) -> dict:
    """The records of ``queryset`` whose ``field`` is one of ``values``, by that value. On
    PostgreSQL the values that exist are found first, in one array query: a new file's rows
    find none, and 900-key IN lists cost more than the rows they read."""
    values = [v for v in values if v]
    model = queryset.model
    connection = connections[router.db_for_read(model)]
    if connection.vendor == "postgresql" and values:
        column, table = model._meta.get_field(field).column, model._meta.db_table
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} = ANY(%s)", [values])
            values = [row[0] for row in cursor.fetchall()]
    found = {}
    for chunk in chunks(values):
        found.update((getattr(record, field), record) for record in queryset.filter(**{f"{field}__in": chunk}))
    return found


def normalize_header(text: str) -> str:
    """Headers match after trimming, folding full-width characters and case."""
    text = unicodedata.normalize("NFKC", str(text or "")).replace("\ufeff", "")
    return "".join(text.split()).lower()


@dataclass
class Row:
    """One data row: its number as the user sees it, the parsed values, and errors."""

    number: int
    values: dict[str, Any]
    raw: dict[str, Any]
    errors: list[tuple[str, Any, str]] = field(default_factory=list)  # (column key, value, reason)

    def fail(self, key: str, reason: str) -> None:
        self.errors.append((key, self.raw.get(key, ""), reason))


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Context:
    """Who is importing (scope and history) and how to report progress."""

    user: Any  # None for a system import from the command line
    progress: Callable[[str, int, int], None]
    present: set[str] = field(default_factory=set)  # column keys the file has

    @property
    def is_system(self) -> bool:
        return self.user is None or self.user.is_superuser


class Kind:
    name: str = ""
    label: str = ""
    columns: tuple[Column, ...] = ()
    # Rows found wrong only while writing (a unit's parent earlier in the file): the engine
    # writes on after a bad row, into a transaction it rolls back, to report them all.
    checks_while_writing: bool = False

    def key(self, row: Row) -> Any:
        """What identifies the row's record; two rows of a file may not share it."""
        raise NotImplementedError

    def key_label(self, row: Row) -> str:
        return str(self.key(row))

    def key_column(self, row: Row) -> str:
        """The column a duplicate key is reported on."""
        return self.columns[0].key

    def check(self, row: Row) -> None:
        """Rules across the row's own cells (add errors with ``row.fail``)."""

    def resolve(self, rows: list[Row], ctx: Context) -> None:
        """Look up every reference of every row at once; add errors to rows. Rows with
        errors come too (so each row reports everything); a value that did not parse is None."""

    def write(self, rows: list[Row], ctx: Context) -> WriteResult:
        raise NotImplementedError

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)
