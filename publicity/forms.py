"""The publicity activity form. A plain form: saving and the duplicate rules belong to
``publicity.services`` (see ``cases.forms`` for why)."""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils import timezone

from orgs.models import Unit
from orgs.pages import DATE_INPUT, unit_label
from publicity.models import PublicityActivity, PublicityForm

ACTIVITY_FIELDS = (
    "held_on", "unit", "title", "form", "audience", "place", "reach", "materials", "app_installs", "activity_no",
)  # fmt: skip
AUDIENCE_LIST_ID = "audience-suggestions"


class ActivityForm(forms.Form):
    """Units: any unit of the user's subtree (a station, or a county running a
    county-wide push); a station officer therefore records only their own station's."""

    def __init__(self, *args, user, activity: PublicityActivity | None = None, **kwargs):
        if activity:
            initial = model_to_dict(activity, fields=ACTIVITY_FIELDS)
        else:
            # A station officer records their own station's work: preselect it.
            station = user.unit_id if user.unit and user.unit.is_station else None
            initial = {"unit": station, "held_on": timezone.localdate()}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(
            fields_for_model(
                PublicityActivity,
                fields=ACTIVITY_FIELDS,
                widgets={
                    "held_on": DATE_INPUT,
                    "audience": forms.TextInput(attrs={"list": AUDIENCE_LIST_ID, "autocomplete": "off"}),
                },
                help_texts={
                    "audience": "可从建议中选择，也可直接填写",
                    "activity_no": "来源系统有活动编号时填写，可不填",
                },
            )
        )
        units = Unit.objects.for_user(user)
        top = user.unit.depth if user.unit_id else 0
        unit_field = self.fields["unit"]
        unit_field.queryset = units
        unit_field.empty_label = "请选择开展单位"
        unit_field.label_from_instance = lambda unit: unit_label(unit, top)
        self.fields["form"].choices = [("", "请选择活动形式"), *PublicityForm.choices]

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()
