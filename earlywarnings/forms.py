"""Forms of the early-warning pages.

They collect and convert what the officer typed; the rules (a note is required, 已被骗
needs the loss, where a task may be transferred…) belong to ``earlywarnings.services``,
whose ``WarningError`` a view turns into a form error with ``orgs.pages.add_domain_error``.
So most fields are optional here: the service says what is missing, in its own words.

Many tasks share one page, so each form gets ``auto_id`` naming its task (unique ids
for the labels) while the field names stay plain.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from earlywarnings.models import CheckKind, ContactMethod, Outcome, ReviewStatus
from orgs.models import Unit
from orgs.pages import DATE_INPUT

OUTCOME_CHOICES = [("", "请选择处置结果"), *((o.value, o.label) for o in Outcome if o != Outcome.NOT_OURS)]
MONEY_INPUT = forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"})


def task_auto_id(task_pk: int, form: str) -> str:
    return f"t{task_pk}_{form}_%s"


class AttemptForm(forms.Form):
    """One call, text or visit."""

    method = forms.ChoiceField(label="方式", choices=ContactMethod.choices, required=False, widget=forms.RadioSelect)
    note = forms.CharField(
        label="情况", max_length=500, required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：电话未接通；已讲解刷单诈骗手法"}),
    )  # fmt: skip


class HandleForm(forms.Form):
    """The outcome of the work on a task (非本辖区 is a transfer: ``TransferForm``)."""

    outcome = forms.ChoiceField(label="处置结果", choices=OUTCOME_CHOICES, required=False)
    method = forms.ChoiceField(
        label="处置方式", choices=ContactMethod.choices, required=False, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="处置情况", max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "联系经过、对象反应、采取的措施"}),
    )  # fmt: skip
    loss_prevented = forms.DecimalField(
        label="止损金额（元）", required=False, max_digits=14, decimal_places=2, min_value=0, widget=MONEY_INPUT
    )
    loss = forms.DecimalField(
        label="被骗金额（元）", required=False, max_digits=14, decimal_places=2, min_value=0, widget=MONEY_INPUT
    )
    case_no = forms.CharField(
        label="案件编号", max_length=64, required=False,
        help_text="已报案的填写案件编号关联；不填则按本预警登记一起预警后被骗案件。",
    )  # fmt: skip


class TransferForm(forms.Form):
    """非本辖区: another station of the county, or back to the county to re-dispatch.
    ``targets`` are the units offered (``earlywarnings.services.transfer_targets``)."""

    to_unit = forms.ChoiceField(
        label="转派至", required=False, error_messages={"invalid_choice": "请选择转派到的派出所或县（区）局。"}
    )
    reason = forms.CharField(
        label="原因", max_length=500, required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：对象现居解放路辖区"}),
    )  # fmt: skip

    def __init__(self, *args, targets: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {str(unit.pk): unit for unit in targets}
        self.fields["to_unit"].choices = [("", "请选择单位"), *((str(u.pk), target_label(u)) for u in targets)]

    def clean_to_unit(self) -> Unit:
        unit = self.targets.get(self.cleaned_data["to_unit"])
        if unit is None:
            raise forms.ValidationError("请选择转派到的派出所或县（区）局。")
        return unit


def target_label(unit: Unit) -> str:
    return unit.name if unit.is_station else f"退回{unit.name}（重新分派）"


class ReviewForm(forms.Form):
    """The county's decision on a station's feedback: which button was pressed, and why."""

    decision = forms.ChoiceField(choices=[("accept", "通过"), ("return", "退回")])
    reason = forms.CharField(
        label="审核意见", max_length=500, required=False,
        widget=forms.TextInput(attrs={"placeholder": "退回时必填：写明需要补充或改正的内容"}),
    )  # fmt: skip


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(
        label="核查结论", max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "核查经过、原因分析、整改措施"}),
    )  # fmt: skip


class QueueFilterForm(forms.Form):
    """A county or city user's queue: one unit's tasks, or only the overdue ones."""

    station = forms.ChoiceField(label="单位", required=False)
    overdue = forms.BooleanField(label="只看超期", required=False)

    def __init__(self, *args, units: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        top = min((u.depth for u in units), default=0)
        self.fields["station"].choices = [
            ("", "全部单位"),
            *((u.code, "\u3000" * (u.depth - top) + u.name) for u in units),
        ]


class BacklogForm(forms.Form):
    date = forms.DateField(label="日期", required=False, widget=DATE_INPUT)

    def clean_date(self):
        day = self.cleaned_data["date"] or timezone.localdate()
        if day > timezone.localdate():
            raise forms.ValidationError("日期不能晚于今天。")
        return day


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *ReviewStatus.choices])
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *CheckKind.choices])
