from django import forms
from django.utils.translation import gettext_lazy as _

from . import choices as c


class StartForm(forms.Form):
    method = forms.ChoiceField(label=_("核验方式"), choices=c.Method.choices, initial=c.Method.ID_NUMBER)
    name = forms.CharField(label=_("居民姓名"), max_length=50)
    head_name = forms.CharField(label=_("在场户主姓名"), max_length=50, required=False,
                                help_text=_("户主在场核验时填写，户主须出示本人身份证"))
    id_number = forms.CharField(label=_("身份证号码"), max_length=18,
                                help_text=_("核对本人时填居民本人的号码；户主在场时填户主的号码"),
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    confirm = forms.BooleanField(label=_("我已当面查验证件原件，居民（或户主）同意由我代为办理"))

    def clean(self):
        data = super().clean()
        if data.get("method") == c.Method.HOUSEHOLD_HEAD and not data.get("head_name"):
            self.add_error("head_name", _("户主在场核验时请填写户主姓名"))
        return data


class ActForm(forms.Form):
    kind = forms.ChoiceField(choices=c.Kind.choices)
    target = forms.IntegerField(min_value=1, max_value=2**62)
    option = forms.IntegerField(required=False, min_value=0, max_value=100)
    score = forms.IntegerField(required=False, min_value=1, max_value=5)
    comment = forms.CharField(required=False, max_length=500)


class DisputeForm(forms.Form):
    action = forms.IntegerField(min_value=1, max_value=2**62)
    reason = forms.CharField(label=_("异议理由"), max_length=300)


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("复核意见"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class RuleForm(forms.Form):
    region_code = forms.ChoiceField(label=_("适用区域"), choices=())
    session_minutes = forms.IntegerField(label=_("每次代办时限（分钟）"), min_value=5, max_value=240, initial=30)
    sessions_per_day = forms.IntegerField(label=_("每人每日代办次数上限"), min_value=1, max_value=500, initial=20)
    actions_per_day = forms.IntegerField(label=_("每人每日代办事项上限"), min_value=1, max_value=2000, initial=60)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, r.name) for r in regions]
