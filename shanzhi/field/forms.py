"""The phone app's three forms — and the one definition of their validation.

The server validates every record (a page's POST and each synced item) with these forms; `form_schema` exports
the same forms as JSON (fields, required, lengths, choices, the GB 11643 check-digit weights and the phone
patterns), which the phone's `validate.js` applies offline. So both sides refuse the same input, and a test
(`tests/test_validation.py`) feeds both the same bad values.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shanzhi.cases import choices as case_choices
from shanzhi.core.errors import ServiceError
from shanzhi.core.tabular import _SEPARATORS
from shanzhi.registry import choices as reg_choices
from shanzhi.registry.validators import LANDLINE_RE, MOBILE_RE, normalise_phone, parse_id_number

# GB 11643-1999: the 17 weights (2^(17-i) mod 11) and the check character for each remainder
GB11643_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
GB11643_CODES = "10X98765432"
REF_PATTERN = r"^(\d{1,12}|c:[0-9a-f-]{36})$"  # a server id, or an offline record's client id


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        w = field.widget
        if isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        elif isinstance(w, forms.Select):
            w.attrs.setdefault("class", "form-select")
        elif not isinstance(w, forms.HiddenInput):
            w.attrs.setdefault("class", "form-control")


class FieldForm(forms.Form):
    """Rules beyond Django's own (required, length, choices): field name → rule key of `RULES`."""

    rules: dict[str, str] = {}
    sources: dict[str, str] = {}  # field → roster list that fills its options on the phone

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)
        for name, source in self.sources.items():
            self.fields[name].widget.attrs["data-sz-source"] = source
        for name, rule in self.rules.items():
            self.fields[name].widget.attrs["data-sz-rule"] = rule


def _id_number(value: str) -> str:
    if not value:
        return ""
    try:
        return parse_id_number(value).number
    except ServiceError as e:
        raise forms.ValidationError(e.user_message) from None


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except ServiceError as e:
        raise forms.ValidationError(e.user_message) from None


class HouseholdWithHeadForm(FieldForm):
    """登记住户: the household and its first person on one page; the 户号 is filled in, not typed."""

    dwelling = forms.IntegerField(label=_("房屋"), widget=forms.Select)
    household_number = forms.CharField(label=_("户号"), max_length=30, required=False,
                                       help_text=_("已按本网格的编号规则填好下一个空号，一般不用改"))
    number_suggested = forms.BooleanField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("户类型"), choices=reg_choices.HouseholdKind.choices)
    name = forms.CharField(label=_("户主姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=40, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)

    rules = {"id_number": "gb11643", "phone": "phone"}
    sources = {"dwelling": "dwellings"}

    def clean_id_number(self):
        return _id_number(self.cleaned_data.get("id_number", ""))

    def clean_phone(self):
        return _phone(self.cleaned_data.get("phone", ""))


class VisitForm(FieldForm):
    """入户走访: which household, and what was found."""

    household = forms.RegexField(label=_("住户"), regex=REF_PATTERN, widget=forms.Select,
                                 error_messages={"invalid": _("请从名单中选择住户")})
    notes = forms.CharField(label=_("走访情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    sources = {"household": "households"}


class CaseForm(FieldForm):
    """登记民情 on the spot; the photo is taken with the phone's camera."""

    category = forms.ChoiceField(label=_("问题类别"))
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(label=_("问题描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=case_choices.Urgency.choices)
    region_code = forms.ChoiceField(label=_("所在网格"))
    building = forms.IntegerField(label=_("楼栋"), required=False, widget=forms.Select)
    sources = {"building": "buildings"}

    def __init__(self, *args, categories=(), grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("请选择"))] + list(categories)
        self.fields["region_code"].choices = list(grids)
        if len(grids) == 1:
            self.fields["region_code"].initial = grids[0][0]


class HouseholdChangeForm(FieldForm):
    """A change to a household seen on a visit (在本地居住, 户类型), against the version the phone holds."""

    household = forms.IntegerField(label=_("住户"))
    version = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(label=_("户类型"), choices=reg_choices.HouseholdKind.choices)
    living_here = forms.BooleanField(label=_("在本地居住"), required=False)


FORMS = {"household_create": HouseholdWithHeadForm, "visit_create": VisitForm, "case_create": CaseForm,
         "household_update": HouseholdChangeForm}


def _field_schema(name: str, field: forms.Field, form: FieldForm) -> dict:
    out = {"name": name, "label": str(field.label or name), "required": field.required,
           "messages": {"required": str(field.error_messages["required"])}}
    if isinstance(field, forms.BooleanField):
        out["type"] = "bool"
    elif isinstance(field, forms.IntegerField):
        out["type"] = "int"
        out["messages"]["invalid"] = str(field.error_messages["invalid"])
    elif isinstance(field, forms.ChoiceField):
        out["type"] = "choice"
        out["choices"] = [str(k) for k, _v in field.choices if str(k) != ""]
        out["messages"]["invalid_choice"] = str(field.error_messages["invalid_choice"]) % {"value": "{value}"}
    else:
        out["type"] = "text"
    if getattr(field, "max_length", None):
        out["max_length"] = field.max_length
        out["messages"]["max_length"] = gettext("最多 %(n)d 个字") % {"n": field.max_length}
    if isinstance(field, forms.RegexField):
        out["pattern"] = field.regex.pattern
        out["messages"]["invalid"] = str(field.error_messages["invalid"])
    if name in form.rules:
        out["rule"] = form.rules[name]
    return out


def form_schema(form: FieldForm) -> dict:
    return {"fields": [_field_schema(n, f, form) for n, f in form.fields.items()
                       if not isinstance(f.widget, forms.HiddenInput)]}


def rules_schema() -> dict:
    """The rules the phone applies besides a field's own: what `normalise`, `parse_id_number` and
    `normalise_phone` do on the server, as data."""
    return {
        "separators": _SEPARATORS.pattern,
        "gb11643": {
            "weights": GB11643_WEIGHTS, "codes": GB11643_CODES,
            "messages": {
                "length": gettext("身份证号应为 18 位（或 15 位旧号），现为 %(n)d 位").replace("%(n)d", "{n}"),
                "digits": gettext("身份证号前 17 位必须是数字，最后一位是数字或 X"),
                "check": gettext("身份证号校验位错误，请核对号码"),
                "date": gettext("身份证号中的出生日期无效"),
                "future": gettext("身份证号中的出生日期不合理"),
            },
        },
        "phone": {"mobile": MOBILE_RE.pattern, "landline": LANDLINE_RE.pattern,
                  "message": gettext("电话号码格式不正确：手机号为 11 位，座机为区号+号码（如 0514-87654321）")},
    }
