"""Forms of the registry pages: list filters, reveal reason, and the edit/life-event forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import choices as c


def _with_blank(choices):
    return [("", _("全部")), *choices]


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名/拼音/证件号/电话"), required=False)
    region = forms.CharField(label=_("区划代码"), required=False)
    residence_type = forms.ChoiceField(label=_("人口类型"), required=False,
                                       choices=_with_blank(c.ResidenceType.choices))
    care_tag = forms.ChoiceField(label=_("关爱对象"), required=False, choices=_with_blank(c.CareTagKind.choices))
    sex = forms.ChoiceField(label=_("性别"), required=False, choices=_with_blank(c.Sex.choices))
    age_min = forms.IntegerField(label=_("最小年龄"), required=False, min_value=0, max_value=150)
    age_max = forms.IntegerField(label=_("最大年龄"), required=False, min_value=0, max_value=150)
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[*c.PersonStatus.choices, ("all", _("全部"))])

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", _("身份证号")), ("phone", _("联系电话"))],
                              widget=forms.HiddenInput)
    reason = forms.CharField(label=_("查看理由"), min_length=4, max_length=200,
                             help_text=_("如：核对入户登记信息。查看会记入审计日志。"))
