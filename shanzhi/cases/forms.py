from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from shanzhi.regions.choices import Level as RegionLevel
from shanzhi.regions.models import Region

from . import choices as c
from .models import Category
from .selectors import public_categories


class CaseReportForm(forms.Form):
    """A resident's (or anonymous) report; staff use StaffCaseForm, which adds channel and building."""

    category = forms.ModelChoiceField(Category.objects.none(), label=_("问题类别"), empty_label=_("请选择"))
    region_code = forms.ChoiceField(label=_("所在网格"))
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(label=_("问题描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(label=_("地址或位置说明"), max_length=200, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    strip_location = forms.BooleanField(label=_("去除照片中的位置信息"), required=False, initial=True)
    reporter_name = forms.CharField(label=_("称呼"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("联系电话（仅工作人员可见）"), max_length=20, required=False)
    anonymous = forms.BooleanField(label=_("匿名反映"), required=False)
    publish_consent = forms.BooleanField(label=_("同意在公开数据中展示问题描述和地址（不含姓名和电话）"), required=False)

    def __init__(self, *args, categories=None, grids=None, own_grid: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["category"].queryset = categories if categories is not None else public_categories()
        if grids is None:  # the choices need the code and the name only (not the boundaries)
            grids = Region.objects.filter(level=RegionLevel.GRID).only("code", "name").order_by("code")
        self.fields["region_code"].choices = [("", _("请选择"))] + [(g.code, g.name) for g in grids]
        if own_grid is None and len(self.fields["region_code"].choices) == 2:
            own_grid = self.fields["region_code"].choices[1][0]
        if own_grid:  # the one grid a worker serves, or the resident's own: chosen already
            self.fields["region_code"].initial = own_grid
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs["class"] = "form-control"
        self.fields["category"].widget.attrs.update({
            "hx-get": reverse_lazy("cases:nearby"), "hx-target": "#sz-nearby", "hx-trigger": "change, load",
            "hx-include": "[name=lat],[name=lng]"})


class StaffCaseForm(CaseReportForm):
    channel = forms.ChoiceField(label=_("来源"), choices=[(c.Channel.PATROL, c.Channel.PATROL.label),
                                                          (c.Channel.HOTLINE, c.Channel.HOTLINE.label),
                                                          (c.Channel.WALK_IN, c.Channel.WALK_IN.label)])
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=c.Urgency.choices)
    building = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = ["channel", "category", "region_code", "urgency", "title", "description", "address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["anonymous"]
        del self.fields["publish_consent"]  # staff file for the office, not as a consenting reporter
        self.fields["category"].queryset = Category.objects.filter(active=True, children__isnull=True)
