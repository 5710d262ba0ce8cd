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
