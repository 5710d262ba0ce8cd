import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CommunityType, HousingForm

GEOMETRY_TYPES = {"Polygon", "MultiPolygon"}


class RegionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("名称"), max_length=100)
    community_type = forms.ChoiceField(label=_("社区类型"), choices=[("", "—"), *CommunityType.choices],
                                       required=False)
    housing_form = forms.ChoiceField(label=_("居住形态"), choices=[("", "—"), *HousingForm.choices], required=False)
    population = forms.IntegerField(label=_("统计年报人口"), min_value=0, max_value=100_000_000, required=False,
                                    help_text=_("统计部门公布的数字，仅作参考；实有人口和户数以基础信息为准。"))
    households = forms.IntegerField(label=_("统计年报户数"), min_value=0, max_value=100_000_000, required=False)
    boundary = forms.CharField(label=_("边界(GeoJSON)"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                               help_text=_("GeoJSON 的 Polygon 或 MultiPolygon 几何对象，经纬度坐标；留空表示无边界。"))

    @classmethod
    def for_region(cls, region, data=None):
        initial = {f: getattr(region, f) for f in ("version", "name", "community_type", "housing_form", "population",
                                                   "households")}
        initial["boundary"] = json.dumps(region.boundary, ensure_ascii=False) if region.boundary else ""
        return cls(data, initial=initial)

    def clean_boundary(self):
        raw = self.cleaned_data["boundary"].strip()
        if not raw:
            return None
        try:
            geo = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("边界不是有效的 JSON。"))
        if isinstance(geo, dict) and geo.get("type") == "Feature":
            geo = geo.get("geometry")
        if not isinstance(geo, dict) or geo.get("type") not in GEOMETRY_TYPES or not geo.get("coordinates"):
            raise forms.ValidationError(_("边界须是 GeoJSON 的 Polygon 或 MultiPolygon。"))
        return geo
