from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CorrectionField


class BindForm(forms.Form):
    name = forms.CharField(label=_("真实姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    community = forms.ChoiceField(label=_("居住社区"), choices=())

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("请选择"))] + [(r.code, r.name) for r in communities]


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("更正项目"), choices=CorrectionField.choices)
    value = forms.CharField(label=_("更正为"), max_length=200)
    note = forms.CharField(label=_("说明（选填）"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("核验通过")), ("reject", _("驳回"))])
    reason = forms.CharField(label=_("驳回理由"), max_length=300, required=False)


class CollectForm(forms.Form):
    collection_point = forms.CharField(label=_("民情收集站"), max_length=40, required=False,
                                       help_text=_("民情收集员必填，如“施井社区便民服务站”"))
    region_code = forms.ChoiceField(label=_("所在网格"), choices=())
    category = forms.ModelChoiceField(label=_("问题类别"), queryset=None, empty_label=_("请选择"))
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(label=_("具体情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label=_("地点"), max_length=200, required=False)
    reporter_name = forms.CharField(label=_("反映人姓名"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("反映人电话"), max_length=20, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args, grids=(), categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(g.code, g.name) for g in grids]
        self.fields["category"].queryset = categories
