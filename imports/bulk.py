"""Bulk writes for the intake, with their history, at hundreds of thousands of rows.

Django's ``bulk_create`` compiles every value through the query compiler, SQLite gets
batches of ~45 rows (its 999-parameter default), and django-simple-history builds one
Python object per history row; together they cost a minute per 100k cases. Here rows
go in with ``executemany`` — ``COPY`` on PostgreSQL — (values prepared by each field,
as Django would), and the
history rows are copied by the database itself: ``INSERT INTO historical… SELECT … FROM
table`` with the acting user and one timestamp, so the audit trail is the same as
simple-history's own, at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

from imports.kinds.base import chunks

BATCH = 2000


def _db():
    """The real connection wrapper (``django.db.connection`` is a per-thread proxy,
    costly when asked for 20 times per row)."""
    return connections[DEFAULT_DB_ALIAS]


def _qn(name: str) -> str:
    return _db().ops.quote_name(name)


def _stamp(obj: models.Model, *, add: bool, now) -> None:
    """What ``save()`` would do for auto_now / auto_now_add fields."""
    for field in obj._meta.concrete_fields:
        if getattr(field, "auto_now", False) or (add and getattr(field, "auto_now_add", False)):
            setattr(obj, field.attname, now)


def insert(model: type[models.Model], objs: list[models.Model], *, user, key: str | None = None,
           progress: Callable[[int], None] | None = None) -> None:  # fmt: skip
    """INSERT unsaved ``objs`` and write their history ("+" rows). With ``key`` (a unique
    field), the new primary keys are read back and set on the objects. ``progress`` is
    told how many rows are in after each batch."""
    if not objs:
        return
    now, db = timezone.now(), _db()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    sql = (
        f"INSERT INTO {_qn(model._meta.db_table)} ({', '.join(_qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with db.cursor() as cursor:
        before = _max_id(cursor, model)
        for done, batch in enumerate(chunks(objs, BATCH), start=1):
            for obj in batch:
                _stamp(obj, add=True, now=now)
            rows = [[f.get_db_prep_save(getattr(o, f.attname), db) for f in fields] for o in batch]
            if db.vendor == "postgresql":
                copy_rows(cursor, model, fields, rows)
            else:
                cursor.executemany(sql, rows)
            if progress:
                progress(min(done * BATCH, len(objs)))
        # Rows are ours when they are newer than ``before`` and carry our timestamp.
        marker = f"{_qn('id')} > %s AND {_qn('created_at')} = %s"
        _snapshot(cursor, model, marker, [before, _db_datetime(now)], "+", user, now)
        if key:
            field = model._meta.get_field(key)
            ids = {}
            for batch in chunks([getattr(o, field.attname) for o in objs]):
                cursor.execute(
                    f"SELECT {_qn(field.column)}, {_qn('id')} FROM {_qn(model._meta.db_table)} "
                    f"WHERE {_qn(field.column)} IN ({', '.join(['%s'] * len(batch))})",
                    batch,
                )
                ids.update(cursor.fetchall())
            for obj in objs:
                obj.pk = ids[getattr(obj, field.attname)]
                obj._state.adding = False


def update(model: type[models.Model], objs: list[models.Model], fields: Iterable[str], *, user) -> None:
    """UPDATE the named fields (and ``updated_at``) of saved ``objs``, and write their history ("~" rows)."""
    if not objs:
        return
    now, db = timezone.now(), _db()
    names = sorted(set(fields) | {"updated_at"})
    model_fields = [model._meta.get_field(name) for name in names]
    sql = (
        f"UPDATE {_qn(model._meta.db_table)} SET {', '.join(f'{_qn(f.column)} = %s' for f in model_fields)} "
        f"WHERE {_qn('id')} = %s"
    )
    with db.cursor() as cursor:
        for batch in chunks(objs, BATCH):
            for obj in batch:
                _stamp(obj, add=False, now=now)
            cursor.executemany(
                sql, [[*(f.get_db_prep_save(getattr(o, f.attname), db) for f in model_fields), o.pk]
                      for o in batch]
            )  # fmt: skip
        for batch in chunks([o.pk for o in objs]):
            where = f"{_qn('id')} IN ({', '.join(['%s'] * len(batch))})"
            _snapshot(cursor, model, where, batch, "~", user, now)


def copy_rows(cursor, model, fields, rows) -> None:
    """PostgreSQL's COPY of ``rows`` (sequences of values for ``fields``): one stream
    instead of a round trip per row."""
    columns = ", ".join(_qn(f.column) for f in fields)
    with cursor.cursor.copy(f"COPY {_qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _max_id(cursor, model) -> int:
    cursor.execute(f"SELECT MAX({_qn('id')}) FROM {_qn(model._meta.db_table)}")
    return cursor.fetchone()[0] or 0


def _db_datetime(value):
    return _db().ops.adapt_datetimefield_value(value)


def _snapshot(cursor, model, where: str, params: list, history_type: str, user, now) -> None:
    """Copy the rows matching ``where`` into the model's history table."""
    history = model.history.model
    tracked = [
        f.column for f in history._meta.concrete_fields
        if not f.name.startswith("history_") and f.column != "history_id"
    ]  # fmt: skip
    columns = ", ".join(_qn(c) for c in tracked)
    cursor.execute(
        f"INSERT INTO {_qn(history._meta.db_table)} ({columns}, {_qn('history_date')}, "
        f"{_qn('history_change_reason')}, {_qn('history_type')}, {_qn('history_user_id')}) "
        f"SELECT {columns}, %s, NULL, %s, %s FROM {_qn(model._meta.db_table)} WHERE {where}",
        [_db_datetime(now), history_type, getattr(user, "pk", None), *params],
    )
