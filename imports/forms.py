from django import forms

from imports.kinds.registry import KINDS


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="数据类型", choices=[(k.name, k.label) for k in KINDS.values()], initial="cases")
    file = forms.FileField(label="文件", help_text="CSV（UTF-8 或 GBK 编码）或 Excel .xlsx")
    dry_run = forms.BooleanField(label="只检查，不写入", required=False)
    partial = forms.BooleanField(label="跳过错误行，导入其余正确的行", required=False)
    progress_token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
