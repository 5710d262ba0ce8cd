from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import GRADE_INDICATORS, CreditSource, IncubationStage, InspectionResult, OrgKind, Qualification


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=OrgKind.choices)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    legal_rep = forms.CharField(label=_("法定代表人/负责人"), max_length=40)
    service_area = forms.CharField(label=_("服务领域"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=40, required=False)
    address = forms.CharField(label=_("办公地址"), max_length=120, required=False)
    region_code = forms.ChoiceField(label=_("登记机关所在区域"), choices=())

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, r.name) for r in regions]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40)
    position = forms.CharField(label=_("岗位"), max_length=40, required=False)
    qualification = forms.ChoiceField(label=_("社工资格"), choices=Qualification.choices, required=False)
    certificate_no = forms.CharField(label=_("证书编号"), max_length=40, required=False)
    certificate_expiry = forms.DateField(label=_("证书有效期至"), required=False,
                                         widget=forms.DateInput(attrs={"type": "date"}))


class IncubationForm(forms.Form):
    stage = forms.ChoiceField(label=_("孵化阶段"), choices=[c for c in IncubationStage.choices if c[0]])
    mentor = forms.CharField(label=_("导师"), max_length=60)
    started_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))


class InspectionForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    result = forms.ChoiceField(label=_("结论"), choices=InspectionResult.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class GradeForm(forms.Form):
    comment = forms.CharField(label=_("评语"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label, top in GRADE_INDICATORS:
            self.fields[key] = forms.DecimalField(label=f"{label}（0–{top}）", min_value=0, max_value=top,
                                                  decimal_places=1)
        self.order_fields([k for k, _l, _m in GRADE_INDICATORS] + ["comment"])


class CreditForm(forms.Form):
    source = forms.ChoiceField(label=_("来源"), choices=[(CreditSource.COMPLAINT, CreditSource.COMPLAINT.label),
                                                       (CreditSource.MANUAL, CreditSource.MANUAL.label)])
    delta = forms.IntegerField(label=_("分值变化"), min_value=-50, max_value=50)
    reason = forms.CharField(label=_("原因"), max_length=200)
    reference = forms.CharField(label=_("关联"), max_length=60, required=False, help_text=_("如 民情编号，同一关联只记一次"))


class ComplaintForm(forms.Form):
    title = forms.CharField(label=_("投诉事项"), max_length=100)
    description = forms.CharField(label=_("具体情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("时间、地点、经过；请勿填写他人的身份证号或电话"))
