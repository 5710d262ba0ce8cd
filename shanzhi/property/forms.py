from django import forms
from django.utils.translation import gettext_lazy as _

from . import choices as c


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("企业名称"), max_length=120)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18)
    qualification = forms.ChoiceField(label=_("资质等级"), choices=c.Qualification.choices)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    service_phone = forms.CharField(label=_("服务电话"), max_length=30, required=False)
    address = forms.CharField(label=_("办公地址"), max_length=200, required=False)
    deposit_required = forms.DecimalField(label=_("应缴信用保证金(元)"), min_value=0, decimal_places=2, initial=0)
    region_code = forms.ChoiceField(label=_("监管区域"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, r.name) for r in regions]


class VoteForm(forms.Form):
    estate = forms.ChoiceField(label=_("小区"))
    title = forms.CharField(label=_("表决事项"), max_length=120)
    motion = forms.CharField(label=_("表决内容"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    subject = forms.ChoiceField(label=_("类别"), choices=c.VoteSubject.choices)
    fee_basis = forms.ChoiceField(label=_("计费方式（物业费标准）"), choices=[("", "—"), *c.FeeBasis.choices],
                                  required=False)
    fee_yuan = forms.DecimalField(label=_("收费标准(元/月)"), min_value=0, decimal_places=2, required=False)
    surplus_rule = forms.ChoiceField(label=_("结余返还办法"), choices=[("", "—"), *c.SurplusRule.choices],
                                     required=False)
    threshold = forms.ChoiceField(label=_("表决规则"), choices=c.Threshold.choices)
    closes_on = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, estates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].choices = [(e.pk, e.name) for e in estates]

    def payload(self) -> dict:
        d = self.cleaned_data
        if d["subject"] == c.VoteSubject.FEE_STANDARD:
            return {"basis": d["fee_basis"], "amount": int((d["fee_yuan"] or 0) * 100)}
        if d["subject"] == c.VoteSubject.SURPLUS_RULE:
            return {"rule": d["surplus_rule"]}
        return {}
