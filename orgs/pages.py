"""What the pages of every record app (cases, publicity, early-warning tasks…) share:
the list's page size and filter bar, the void form, and turning a service's refusal
into a form error. The templates that go with them live in ``templates/_record/`` and
``templates/_pagination.html``.
"""

from __future__ import annotations

import copy

from django import forms
from django.db.models import Q

from orgs.errors import DomainError
from orgs.models import Unit

PAGE_SIZE = 50
# Voided records, when a list shows them, are shown but never counted: aggregate with
# ``Count("pk", filter=LIVE)``.
LIVE = Q(voided_at__isnull=True)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO_ALL = [("", "全部"), ("true", "是"), ("false", "否")]
# A full-width space per level: indents a unit under its parent in a <select>.
INDENT = "\u3000"


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def unit_label(unit: Unit, top_depth: int) -> str:
    return f"{INDENT * max(unit.depth - top_depth, 0)}{unit.name}"


def compact_filter_form(form: forms.Form, *, user) -> forms.Form:
    """Fit a list's filter form into one bar: a unit picker instead of a code box,
    date pickers, and 全部 / 是 / 否 for the yes-no filters."""
    for name, field in form.fields.items():
        if isinstance(field, forms.NullBooleanField):
            field.widget = forms.Select(choices=YES_NO_ALL)
        elif isinstance(field, forms.DateField):
            field.widget = copy.deepcopy(DATE_INPUT)
        elif isinstance(field, forms.DecimalField):
            field.widget = forms.NumberInput(attrs={"min": 0, "step": "any"})
        elif name == "q":
            field.widget = forms.TextInput(attrs={"placeholder": field.label, "type": "search"})
            field.label = "搜索"
    if "unit" in form.fields:
        units = list(Unit.objects.for_user(user).only("code", "name", "depth"))
        top = min((u.depth for u in units), default=0)
        form.fields["unit"].label = "单位"
        form.fields["unit"].widget = forms.Select(
            choices=[("", "全部单位"), *((u.code, unit_label(u, top)) for u in units)]
        )
    return form


class VoidForm(forms.Form):
    """Why a record is voided: it stays, struck out of every count, with this reason."""

    reason = forms.CharField(
        label="作废原因", max_length=200, error_messages={"required": "请填写作废原因。"},
        widget=forms.TextInput(attrs={"placeholder": "如：重复录入、数据有误"}),
    )  # fmt: skip
