from django import forms
from django.utils.translation import gettext_lazy as _

from . import choices as c
from .models import ServiceItem, ServicePoint, Venue


class RequestForm(forms.Form):
    item = forms.ModelChoiceField(label=_("代办事项"), queryset=ServiceItem.objects.none())
    note = forms.CharField(label=_("说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if items is not None:
            self.fields["item"].queryset = items


class DeskRequestForm(RequestForm):
    applicant_name = forms.CharField(label=_("申请人姓名"), max_length=50)
    region_code = forms.ChoiceField(label=_("所属社区"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, r.name) for r in regions]


class ItemForm(forms.ModelForm):
    region_code = forms.ChoiceField(label=_("所属区域"))

    class Meta:
        model = ServiceItem
        fields = ["name", "department", "materials", "legal_days", "fee", "where", "proxy_allowed"]

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, r.name) for r in regions]


class VenueForm(forms.ModelForm):
    region_code = forms.ChoiceField(label=_("所属区域"))

    class Meta:
        model = Venue
        fields = ["name", "kind", "provider", "address", "area", "capacity", "weekdays", "opens_at", "closes_at",
                  "slot_minutes", "needs_approval", "advance_days", "rules"]
        widgets = {"opens_at": forms.TimeInput(attrs={"type": "time"}),
                   "closes_at": forms.TimeInput(attrs={"type": "time"})}

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, r.name) for r in regions]


class BookingForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.TimeField(label=_("开始时间"))
    purpose = forms.CharField(label=_("用途"), max_length=200)
    people = forms.IntegerField(label=_("人数"), min_value=1, initial=1)
    organisation = forms.CharField(label=_("组织（可选）"), max_length=100, required=False)


class PointForm(forms.ModelForm):
    region_code = forms.ChoiceField(label=_("所属区域"))

    class Meta:
        model = ServicePoint
        fields = ["name", "category", "address", "lat", "lng", "hours", "phone", "description"]

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, r.name) for r in regions]


class MatchForm(forms.Form):
    kind = forms.ChoiceField(label=_("匹配对象"), choices=c.MatchKind.choices)
    target = forms.IntegerField(label=_("编号"), widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
