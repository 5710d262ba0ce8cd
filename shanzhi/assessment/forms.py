"""Forms of 考核: the scheme with its indicator rows, rounds, entries, the survey, appeals, merits."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shanzhi.core.indicators import all_indicators

from .choices import Channel, Direction, MeritKind, ObjectKind, Source

INDICATOR_ROWS = 8


class SchemeForm(forms.Form):
    name = forms.CharField(label=_("方案名称"), max_length=100)
    object_kind = forms.ChoiceField(label=_("考核对象"), choices=ObjectKind.choices)
    direction = forms.ChoiceField(label=_("考核方向"), choices=Direction.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    district = forms.ChoiceField(label=_("区"))

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [(r.code, r.name) for r in districts]


class IndicatorRowForm(forms.Form):
    name = forms.CharField(label=_("指标名称"), max_length=100, required=False)
    weight = forms.DecimalField(label=_("权重"), max_digits=6, decimal_places=2, min_value=0, required=False)
    source = forms.ChoiceField(label=_("数据来源"), choices=[("", "—")] + list(Source.choices), required=False)
    indicator_key = forms.ChoiceField(label=_("平台指标（数据来源为平台数据时）"), required=False)
    best = forms.DecimalField(label=_("满分值"), max_digits=12, decimal_places=4, required=False)
    worst = forms.DecimalField(label=_("零分值"), max_digits=12, decimal_places=4, required=False)
    rule = forms.CharField(label=_("评分规则说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator_key"].choices = [("", "—")] + [(i.key, f"{i.label}（{i.key}）") for i in all_indicators()]


IndicatorFormSet = forms.formset_factory(IndicatorRowForm, extra=INDICATOR_ROWS, max_num=20)


class RoundForm(forms.Form):
    name = forms.CharField(label=_("轮次名称"), max_length=100)
    period_start = forms.DateField(label=_("考核期起"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("考核期止（不含）"), widget=forms.DateInput(attrs={"type": "date"}))


class AssignForm(forms.Form):
    assessor = forms.CharField(label=_("第三方评估人员账号"), max_length=150)
    organisation = forms.CharField(label=_("评估机构"), max_length=100, required=False)


class DrawForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    per_grid = forms.IntegerField(label=_("每网格抽样人数"), min_value=1, max_value=500, initial=10)
    seed = forms.IntegerField(label=_("抽样种子（留空自动生成）"), min_value=0, max_value=2**31, required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(r.code, r.name) for r in communities]


class AnswerForm(forms.Form):
    satisfaction = forms.TypedChoiceField(label=_("满意度"), coerce=int, choices=[
        (5, _("5 非常满意")), (4, _("4 满意")), (3, _("3 一般")), (2, _("2 不满意")), (1, _("1 非常不满意"))])
    channel = forms.ChoiceField(label=_("方式"), choices=Channel.choices)


class OnlineAnswerForm(forms.Form):
    satisfaction = AnswerForm.base_fields["satisfaction"]


class ScoreForm(forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.DecimalField(label=_("分值"), max_digits=12, decimal_places=4)
    evidence = forms.CharField(label=_("佐证"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AppealForm(forms.Form):
    indicator = forms.ChoiceField(label=_("申诉指标"))
    claimed_value = forms.DecimalField(label=_("主张数值"), max_digits=12, decimal_places=4, required=False)
    reason = forms.CharField(label=_("申诉理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.pk, i.name) for i in indicators]


class DecideForm(forms.Form):
    action = forms.ChoiceField(choices=[("uphold", "uphold"), ("dismiss", "dismiss")])
    decision = forms.CharField(max_length=300, required=False)
    corrected_value = forms.DecimalField(max_digits=12, decimal_places=4, required=False)


class MeritForm(forms.Form):
    staff = forms.CharField(label=_("工作人员账号"), max_length=150)
    kind = forms.ChoiceField(label=_("类别"), choices=MeritKind.choices)
    points = forms.IntegerField(label=_("分值"), min_value=1, max_value=20)
    reason = forms.CharField(label=_("事由"), max_length=300)
    evidence = forms.CharField(label=_("佐证"), max_length=300, required=False)
    occurred_on = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))


class MeritDecideForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    decision = forms.CharField(max_length=300, required=False)
