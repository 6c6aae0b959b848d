"""Filter helpers every record list uses."""

from orgs.models import Unit


def filter_unit_subtree(queryset, name, value):
    """``?unit=CODE``: records of that unit's subtree. Nothing when the code is unknown;
    the queryset is already scoped, so a unit outside the user's scope yields nothing."""
    unit = Unit.objects.filter(code=value).first()
    if unit is None:
        return queryset.none()
    return queryset.within(unit)
