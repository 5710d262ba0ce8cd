from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CheckKind
from .models import Skill


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    region_code = forms.ChoiceField(label=_("所属社区/网格"))
    place = forms.CharField(label=_("地点"), max_length=150)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    slots = forms.IntegerField(label=_("招募人数"), min_value=1, initial=10)
    points_per_hour = forms.IntegerField(label=_("每小时积分"), min_value=1, max_value=1000, required=False,
                                         help_text=_("留空则按本街道的志愿积分规则"))
    description = forms.CharField(label=_("活动内容"), required=False, max_length=1000)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, r.name) for r in regions]


class LateCheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("补卡类型"), choices=CheckKind.choices)
    claimed_at = forms.DateTimeField(label=_("实际时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("理由"), max_length=200)


class RegisterForm(forms.Form):
    skills = forms.ModelMultipleChoiceField(label=_("技能"), queryset=Skill.objects.all(), required=False)
    intro = forms.CharField(label=_("个人简介"), max_length=200, required=False)


class StoreItemForm(forms.Form):
    name = forms.CharField(label=_("物品名称"), max_length=60)
    region_code = forms.ChoiceField(label=_("所属社区"))
    points_price = forms.IntegerField(label=_("所需积分"), min_value=1, max_value=1_000_000)
    stock = forms.IntegerField(label=_("库存"), min_value=0)
    per_person_limit = forms.IntegerField(label=_("每人限兑(0为不限)"), min_value=0, initial=0)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, r.name) for r in regions]


class DonationForm(forms.Form):
    donor_name = forms.CharField(label=_("捐赠单位"), max_length=100)
    region_code = forms.ChoiceField(label=_("接收社区"))
    description = forms.CharField(label=_("捐赠物品"), max_length=200)
    quantity = forms.IntegerField(label=_("数量"), min_value=1)
    value = forms.DecimalField(label=_("折合金额(元)"), required=False, min_value=0)
    received_on = forms.DateField(label=_("接收日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, r.name) for r in regions]
