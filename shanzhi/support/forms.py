"""Forms of the 帮教 pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import choices as c
from .models import Category


class RecordForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=18, help_text=_("按来源文书上的证件号码查找人员"))
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.filter(active=True))
    risk = forms.ChoiceField(label=_("风险等级"), choices=c.Risk.choices)
    risk_reasons = forms.CharField(label=_("风险评估理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    started_on = forms.DateField(label=_("帮教开始"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("预计结束"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    source_document = forms.CharField(label=_("来源文书"), max_length=120,
                                      help_text=_("如：社区矫正决定书、释放证明书的文号"))
    responsible = forms.TypedChoiceField(label=_("帮教责任人"), coerce=int)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = [(u.pk, str(u)) for u in candidates]


class TeamForm(forms.Form):
    side = forms.ChoiceField(label=_("来自"), choices=c.Side.choices)
    role = forms.ChoiceField(label=_("组内职责"), choices=c.TeamRole.choices, initial=c.TeamRole.MEMBER)
    user = forms.TypedChoiceField(label=_("平台用户"), coerce=int, required=False, empty_value=None)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False, help_text=_("非平台人员填写姓名和单位"))
    unit = forms.CharField(label=_("单位"), max_length=100, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—")] + [(u.pk, str(u)) for u in candidates]

    def clean(self):
        data = super().clean()
        if not data.get("user") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("请选择平台用户，或填写姓名"))
        return data


class PlanForm(forms.Form):
    goals = forms.CharField(label=_("帮教目标"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    help_kinds = forms.MultipleChoiceField(label=_("帮扶措施"), choices=c.Help.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    help_given = forms.CharField(label=_("已落实帮扶"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                                 required=False)


class ReviewForm(forms.Form):
    risk_after = forms.ChoiceField(label=_("评估后风险"), choices=c.Risk.choices)
    findings = forms.CharField(label=_("评估意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label=_("方式"), choices=c.VisitKind.choices)
    notes = forms.CharField(label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


class GlassForm(forms.Form):
    reason = forms.CharField(label=_("查阅理由"), max_length=300, min_length=4,
                             widget=forms.Textarea(attrs={"rows": 2}))
    hours = forms.TypedChoiceField(label=_("查阅时限"), coerce=int, initial=2,
                                   choices=[(1, _("1小时")), (2, _("2小时")), (8, _("8小时")), (24, _("24小时"))])


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("结案原因"), max_length=300, required=False)
    review = forms.CharField(label=_("审核意见"), max_length=500, required=False)
