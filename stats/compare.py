"""Comparing a figure with its base (同比 / 环比), exactly as DATA.md says.

A change is (value − base) / base × 100, rounded half away from zero to one decimal, and
``None`` when the base is 0 (shown as "—"). A small base makes percentages jumpy — 12 → 18
is +50% but may be chance — so counts also get a notability test: for Poisson counts,
√x is close to normal with variance ¼, so z = 2(√value − √base) is about standard normal
when nothing changed; |z| ≥ 1.96 (5% two-sided) marks the change as notable.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NOTABLE_Z = 1.96


def change_pct(value: int | float | Decimal, base: int | float | Decimal) -> float | None:
    """Percent change, half away from zero to one decimal; None on a zero base."""
    if not base:
        return None
    exact = (Decimal(str(value)) - Decimal(str(base))) * 100 / Decimal(str(base))
    # ROUND_HALF_UP on a Decimal rounds half away from zero, for negative changes too.
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def poisson_z(value: int, base: int) -> float:
    """z = 2(√value − √base): about standard normal when both counts share one rate."""
    return 2 * (math.sqrt(max(value, 0)) - math.sqrt(max(base, 0)))


def is_notable(value: int, base: int, *, z: float = NOTABLE_Z) -> bool:
    """Whether a change of a count is unlikely to be chance (|z| ≥ 1.96 by default)."""
    return abs(poisson_z(value, base)) >= z
