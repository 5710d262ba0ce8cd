from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FacilityKind


class FacilityForm(forms.Form):
    kind = forms.ChoiceField(label=_("设施类型"), choices=FacilityKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    area_m2 = forms.DecimalField(label=_("面积(平方米)"), min_value=0.1, max_digits=9, decimal_places=1)
    opening_hours = forms.CharField(label=_("开放时间"), max_length=100, required=False)


class ResourceForm(forms.Form):
    social_workers = forms.IntegerField(label=_("持证社工"), min_value=0, max_value=10000)
    staff = forms.IntegerField(label=_("社区工作者"), min_value=0, max_value=10000)
    funding_yuan = forms.DecimalField(label=_("本年到位经费(元)"), min_value=0, max_digits=12, decimal_places=2)
