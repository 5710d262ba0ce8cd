from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import EVALUATION_CRITERIA, REVIEW_CRITERIA, Determination, ProgrammeKind

DATE = forms.DateInput(attrs={"type": "date"})


class NeedForm(forms.Form):
    community_code = forms.ChoiceField(label=_("社区"), choices=())
    title = forms.CharField(label=_("需求"), max_length=100)
    description = forms.CharField(label=_("说明"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community_code"].choices = [(r.code, r.name) for r in regions]


class ProgrammeForm(forms.Form):
    region_code = forms.ChoiceField(label=_("所属街道或区"), choices=())
    name = forms.CharField(label=_("资金项目名称"), max_length=100)
    kind = forms.ChoiceField(label=_("资助方式"), choices=ProgrammeKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    budget_yuan = forms.DecimalField(label=_("预算（元）"), min_value=1, decimal_places=2, max_digits=14)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, r.name) for r in regions]


FIELDS_HELP = _("每行一项，写申报组织要回答的问题；末尾加 * 表示必填，如“项目团队 *”。最多 20 项，每项 60 字以内。")


def parse_form_fields(text: str) -> list[dict]:
    """The call's extra application questions from one line each (“项目团队 *” = required). Names are generated
    (q1, q2 …), so a manager never types an identifier; a line's problem is named by its number."""
    fields = []
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        required = line.endswith(("*", "＊"))
        label = line.rstrip("*＊ ").strip()
        if not label:
            raise forms.ValidationError(_("第 %(n)d 行只有星号，请写上问题") % {"n": i})
        if len(label) > 60:
            raise forms.ValidationError(_("第 %(n)d 行超过 60 字") % {"n": i})
        fields.append({"name": f"q{len(fields) + 1}", "label": label, "required": required})
    if len(fields) > 20:
        raise forms.ValidationError(_("申报表最多 20 个问题"))
    if len({f["label"] for f in fields}) != len(fields):
        raise forms.ValidationError(_("有重复的问题"))
    return fields


def form_fields_text(fields: list[dict]) -> str:
    return "\n".join(f"{f['label']}{' *' if f.get('required') else ''}" for f in fields)


class CallFieldsForm(forms.Form):
    form_fields = forms.CharField(label=_("申报表问题"), max_length=2000, required=False, help_text=FIELDS_HELP,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def clean_form_fields(self):
        return parse_form_fields(self.cleaned_data.get("form_fields") or "")


class CallForm(forms.Form):
    title = forms.CharField(label=_("征集标题"), max_length=120)
    description = forms.CharField(label=_("说明"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    opens_on = forms.DateField(label=_("开始日期"), widget=DATE)
    closes_on = forms.DateField(label=_("截止日期"), widget=DATE)
    max_amount_yuan = forms.DecimalField(label=_("单个项目资助上限（元）"), min_value=1, decimal_places=2, max_digits=14)
    min_grade = forms.TypedChoiceField(label=_("最低等级"), coerce=int, choices=[(0, _("不限"))] + [
        (g, f"{g}A") for g in range(1, 6)])
    form_fields = forms.CharField(label=_("申报表问题"), max_length=2000, required=False,
                                  help_text=_("留空使用默认问题（项目团队、风险与应对）。") + str(FIELDS_HELP),
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def clean_form_fields(self):
        return parse_form_fields(self.cleaned_data.get("form_fields") or "") or None


class ApplicationForm(forms.Form):
    organisation = forms.ChoiceField(label=_("申报组织"), choices=())
    community_code = forms.ChoiceField(label=_("服务社区"), choices=())
    title = forms.CharField(label=_("项目名称"), max_length=120)
    objectives = forms.CharField(label=_("项目目标"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    activities = forms.CharField(label=_("主要活动"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    budget = forms.CharField(label=_("预算明细"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("每行一项：科目 金额（元），如“活动物料 3000”"))
    target_beneficiaries = forms.IntegerField(label=_("计划受益人数"), min_value=1)

    def __init__(self, *args, organisations=(), communities=(), extra=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.pk), o.name) for o in organisations]
        self.fields["community_code"].choices = [(r.code, r.name) for r in communities]
        for field in extra:
            self.fields[f"answer_{field['name']}"] = forms.CharField(
                label=field["label"], max_length=2000, required=bool(field.get("required")),
                widget=forms.Textarea(attrs={"rows": 2}))


class DeclareForm(forms.Form):
    conflict = forms.TypedChoiceField(label=_("是否存在利益冲突"), coerce=lambda v: v == "yes",
                                      choices=[("no", _("不存在")), ("yes", _("存在，回避本项评审"))])
    conflict_note = forms.CharField(label=_("冲突说明"), max_length=200, required=False)


def _score_fields(form, criteria):
    for key, label, top in criteria:
        form.fields[key] = forms.DecimalField(label=f"{label}（0–{top}）", min_value=0, max_value=top,
                                              decimal_places=1)


class ScoreForm(forms.Form):
    comment = forms.CharField(label=_("评审意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _score_fields(self, REVIEW_CRITERIA)
        self.order_fields([k for k, _l, _m in REVIEW_CRITERIA] + ["comment"])


class EvaluationForm(forms.Form):
    survey_satisfaction = forms.DecimalField(
        label=_("居民满意度（百分制，纸质问卷汇总）"), min_value=0, max_value=100, decimal_places=1, required=False,
        help_text=_("项目已发起网上满意度测评并有答卷时，以居民答卷为准，此处不必填写"))
    comment = forms.CharField(label=_("评估意见"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _score_fields(self, EVALUATION_CRITERIA)
        self.order_fields([k for k, _l, _m in EVALUATION_CRITERIA] + ["survey_satisfaction", "comment"])


class DetermineForm(forms.Form):
    decision = forms.ChoiceField(label=_("决定"), choices=Determination.choices)
    reason = forms.CharField(label=_("理由"), max_length=500)
