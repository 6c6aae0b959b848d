"""Keeping a case's event ledger equal to the cumulative totals an upstream export states.

Exports carry totals (抓获人数 3, 追赃金额 50,000); the ledger holds dated events. When a
later export shows a higher total, the increase becomes a new event dated by that row's
date column; a lower total becomes a negative correction (更正) on the same date, so the
ledger always adds up to the latest export and every change stays visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cases.models import EventKind


@dataclass(frozen=True)
class LedgerChange:
    kind: str
    occurred_on: date
    count: int | None = None
    amount: Decimal | None = None
    note: str = ""


def ledger_changes(
    *,
    current: dict[str, Decimal | int],
    wanted: dict[str, Decimal | int | None],
    dates: dict[str, date],
) -> list[LedgerChange]:
    """The events that bring ``current`` totals (per kind) to ``wanted``.

    ``wanted`` holds a total per kind as the export states it (None: the export says
    nothing, leave the ledger alone); ``dates`` the date each kind's change is booked on.
    """
    changes = []
    for kind, total in wanted.items():
        if total is None:
            continue
        delta = total - current.get(kind, 0)
        if not delta:
            continue
        note = "更正：上级平台导出的累计数减少" if delta < 0 else ""
        if kind == EventKind.ARREST:
            changes.append(LedgerChange(kind, dates[kind], count=int(delta), note=note))
        else:
            changes.append(LedgerChange(kind, dates[kind], amount=Decimal(delta), note=note))
    return changes
