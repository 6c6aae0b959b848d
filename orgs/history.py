"""A record's change history as people read it, from its django-simple-history versions.

Every record app (cases, publicity, early-warning tasks…) shows it on the record's page
with ``templates/_record/history.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format

from orgs.templatetags.figures import yuan


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    action: str  # 新建 / 修改 / 作废
    changes: list[FieldChange]
    note: str = ""


HISTORY_ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}
NOT_DIFFED = ["id", "updated_at"]


def change_history(record: models.Model) -> list[HistoryEntry]:
    """Who changed what on a record, newest first: each saved version with every field's
    old → new value as people read it (names, 是/否, 2026年5月31日). However long the
    history: one query for the versions, one per foreign key that changed for its names."""
    model = type(record)
    versions = list(record.history.select_related("history_user").order_by("history_date", "history_id"))
    diffs = [[], *(new.diff_against(old, excluded_fields=NOT_DIFFED).changes for old, new in pairwise(versions))]
    names = _related_names(model, [change for changes in diffs for change in changes])
    position = {field.name: index for index, field in enumerate(model._meta.fields)}

    entries, previous = [], None
    for version, changes in zip(versions, diffs, strict=True):
        action, note = HISTORY_ACTIONS.get(version.history_type, "修改"), ""
        if previous is not None and getattr(version, "voided_at", None) and not previous.voided_at:
            action, note = "作废", version.void_reason
        previous = version
        shown = [
            FieldChange(
                label=str(model._meta.get_field(change.field).verbose_name),
                old=_shown(model, change.field, change.old, names),
                new=_shown(model, change.field, change.new, names),
            )
            for change in sorted(changes, key=lambda change: position[change.field])
        ]
        who = version.history_user.display_name if version.history_user else "系统"
        entries.append(HistoryEntry(when=version.history_date, who=who, action=action, changes=shown, note=note))
    entries.reverse()
    return entries


def _related_names(model, changes) -> dict[str, dict[object, str]]:
    """The names behind the foreign-key ids of ``changes``: one query per field."""
    ids: dict[str, set] = {}
    for change in changes:
        field = model._meta.get_field(change.field)
        if field.is_relation:
            ids.setdefault(change.field, set()).update(v for v in (change.old, change.new) if v is not None)
    names = {}
    for name, pks in ids.items():
        related = model._meta.get_field(name).related_model
        names[name] = {pk: str(obj) for pk, obj in related._base_manager.in_bulk(pks).items()}
    return names


def _shown(model, name: str, value, names) -> str:
    field = model._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if field.is_relation:
        return names.get(name, {}).get(value, f"（已删除 #{value}）")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "Y年n月j日 H:i")
    if isinstance(value, date):
        return date_format(value, "Y年n月j日")
    if isinstance(value, Decimal):
        return yuan(value)
    return str(value)
