from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from shanzhi.cases.choices import HandlerType, Step
from shanzhi.cases.models import Category, HandlingBody
from shanzhi.consultation.choices import Majority, MeetingKind, SupportMode
from shanzhi.core.forms import VersionedForm
from shanzhi.disclosure.models import Category as DisclosureCategory
from shanzhi.notifications.models import ChannelSetting


class CategoryForm(VersionedForm):
    code = forms.RegexField(label=_("编码"), max_length=40, regex=r"^[a-z0-9][a-z0-9_.-]*$",
                            help_text=_("小写英文字母、数字、点，例如 safety.gas"),
                            error_messages={"invalid": _("编码只能用小写英文字母、数字、点、下划线和连字符")})
    name = forms.CharField(label=_("名称"), max_length=60)
    parent = forms.ModelChoiceField(label=_("上级类别"), queryset=Category.objects.none(), required=False)
    handler_type = forms.ChoiceField(label=_("默认承办类型"), choices=HandlerType.choices)
    accept_days = forms.DecimalField(label=_("受理时限(工作日)"), min_value=0, max_digits=4, decimal_places=1, initial=1)
    handle_days = forms.DecimalField(label=_("处置时限(工作日)"), min_value=0, max_digits=4, decimal_places=1, initial=5)
    verify_days = forms.DecimalField(label=_("核查时限(工作日)"), min_value=0, max_digits=4, decimal_places=1, initial=2)
    is_public = forms.BooleanField(label=_("居民可选（公开）"), required=False, initial=True)
    keywords = forms.CharField(label=_("关键词"), max_length=200, required=False)
    extra_fields = forms.CharField(label=_("附加字段(JSON)"), required=False, max_length=4000,
                                   widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_('例如 [{"code": "floor", "label": "楼层", "type": "number", "required": true}]'))
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, category=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Category.objects.order_by("code")
        self.fields["parent"].queryset = qs.exclude(pk=category.pk) if category else qs
        self.fields["parent"].choices = [("", "—")] + [(c.pk, f"{c.code} {c.name}") for c in self.fields["parent"].queryset]
        if category is not None:
            self.fields["code"].disabled = True

    def clean_extra_fields(self):
        raw = (self.cleaned_data.get("extra_fields") or "").strip()
        if not raw:
            return []
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("附加字段不是有效的 JSON")) from None
        return value


class BodyForm(VersionedForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=HandlerType.choices)
    region_code = forms.ChoiceField(label=_("服务区域"))
    contact = forms.CharField(label=_("联系方式"), max_length=100, required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, f"{r.name}（{r.code}）") for r in areas]


class MemberForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150,
                               help_text=_("已有账号填用户名即可；新账号再填姓名和初始密码，将授予“承办单位人员”角色"))
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    password = forms.CharField(label=_("初始密码"), required=False, widget=forms.PasswordInput)


class RouteForm(forms.Form):
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none())
    region_prefix = forms.ChoiceField(label=_("区域"))
    body = forms.ModelChoiceField(label=_("承办单位"), queryset=HandlingBody.objects.none())

    def __init__(self, *args, areas=(), bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True).order_by("code")
        self.fields["category"].choices = [(c.pk, f"{c.code} {c.name}") for c in self.fields["category"].queryset]
        self.fields["region_prefix"].choices = [(r.code, f"{r.name}（{r.code}）") for r in areas]
        if bodies is not None:
            self.fields["body"].queryset = bodies
            self.fields["body"].choices = [(b.pk, b.name) for b in bodies]


class RouteTestForm(forms.Form):
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none())
    region = forms.ChoiceField(label=_("发生地"))

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True).order_by("code")
        self.fields["category"].choices = [(c.pk, f"{c.code} {c.name}") for c in self.fields["category"].queryset]
        self.fields["region"].choices = [(r.code, f"{r.name}（{r.code}）") for r in areas]


class ConfigFileForm(forms.Form):
    file = forms.FileField(label=_("配置文件(JSON)"))


class DeadlineRuleForm(forms.Form):
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none(), required=False,
                                      help_text=_("留空：所有类别"))
    handler_type = forms.ChoiceField(label=_("承办类型"), required=False)
    step = forms.ChoiceField(label=_("环节"), choices=Step.choices)
    days = forms.DecimalField(label=_("时限(工作日)"), min_value=0, max_digits=4, decimal_places=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.order_by("code")
        self.fields["category"].choices = [("", "—")] + [(c.pk, f"{c.code} {c.name}")
                                                         for c in self.fields["category"].queryset]
        self.fields["handler_type"].choices = [("", "—")] + list(HandlerType.choices)


class HolidayForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.BooleanField(label=_("这一天上班（调休工作日）"), required=False)
    note = forms.CharField(label=_("说明"), max_length=100, required=False)


class ChannelForm(VersionedForm):
    kind = forms.ChoiceField(label=_("渠道"), choices=ChannelSetting.Kind.choices, widget=forms.HiddenInput)
    gateway_url = forms.URLField(label=_("网关地址"), max_length=300, required=False, assume_scheme="https")
    app_id = forms.CharField(label=_("应用编号(AppID/账号)"), max_length=100, required=False)
    secret = forms.CharField(label=_("密钥"), max_length=300, required=False, widget=forms.PasswordInput,
                             help_text=_("加密保存，不再显示；留空则保留原密钥"))
    template_id = forms.CharField(label=_("模板编号"), max_length=100, required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class StreetRuleForm(forms.Form):
    matter_type = forms.CharField(widget=forms.HiddenInput, max_length=40)
    mandatory = forms.BooleanField(label=_("必须协商"), required=False)
    support_mode = forms.ChoiceField(label=_("附议门槛方式"), choices=SupportMode.choices)
    support_value = forms.DecimalField(label=_("附议门槛"), min_value=0, max_digits=7, decimal_places=2)
    deciding_meeting = forms.ChoiceField(label=_("决议会议"), choices=MeetingKind.choices)
    quorum_percent = forms.IntegerField(label=_("到会比例(%)"), min_value=1, max_value=100)
    majority = forms.ChoiceField(label=_("表决规则"), choices=Majority.choices)
    min_deliberation_days = forms.IntegerField(label=_("群议最少天数"), min_value=0, max_value=365)
    notice_days = forms.IntegerField(label=_("会议提前公告天数"), min_value=0, max_value=60)


class RestockForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("补货数量"), min_value=1, max_value=100_000)


class ScheduleForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=DisclosureCategory.choices)
    every_months = forms.IntegerField(label=_("每几个月公开一次"), min_value=1, max_value=12, initial=1)
    due_day = forms.IntegerField(label=_("截止日"), min_value=1, max_value=28, initial=10)


class PointRuleForm(VersionedForm):
    points_per_hour = forms.IntegerField(label=_("每小时积分"), min_value=1, max_value=1000)
    max_points_per_hour = forms.IntegerField(label=_("每小时积分上限（区级）"), min_value=1, max_value=1000,
                                             required=False, help_text=_("街道的规则不能超过此上限；留空为不限"))

    def __init__(self, *args, level: str = "street", **kwargs):
        super().__init__(*args, **kwargs)
        if level == "street":
            del self.fields["max_points_per_hour"]
