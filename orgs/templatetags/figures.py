"""How figures read on screen."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def grouped(value) -> str:
    """1604825 → "1,604,825"; an empty value → "—"."""
    if value in (None, ""):
        return "—"
    return f"{int(value):,}"


@register.filter
def wan(value) -> str:
    """Yuan shown in 万元 with two decimals, as bulletins do: 6101900 → "610.19"."""
    if value in (None, ""):
        return "—"
    return f"{Decimal(value) / 10000:,.2f}"


@register.filter
def yuan(value) -> str:
    """Yuan with digit grouping and two decimals: 1234.5 → "1,234.50"."""
    if value in (None, ""):
        return "—"
    return f"{Decimal(value):,.2f}"
