"""Comparing a figure with its base (同比 / 环比), exactly as DATA.md says.

A change is (value − base) / base × 100, rounded half away from zero to one decimal, and
``None`` when the base is 0 (shown as "—"). A small base makes percentages jumpy — 12 → 18
is +50% but may be chance — so counts also get a notability test: for Poisson counts,
√x is close to normal with variance ¼, so z = 2(√value − √base) is about standard normal
when nothing changed; |z| ≥ 1.96 (5% two-sided) marks the change as notable.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

NOTABLE_Z = 1.96


def exact(value: int | float | Decimal | Fraction) -> Fraction:
    """A figure as an exact fraction (a float by its decimal text, as people read it)."""
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def round_half_away(value: Fraction, places: int) -> Decimal:
    """Round exactly, half away from zero: 6.25 → 6.3, −6.25 → −6.3 (at one place)."""
    scale = 10**places
    magnitude = math.floor(abs(value) * scale + Fraction(1, 2))
    return Decimal(-magnitude if value < 0 else magnitude).scaleb(-places)


def change_pct(value: int | float | Decimal | Fraction, base: int | float | Decimal | Fraction) -> float | None:
    """Percent change, half away from zero to one decimal; None on a zero base. Computed on
    exact fractions, so a rate's change is never nudged across a rounding edge."""
    if not base:
        return None
    change = (exact(value) - exact(base)) * 100 / exact(base)
    return float(round_half_away(change, 1))


def poisson_z(value: int, base: int) -> float:
    """z = 2(√value − √base): about standard normal when both counts share one rate."""
    return 2 * (math.sqrt(max(value, 0)) - math.sqrt(max(base, 0)))


def is_notable(value: int, base: int, *, z: float = NOTABLE_Z) -> bool:
    """Whether a change of a count is unlikely to be chance (|z| ≥ 1.96 by default)."""
    return abs(poisson_z(value, base)) >= z
