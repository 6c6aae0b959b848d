"""The period picker: 日 / 周 / 旬 / 月 / 季 / 年 / 年累计 / 自定义, and the day it falls on."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from stats.periods import KIND_LABELS, Period, PeriodError, PeriodKind, custom_period, period_for

MAX_CUSTOM_DAYS = 3 * 366


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label="周期", choices=[(k.value, KIND_LABELS[k]) for k in PeriodKind],
                               initial=PeriodKind.MONTH, required=False)  # fmt: skip
    date = forms.DateField(label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.DateField(label="开始", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        kind = data.get("period") or PeriodKind.MONTH
        if kind == PeriodKind.CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("自定义周期请填写开始和结束日期。")
            if end < start:
                raise forms.ValidationError("结束日期不能早于开始日期。")
            if (end - start).days >= MAX_CUSTOM_DAYS:
                raise forms.ValidationError("自定义周期最长三年。")
        data["period"] = kind
        return data

    def to_period(self, today: dt.date | None = None) -> Period:
        """The chosen period, cut at today while it runs (this month so far, not all of it)."""
        today = today or timezone.localdate()
        data = self.cleaned_data
        if data["period"] == PeriodKind.CUSTOM:
            return custom_period(data["start"], data["end"])
        try:
            return period_for(data["period"], data.get("date") or today).to_date(today)
        except PeriodError as exc:  # pragma: no cover - the choices allow only known kinds
            raise forms.ValidationError(str(exc)) from exc


def period_from(params, today: dt.date | None = None) -> tuple[PeriodForm, Period]:
    """The form bound to the query string and its period; the current month when invalid."""
    today = today or timezone.localdate()
    form = PeriodForm(params or None)
    if form.is_bound and form.is_valid():
        return form, form.to_period(today)
    fallback = PeriodForm({"period": PeriodKind.MONTH, "date": today})
    fallback.is_valid()
    return (form if form.is_bound else fallback), fallback.to_period(today)
