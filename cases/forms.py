"""Forms of the case pages.

Plain forms rather than ModelForms: saving, and the rules that decide whether a save is
allowed (a unique case number, an area within its station, no dates in the future),
belong to ``cases.services``. A view passes ``cleaned_data`` to the service and turns
its ``CaseError`` into a form error with ``orgs.pages.add_domain_error``.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms.models import fields_for_model, model_to_dict

from cases.models import EventKind, FraudCase, FraudType, Gender, Residency
from cases.services import CASE_FIELDS, stations_for
from orgs.models import Area
from orgs.pages import DATE_INPUT

NOT_GIVEN = ("", "未填写")


class CaseForm(forms.Form):
    """The fields of ``CASE_FIELDS``; stations, areas and fraud types limited to what
    the user may choose. Areas are grouped under their station's name."""

    def __init__(self, *args, user, case: FraudCase | None = None, **kwargs):
        initial = model_to_dict(case, fields=CASE_FIELDS) if case else None
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(
            fields_for_model(
                FraudCase,
                fields=CASE_FIELDS,
                widgets={
                    "reported_on": DATE_INPUT,
                    "occurred_on": DATE_INPUT,
                    "loss": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
                },
                help_texts={"place": "如：家中、单位宿舍、网吧"},
            )
        )
        self.fields["station"].queryset = stations_for(user)
        self.fields["station"].empty_label = "请选择派出所"
        # A type switched off since the case was registered stays choosable for it.
        current_type = case.fraud_type_id if case else None
        self.fields["fraud_type"].queryset = FraudType.objects.filter(Q(active=True) | Q(pk=current_type))
        self.fields["fraud_type"].empty_label = "请选择诈骗类型"
        self.fields["victim_gender"].choices = [NOT_GIVEN, *Gender.choices]
        self.fields["residency"].choices = [NOT_GIVEN, *Residency.choices]

        areas = Area.objects.for_user(user).select_related("station", "parent").order_by("station__path", "code")
        area_field = self.fields["area"]
        area_field.queryset = areas
        area_field.widget.choices = area_choices(areas)

    def clean_case_no(self) -> str:
        return self.cleaned_data["case_no"].strip()


def area_choices(areas) -> list:
    """Areas grouped by station (an <optgroup> each), communities named with their
    township or subdistrict: "滨江街道 · 幸福社区"."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for area in areas:
        label = f"{area.parent.name} · {area.name}" if area.parent else area.name
        groups.setdefault(area.station.name, []).append((area.pk, label))
    return [NOT_GIVEN, *groups.items()]


class CaseEventForm(forms.Form):
    """One entry for the case's ledger; the service checks it against the case."""

    kind = forms.ChoiceField(label="进展", choices=EventKind.choices)
    occurred_on = forms.DateField(label="日期", widget=DATE_INPUT)
    count = forms.IntegerField(label="抓获人数", required=False, widget=forms.NumberInput(attrs={"min": 1}))
    amount = forms.DecimalField(
        label="金额（元）", required=False, max_digits=14, decimal_places=2,
        widget=forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
    )  # fmt: skip
    note = forms.CharField(label="备注", required=False, max_length=200)
