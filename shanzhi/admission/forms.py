"""Forms of 社区准入. The push form checks 费随事转 itself (the service checks again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import DepartmentKind, ListKind, WorkKind
from .models import ListItem


class PushForm(forms.Form):
    sender = forms.ModelChoiceField(label=_("派出部门"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("事项类型"), choices=WorkKind.choices)
    title = forms.CharField(label=_("事项名称"), max_length=120)
    list_item = forms.ModelChoiceField(label=_("清单依据"), queryset=ListItem.objects.none(), required=False,
                                       empty_label=_("清单外事项（须经区准入审核）"))
    deadline = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))
    funding_amount = forms.DecimalField(label=_("随事经费(元)"), max_digits=12, decimal_places=2, min_value=0,
                                        required=False)
    funding_source = forms.CharField(label=_("经费来源"), max_length=100, required=False)
    description = forms.CharField(label=_("工作要求"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, senders, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sender"].queryset = senders
        self.fields["list_item"].queryset = items
        self.fields["list_item"].label_from_instance = lambda i: "{} · {}{}".format(
            i.list.get_kind_display(), i.name, _("（须费随事转）") if i.funding_required else "")

    def clean(self):
        data = super().clean()
        item = data.get("list_item")
        if item is not None and item.funding_required:
            if not data.get("funding_amount"):
                self.add_error("funding_amount", _("“%(n)s”须费随事转：请填写随事经费金额") % {"n": item.name})
            if not (data.get("funding_source") or "").strip():
                self.add_error("funding_source", _("“%(n)s”须费随事转：请填写经费来源") % {"n": item.name})
        return data


class ListNewForm(forms.Form):
    district = forms.ChoiceField(label=_("区"))
    kind = forms.ChoiceField(label=_("清单"), choices=ListKind.choices)
    note = forms.CharField(label=_("版本说明"), max_length=200, required=False)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [(r.code, r.name) for r in districts]


class ListItemForm(forms.Form):
    name = forms.CharField(label=_("事项名称"), max_length=120)
    legal_basis = forms.CharField(label=_("法律依据"), max_length=300, required=False)
    department = forms.CharField(label=_("责任部门"), max_length=100, required=False)
    funding_required = forms.BooleanField(label=_("须费随事转（仅协助事项）"), required=False)


class DepartmentForm(forms.Form):
    region = forms.ChoiceField(label=_("所属区域"))
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=DepartmentKind.choices)
    members = forms.CharField(label=_("人员账号（以逗号分隔）"), max_length=500, required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, f"{r.name}（{r.get_level_display()}）") for r in regions]


class ReasonForm(forms.Form):
    action = forms.CharField(max_length=20)
    reason = forms.CharField(label=_("理由"), max_length=300, required=False)
