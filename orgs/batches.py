"""Any iterable in lists of a given size: how the bulk writers of the intake and the
statistics feed the database (a generator of ten million rows included)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
