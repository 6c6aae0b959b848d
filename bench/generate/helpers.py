"""Small pieces every kind of row shares: drawing shares and lookup tables, ID check sums,
pre-formatted strings (clock times, serial numbers, money) and a CSV file with its header.
"""

from __future__ import annotations

import csv
import random
from functools import cache
from itertools import accumulate
from pathlib import Path

from bench.generate.scales import HEADERS

TABLE = 1024  # categorical picks: a table of 1,024 entries indexed by ten random bits


def lookup_table(rng_weights: dict, size: int = TABLE) -> list:
    """A lookup table: entry i is the key whose cumulative weight covers (i + 0.5) / size."""
    keys, cumulative = list(rng_weights), list(accumulate(rng_weights.values()))
    total = cumulative[-1]
    table, k = [], 0
    for i in range(size):
        u = (i + 0.5) / size * total
        while cumulative[k] < u:
            k += 1
        table.append(keys[k])
    return table


def split_unevenly(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` in ``parts`` uneven integer shares summing to it."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    cuts = [round(total * c / sum(weights)) for c in accumulate(weights)]
    return [b - a for a, b in zip([0, *cuts[:-1]], cuts, strict=True)]


def apportion(total: int, weights: list[float]) -> list[int]:
    """Integer counts proportional to ``weights`` summing exactly to ``total``."""
    cumulative = list(accumulate(weights))
    cuts = [round(total * c / cumulative[-1]) for c in cumulative]
    return [b - a for a, b in zip([0, *cuts[:-1]], cuts, strict=True)]


def id_digit_sum(digits: str, weights: tuple[int, ...]) -> int:
    """The weighted sum of some of an ID number's digits, toward its check digit."""
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


@cache
def clock_strings() -> tuple[str, ...]:
    """' HH:MM:SS' for every second of a day: formatting a moment is two lookups."""
    return tuple(f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400))


@cache
def four_digits() -> tuple[str, ...]:
    return tuple(f"{n:04d}" for n in range(10000))


def serial_strings(count: int) -> tuple[str, ...]:
    """'000001' … for a day's task numbers (cached by powers of two)."""
    size = 1 << max(count, 1).bit_length()
    return _serials_upto(size)


@cache
def _serials_upto(size: int) -> tuple[str, ...]:
    return tuple(f"{n + 1:06d}" for n in range(size))


def money(yuan: float) -> str:
    return f"{yuan:.2f}"


def open_csv(path: Path, kind: str):
    """A new CSV file for ``kind`` with its header written: (handle, writer); the caller closes it."""
    handle = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed by the caller
    writer = csv.writer(handle)
    writer.writerow(HEADERS[kind])
    return handle, writer
