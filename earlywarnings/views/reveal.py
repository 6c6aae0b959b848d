"""显示个人信息: a deliberate, logged look at a warned person's name, phone and ID number.

Everywhere else they are masked. A user whose role holds ``view_personal_data`` (officers,
who phone or visit the person; reviewers, who call back) asks for one task's data and says
why; the audit log records who, when, which task and the reason — never the values. The
answer is one page, not stored anywhere, and is not cached by the browser."""

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.log import record
from audit.models import Act
from earlywarnings.models import WarningTask

REASONS = [
    ("电话劝阻联系", "电话劝阻联系"),
    ("见面劝阻核实身份", "见面劝阻核实身份"),
    ("审核回访", "审核回访"),
    ("其他", "其他（请注明）"),
]


class RevealForm(forms.Form):
    reason = forms.ChoiceField(label="查看事由", choices=REASONS)
    note = forms.CharField(
        label="说明", max_length=150, required=False, widget=forms.TextInput(attrs={"placeholder": "选“其他”时必填"})
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == "其他" and not (data.get("note") or "").strip():
            self.add_error("note", "选择“其他”时请写明事由。")
        return data

    @property
    def stated(self) -> str:
        reason, note = self.cleaned_data["reason"], (self.cleaned_data.get("note") or "").strip()
        return f"{reason}：{note}" if note else reason


@never_cache
@require_POST
@login_required
@permission_required("earlywarnings.view_personal_data", raise_exception=True)
def warning_reveal(request, pk: int):
    task = get_object_or_404(WarningTask.objects.for_user(request.user).select_related("station"), pk=pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return render(request, "earlywarnings/reveal.html", {"task": task, "form": form}, status=400)
    record(Act.REVEAL, request=request, target=task, label=f"预警 {task.task_no}", reason=form.stated)
    return render(request, "earlywarnings/reveal.html", {"task": task, "form": form, "revealed": True})
