"""Reads of cases that are more than one filter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from cases.models import CaseEvent, EventKind, FraudCase


@dataclass(frozen=True)
class LedgerTotals:
    """A case's live ledger: people arrested, yuan frozen / recovered / returned."""

    arrested: int = 0
    frozen: Decimal = Decimal(0)
    recovered: Decimal = Decimal(0)
    returned: Decimal = Decimal(0)


NO_EVENTS = LedgerTotals()


def ledger_totals(cases: QuerySet[FraudCase] | Iterable[int]) -> dict[int, LedgerTotals]:
    """Each case's live ledger totals by case id, in one grouped query.

    ``cases`` is a QuerySet (read as a subquery: a whole export) or case ids (a page).
    A case without live events is missing: read it with ``.get(pk, NO_EVENTS)``.
    """
    case_ids = cases.values("pk") if isinstance(cases, QuerySet) else list(cases)
    rows = (
        CaseEvent.objects.live()
        .filter(case__in=case_ids)
        .order_by()
        .values("case")
        .annotate(
            arrested=Sum("count", filter=Q(kind=EventKind.ARREST)),
            frozen=Sum("amount", filter=Q(kind=EventKind.FREEZE)),
            recovered=Sum("amount", filter=Q(kind=EventKind.RECOVER)),
            returned=Sum("amount", filter=Q(kind=EventKind.RETURN)),
        )
    )
    return {
        row["case"]: LedgerTotals(
            arrested=row["arrested"] or 0,
            frozen=row["frozen"] or Decimal(0),
            recovered=row["recovered"] or Decimal(0),
            returned=row["returned"] or Decimal(0),
        )
        for row in rows
    }
