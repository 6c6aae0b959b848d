"""How figures read on screen."""

from django import template

register = template.Library()


@register.filter
def grouped(value) -> str:
    """1604825 → "1,604,825"; an empty value → "—"."""
    if value in (None, ""):
        return "—"
    return f"{int(value):,}"
