from django import forms

from orgs.models import Unit
from orgs.pages import DATE_INPUT, unit_label

from .models import BulletinKind


class DraftForm(forms.Form):
    """An analyst drafts a bulletin by hand (the schedule drafts the regular ones)."""

    kind = forms.ChoiceField(label="类别", choices=BulletinKind.choices, initial=BulletinKind.MONTH)
    date = forms.DateField(label="期间内任一日期", widget=DATE_INPUT, help_text="例如 10 月任一天即为 10 月的月通报")
    unit = forms.ChoiceField(label="单位")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = list(Unit.objects.for_user(user).only("code", "name", "depth"))
        top = min((u.depth for u in units), default=0)
        self.fields["unit"].choices = [(u.code, unit_label(u, top)) for u in units]
        self.units = {u.code: u for u in units}

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]


class CorrectForm(forms.Form):
    note = forms.CharField(
        label="更正说明",
        required=False,
        max_length=1000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "例如：临江区公安分局补录10月28日案件1起。留空则自动生成。"}
        ),
    )
