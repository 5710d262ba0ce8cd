"""Input of the reporting pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shanzhi.core import indicators


class PrepareForm(forms.Form):
    kind = forms.ChoiceField(label=_("报表"))
    community = forms.ChoiceField(label=_("社区"))
    period = forms.CharField(label=_("月份"), max_length=7, help_text=_("格式 YYYY-MM，如 2026-10"),
                             widget=forms.TextInput(attrs={"type": "month"}))


class RoundForm(forms.Form):
    kind = forms.ChoiceField(label=_("报表"))
    region = forms.ChoiceField(label=_("辖区"))
    period = forms.CharField(label=_("月份"), max_length=7, help_text=_("格式 YYYY-MM，如 2026-10"),
                             widget=forms.TextInput(attrs={"type": "month"}))


class KindForm(forms.Form):
    key = forms.SlugField(label=_("代码"), max_length=40, help_text=_("英文字母、数字或连字符，如 civil-affairs"))
    name = forms.CharField(label=_("名称"), max_length=60)
    requested_by = forms.CharField(label=_("提出部门"), max_length=60, required=False)
    indicators = forms.MultipleChoiceField(label=_("指标"), widget=forms.SelectMultiple(attrs={"size": 8,
                                                                                              "multiple": "multiple"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = [(i.key, f"{i.label}（{i.key}）") for i in indicators.all_indicators()]
